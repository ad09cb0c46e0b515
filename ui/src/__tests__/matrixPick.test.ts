import { describe, expect, it } from 'vitest'
import { draftsFor, isPicked, toggle } from '../components/matrixPick'

const lsass = { id: 'a1', attack_id: 'T1003', name: 'OS Credential Dumping' }
const brute = { id: 'b2', attack_id: 'T1110', name: 'Brute Force' }
const ps = { id: 'c3', attack_id: 'T1059', name: 'Command and Scripting Interpreter' }

describe('matrix picker selection', () => {
  it('toggles techniques on and off, keeping click order', () => {
    let sel = toggle([], brute)
    sel = toggle(sel, lsass)
    expect(sel.map((t) => t.attack_id)).toEqual(['T1110', 'T1003'])
    expect(isPicked(sel, 'a1')).toBe(true)
    sel = toggle(sel, brute)
    expect(sel.map((t) => t.attack_id)).toEqual(['T1003'])
    expect(isPicked(sel, 'b2')).toBe(false)
  })

  it('picks a technique once even when it sits under two tactics', () => {
    // The same technique clicked in a second tactic column is the same id: a second click unpicks it.
    const sel = toggle(toggle([lsass], { ...brute }), { ...brute })
    expect(sel).toEqual([lsass])
  })

  it('makes one draft per picked technique for the campaign and platform', () => {
    expect(draftsFor([lsass, brute], 'camp1', 'windows')).toEqual([
      { name: 'T1003 OS Credential Dumping', technique: 'a1', campaign: 'camp1', platform: 'windows' },
      { name: 'T1110 Brute Force', technique: 'b2', campaign: 'camp1', platform: 'windows' },
    ])
  })

  it('skips techniques the campaign already tests', () => {
    expect(draftsFor([lsass, brute, ps], 'camp1', '', new Set(['b2'])).map((d) => d.technique)).toEqual(['a1', 'c3'])
    expect(draftsFor([], 'camp1', '')).toEqual([])
  })
})
