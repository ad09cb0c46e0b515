import { describe, expect, it } from 'vitest'
import { allowedActions, importedUnconfirmed, needsForm } from '../lib/workflow'

describe('allowedActions', () => {
  const me = 'u1'
  it.each([
    ['draft', 'red_lead', '', ['approve', 'cancel']],
    ['draft', 'red_operator', '', []],
    ['draft', 'viewer', '', []],
    ['ready', 'red_operator', me, ['start']],
    ['ready', 'red_operator', 'someone-else', []],
    ['ready', 'admin', '', ['start', 'cancel']],
    ['executing', 'red_operator', me, ['submit']],
    ['executing', 'blue_analyst', '', []],
    ['blue_review', 'blue_analyst', '', ['record', 'rework']],
    ['blue_review', 'red_lead', '', []],
    ['validated', 'blue_lead', '', ['close']],
    ['validated', 'red_lead', '', ['close', 'retest']],
    ['closed', 'red_lead', '', ['retest']],
    ['cancelled', 'admin', '', []],
  ])('%s as %s', (state, role, assignee, want) => {
    expect(allowedActions({ state, red_assignee: assignee, revealed: true }, role, me)).toEqual(want)
  })
  it('offers reveal on unrevealed tests to red leads only', () => {
    expect(allowedActions({ state: 'ready', revealed: false }, 'red_lead', me)).toContain('reveal')
    expect(allowedActions({ state: 'ready', revealed: false }, 'blue_lead', me)).not.toContain('reveal')
  })
  it('knows which actions need fields', () => {
    expect(needsForm('record')).toBe(true)
    expect(needsForm('start')).toBe(false)
  })
})

describe('imported outcomes', () => {
  it('offers confirm to blue leads and admins while an imported outcome waits', () => {
    const waiting = { state: 'validated', revealed: true, outcome_imported: true, outcome_confirmed_by: '' }
    expect(importedUnconfirmed(waiting)).toBe(true)
    expect(allowedActions(waiting, 'blue_lead', 'u1')).toContain('confirm')
    expect(allowedActions(waiting, 'admin', 'u1')).toContain('confirm')
    expect(allowedActions(waiting, 'red_lead', 'u1')).not.toContain('confirm')
    expect(allowedActions(waiting, 'blue_analyst', 'u1')).not.toContain('confirm')
    const confirmed = { ...waiting, outcome_confirmed_by: 'u2' }
    expect(importedUnconfirmed(confirmed)).toBe(false)
    expect(allowedActions(confirmed, 'blue_lead', 'u1')).not.toContain('confirm')
  })
})
