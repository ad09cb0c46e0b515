import { describe, expect, it } from 'vitest'
import { cronHelp, describeCron, nextRuns, parseCron } from '../components/cron'
import { argRows, fillArguments, placeholders, unfilled } from '../components/args'
import { parseBlocks } from '../components/Markdown'

describe('cron reading', () => {
  it.each([
    ['0 2 * * *', 'At 02:00 UTC every day'],
    ['30 6 * * 1', 'At 06:30 UTC on Monday'],
    ['0 9 1 * *', 'At 09:00 UTC on day 1 of the month'],
    ['15 * * * *', 'At minute 15 of every hour'],
    ['@weekly', 'At 00:00 UTC on Sunday'],
    ['0 8 * * 1-5', 'At 08:00 UTC on Monday, Tuesday, Wednesday, Thursday and Friday'],
    ['0 0 1 1,7 *', 'At 00:00 UTC on day 1 of the month in January and July'],
  ])('%s reads as %s', (spec, want) => {
    expect(describeCron(spec)).toBe(want)
  })
  it('lists the next three runs in UTC', () => {
    const from = new Date('2026-12-06T20:00:00Z')
    expect(nextRuns('30 6 * * 1', 3, from).map((d) => d.toISOString())).toEqual(['2026-12-07T06:30:00.000Z', '2026-12-14T06:30:00.000Z', '2026-12-21T06:30:00.000Z'])
    expect(nextRuns('@monthly', 3, from).map((d) => d.toISOString())).toEqual(['2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'])
    expect(nextRuns('*/20 * * * *', 2, from).map((d) => d.toISOString())).toEqual(['2026-12-06T20:20:00.000Z', '2026-12-06T20:40:00.000Z'])
  })
  it.each([
    ['0 2 * *', 'has 4'],
    ['61 * * * *', 'minute must be between 0 and 59'],
    ['0 25 * * *', 'hour must be between 0 and 23'],
    ['@sometimes', 'Unknown shorthand'],
    ['a b c d e', 'minute field "a" is not understood'],
  ])('refuses %s with a sentence', (spec, msg) => {
    expect(() => parseCron(spec)).toThrow(msg)
    const h = cronHelp(spec)
    expect(h.ok).toBe(false)
    expect(h.text).toContain(msg)
  })
  it('an empty spec means no recurrence', () => {
    expect(cronHelp('')).toEqual({ ok: true, text: 'No recurrence.', next: [] })
  })
})

describe('argument filling', () => {
  const rows = argRows({ procdump_exe: { type: 'path', default: 'PathToAtomicsFolder\\..\\ExternalPayloads\\procdump.exe', description: 'ProcDump' }, output_file: { type: 'path', default: 'C:\\Windows\\Temp\\lsass_dump.dmp' }, empty: { type: 'string' } })
  const cmd = '#{procdump_exe} -accepteula -ma lsass.exe #{output_file} #{empty} #{unknown}'
  it('lists arguments sorted with their defaults', () => {
    expect(rows.map((r) => r.name)).toEqual(['empty', 'output_file', 'procdump_exe'])
    expect(rows[1]!.default).toBe('C:\\Windows\\Temp\\lsass_dump.dmp')
  })
  it('fills defaults, prefers values, keeps unknown placeholders', () => {
    expect(fillArguments(cmd, rows)).toBe('PathToAtomicsFolder\\..\\ExternalPayloads\\procdump.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\lsass_dump.dmp #{empty} #{unknown}')
    expect(fillArguments(cmd, rows, { output_file: 'D:\\x.dmp', empty: 'v' })).toContain('lsass.exe D:\\x.dmp v #{unknown}')
    expect(unfilled(cmd, rows)).toEqual(['empty', 'unknown'])
    expect(placeholders('#{a} #{b} #{a}')).toEqual(['a', 'b'])
  })
  it('treats a missing argument list as none', () => {
    expect(argRows(null)).toEqual([])
    expect(fillArguments('echo #{x}', [])).toBe('echo #{x}')
  })
})

describe('markdown blocks', () => {
  it('splits headings, lists, code and paragraphs without HTML', () => {
    const b = parseBlocks('## Steps\n1. run\n2. check\n\n```powershell\nGet-Process <script>\n```\n\nDone <b>now</b>.')
    expect(b.map((x) => x.kind)).toEqual(['h', 'ol', 'code', 'p'])
    expect(b[2]).toEqual({ kind: 'code', lang: 'powershell', text: 'Get-Process <script>' })
    expect(b[3]).toEqual({ kind: 'p', text: 'Done <b>now</b>.' })
  })
})

import { ruleMessages } from '../components/ruleCheck'

describe('rule validation messages', () => {
  const rule = { source_rule_id: 'r1', title: 'LSASS', severity: 'high', status: 'experimental', tactics: ['credential-access'], techniques: [{ attack_id: 'T1003.001', id: 'x', name: 'LSASS Memory' }], unknown_techniques: [] as string[] }
  it('says why the parser refused a rule', () => {
    expect(ruleMessages({ valid: false, error: 'rule has no detection section', rules: [] })).toEqual([{ tone: 'error', text: 'Not a valid Sigma rule: rule has no detection section.' }])
  })
  it('names what the rule counts for', () => {
    expect(ruleMessages({ valid: true, rules: [rule] })).toEqual([{ tone: 'success', text: 'Valid. Counts for T1003.001 LSASS Memory.' }])
  })
  it('warns of unknown tags, missing techniques and level, and several rules', () => {
    const m = ruleMessages({ valid: true, rules: [{ ...rule, techniques: [], unknown_techniques: ['T9999'], severity: '' }, rule] })
    expect(m.map((x) => x.tone)).toEqual(['error', 'warning', 'warning', 'warning', 'success', 'success'])
    expect(m[0]!.text).toBe('This holds 2 rules; write one rule at a time.')
    expect(m[1]!.text).toContain('T9999 is not in the ATT&CK catalogue')
    expect(m[2]!.text).toContain('No ATT&CK technique tag')
    expect(m[3]!.text).toContain('No level')
  })
  it('says nothing before the first answer', () => {
    expect(ruleMessages(null)).toEqual([])
  })
})

import { skipReasons, summarizeRun } from '../components/runSummary'

describe('job results as sentences', () => {
  it('reads an import report', () => {
    const s = { kind: 'sigma', created: 3120, updated: 0, unchanged: 0, removed: 0, skipped: Array.from({ length: 21 }, (_, i) => ({ id: `r${i}`, reason: `rules/x${i}.yml: technique "T9${i}" not in the ATT&CK catalogue` })), files: 3141, counts: { rules: 3141 } }
    expect(summarizeRun(s)).toBe('3,141 rules: 3,120 new, 21 skipped — from 3,141 files.')
    expect(skipReasons(s)).toEqual([{ reason: 'technique "T…" not in the ATT&CK catalogue', count: 21, example: 'r0' }])
  })
  it('says when nothing changed and names failed files', () => {
    expect(summarizeRun({ kind: 'attack', created: 0, updated: 0, unchanged: 840, no_change: true, counts: { objects: 840 } })).toBe('840 objects: already up to date.')
    expect(summarizeRun({ kind: 'atomic', created: 2, file_errors: [{ path: 'a.yaml', error: 'bad' }] })).toBe('2 templates: 2 new; 1 file could not be read.')
  })
  it('reads other jobs in words', () => {
    expect(summarizeRun({ deleted_notifications: 12 })).toBe('12 deleted notifications.')
    expect(summarizeRun(null)).toBe('')
  })
})
