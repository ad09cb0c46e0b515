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
