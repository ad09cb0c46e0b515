import { describe, expect, it } from 'vitest'
import * as wf from '../lib/workflow'

describe('workflow', () => {
  it('keeps no client copy of the state machine', () => {
    expect('allowedActions' in wf).toBe(false)
  })
  it('knows which actions need fields', () => {
    expect(wf.needsForm('record')).toBe(true)
    expect(wf.needsForm('start')).toBe(false)
  })
})

describe('imported outcomes', () => {
  it('tell an imported outcome that waits for confirmation', () => {
    const waiting = { state: 'validated', revealed: true, outcome_imported: true, outcome_confirmed_by: '' }
    expect(wf.importedUnconfirmed(waiting)).toBe(true)
    expect(wf.importedUnconfirmed({ ...waiting, outcome_confirmed_by: 'u2' })).toBe(false)
    expect(wf.importedUnconfirmed({ ...waiting, outcome_imported: false })).toBe(false)
  })
})
