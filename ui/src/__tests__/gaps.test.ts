import { describe, expect, it } from 'vitest'
import { actionLink, type GapAction } from '../pages/defence/Gaps'

const base = { technique: 't1', attack_id: 'T1059.001', gain: 3 }

describe('actionLink', () => {
  it('sends each "what would raise it" action where it is done', () => {
    expect(actionLink({ ...base, kind: 'run_test', id: 'abc', name: 'T1059.001 PowerShell' } as GapAction)).toBe('/tests/abc')
    expect(actionLink({ ...base, kind: 'enable_rule', id: 'r1', name: 'Encoded PowerShell' } as GapAction)).toBe('/rules/r1')
    expect(actionLink({ ...base, kind: 'plan_test', id: 'tpl', name: 'Mimikatz & co' } as GapAction)).toBe('/library?q=Mimikatz%20%26%20co')
    expect(actionLink({ ...base, kind: 'write_test', name: 'write a test' } as GapAction)).toBe('/techniques/T1059.001')
  })
})
