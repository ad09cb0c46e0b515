import { describe, expect, it } from 'vitest'
import { render } from '@testing-library/react'
import { andFilter } from '../lib/filter'
import { fileName, formatBytes } from '../lib/files'
import { highlightLine, ruleLanguage } from '../lib/highlight'
import { isOverdue, nextFindingStates, severityTone, splitBoard } from '../lib/findings'
import { LineChart, linePath } from '../ds/charts'
import { mfaCode } from '../lib/mfa'
import { parseList } from '../lib/text'
import { roleMapRows, rowsToRoleMap } from '../lib/roleMap'
import { signed } from '../lib/format'
import { isEnrolmentRequired } from '../components/mfaGuard'
import { ruleFilter } from '../pages/content/Rules'
import { templateProcedure, cleanupOf } from '../pages/content/Library'
import { trendSeries, type Snapshot } from '../pages/reports/Reports'
import { validateScoring } from '../pages/settings/Settings'
import { cleanCode, groupSecret } from '../pages/me/Security'
import { ssoProvider } from '../pages/Login'
import { newLinks } from '../pages/defence/Intel'
import { Highlighted } from '../pages/content/Rule'

describe('findings', () => {
  it('moves a card to any other column', () => {
    expect(nextFindingStates('open')).toEqual(['in_progress', 'resolved', 'risk_accepted'])
    expect(nextFindingStates('')).toEqual(['in_progress', 'resolved', 'risk_accepted'])
    expect(nextFindingStates('resolved')).toEqual(['open', 'in_progress', 'risk_accepted'])
  })
  it('flags overdue only for unfinished findings', () => {
    const now = new Date('2026-11-30T12:00:00Z')
    expect(isOverdue('2026-11-01 00:00:00.000Z', 'open', now)).toBe(true)
    expect(isOverdue('2026-12-01 00:00:00.000Z', 'open', now)).toBe(false)
    expect(isOverdue('2026-11-01 00:00:00.000Z', 'resolved', now)).toBe(false)
    expect(isOverdue('', 'open', now)).toBe(false)
    expect(isOverdue('garbage', 'open', now)).toBe(false)
  })
  it('fills the board from one read, and reads on its own only a column that read left short', () => {
    const f = (status: string, n: number) => Array.from({ length: n }, () => ({ status }))
    const two = () => 2
    // A short read holds every finding: no column reads again, even empty ones.
    const small = splitBoard([...f('open', 3), ...f('', 1), ...f('resolved', 1)], 8, two)
    expect(small.short).toEqual([])
    expect(small.cols.open).toHaveLength(2)
    expect(small.full).toEqual({ open: true, in_progress: false, resolved: false, risk_accepted: false })
    expect(small.cols.in_progress).toEqual([])
    // A full read: columns it left short of their limit read their own.
    const busy = splitBoard([...f('open', 6), ...f('resolved', 2)], 8, two)
    expect(busy.short).toEqual(['in_progress', 'risk_accepted'])
    expect(busy.full).toEqual({ open: true, resolved: true })
    expect(busy.cols.resolved).toHaveLength(2)
    // Exactly the limit in a short read is known to be all.
    expect(splitBoard(f('open', 2), 8, two).full.open).toBe(false)
  })
  it('colours severities', () => {
    expect(severityTone('critical')).toBe('danger')
    expect(severityTone('medium')).toBe('warning')
    expect(severityTone('informational')).toBe('default')
  })
})

describe('rule filters', () => {
  it('hides removed rules by default and escapes input', () => {
    expect(ruleFilter({})).toBe('removed = false')
    expect(ruleFilter({ source: 'sigma', technique: 't1059.001', enabled: 'true', removed: 'true', q: "o'x" })).toBe(
      "source = 'sigma' && techniques.attack_id ?= 'T1059.001' && enabled = true && removed = true && (title ~ 'o\\'x' || source_rule_id ~ 'o\\'x' || description ~ 'o\\'x')",
    )
    expect(andFilter(['', false, null, 'a = 1'])).toBe('a = 1')
  })
})

describe('highlighting', () => {
  it('picks a language from the source or the content', () => {
    expect(ruleLanguage('sigma', '')).toBe('yaml')
    expect(ruleLanguage('elastic', '')).toBe('toml')
    expect(ruleLanguage('custom', '[rule]\nname = "x"')).toBe('toml')
    expect(ruleLanguage('custom', 'title: x')).toBe('yaml')
    expect(ruleLanguage('custom', 'index=main')).toBe('text')
  })
  it('splits YAML and TOML lines into tokens that rebuild the line', () => {
    for (const [line, lang] of [
      ['  title: "Suspicious"', 'yaml'],
      ['# comment', 'yaml'],
      ['    - attack.t1059', 'yaml'],
      ['[rule]', 'toml'],
      ['name = "Encoded PowerShell"', 'toml'],
      ['plain text', 'text'],
    ] as const) {
      const toks = highlightLine(line, lang)
      expect(toks.map((t) => t.text).join('')).toBe(line)
    }
    expect(highlightLine('title: "x"', 'yaml').find((t) => t.kind === 'key')?.text).toBe('title')
    expect(highlightLine('title: "x"', 'yaml').find((t) => t.kind === 'string')?.text).toBe('"x"')
    expect(highlightLine('[rule]', 'toml')[0].kind).toBe('section')
    expect(highlightLine('# c', 'yaml')[0].kind).toBe('comment')
  })
  it('renders every line of the content', () => {
    const { getByTestId } = render(<Highlighted content={'title: a\n\nlevel: high'} lang="yaml" />)
    expect(getByTestId('rule-content').textContent).toContain('level: high')
    expect(getByTestId('rule-content').children.length).toBe(3)
  })
})

describe('library', () => {
  it('builds a procedure from the executor and cleanup', () => {
    const t = { description: 'Runs a thing', executor: { name: 'powershell', command: 'Get-Process', cleanup_command: 'Remove-Item x' } }
    expect(templateProcedure(t)).toBe('Runs a thing\n\n### Run (powershell)\n\n```powershell\nGet-Process\n```\n\n### Cleanup\n\n```powershell\nRemove-Item x\n```')
    expect(cleanupOf({ executor: { cleanup: 'rm x' } })).toBe('rm x')
    expect(templateProcedure({ description: '', executor: null })).toBe('')
  })
})

describe('charts and reports', () => {
  it('scales a line into its box', () => {
    const { points, d } = linePath([0, 50, 100], 200, 100)
    expect(points).toEqual([{ x: 0, y: 100 }, { x: 100, y: 50 }, { x: 200, y: 0 }])
    expect(d).toBe('M0.0 100.0 L100.0 50.0 L200.0 0.0')
    expect(linePath([40], 200, 100).points[0].x).toBe(100)
    expect(linePath([150, -5], 10, 10).points.map((p) => p.y)).toEqual([0, 10])
  })
  it('picks the overall line and the weakest tactics', () => {
    const pts: Snapshot[] = [
      { id: 'a', taken_at: '2026-11-01 00:00:00Z', trigger: 'daily', totals: { score: 10, level: 'low', validated: 0, in_scope: 1 }, by_tactic: [{ shortname: 'x', name: 'X', score: 5 }, { shortname: 'y', name: 'Y', score: 50 }] },
      { id: 'b', taken_at: '2026-11-02 00:00:00Z', trigger: 'daily', totals: { score: 20, level: 'low', validated: 0, in_scope: 1 }, by_tactic: [{ shortname: 'x', name: 'X', score: 15 }, { shortname: 'y', name: 'Y', score: 60 }] },
    ]
    const sameDay = trendSeries([pts[0], { ...pts[1], taken_at: '2026-11-01 09:30:00Z' }], 1)
    expect(sameDay.labels).toEqual(['00:00', '09:30'])
    const s = trendSeries(pts, 1)
    expect(s.labels).toEqual(['11-01', '11-02'])
    expect(s.series.map((x) => x.label)).toEqual(['Overall', 'X'])
    expect(s.series[1].values).toEqual([5, 15])
    const { getByTestId } = render(<LineChart labels={s.labels} series={s.series} />)
    expect(getByTestId('trend-chart').querySelectorAll('path').length).toBe(2)
  })
  it('formats signed changes, sizes and download names', () => {
    expect(signed(3.14)).toBe('+3.1')
    expect(signed(-2)).toBe('−2.0')
    expect(signed(0)).toBe('±0.0')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1 << 30)).toBe('1 GB')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(fileName('/api/aegis/export/navigator')).toBe('aegis-navigator-layer.json')
    expect(fileName('/api/aegis/export/tests.csv?x=1')).toBe('aegis-tests.csv')
  })
})

describe('settings', () => {
  it('checks scoring weights and thresholds', () => {
    expect(validateScoring({ weight_validation: 0.6, weight_rules: 0.25, weight_mitigation: 0.15, level_low: 20, level_good: 60 })).toEqual([])
    expect(validateScoring({ weight_validation: 0.6, weight_rules: 0.6, weight_mitigation: 0.15 })[0]).toMatch(/add up to 1\.35/)
    expect(validateScoring({ level_low: 70, level_good: 60 })).toEqual(['The "low" threshold must be below the "good" threshold.'])
    expect(validateScoring({ half_life_days: -1 })).toEqual(['Half life days must be a number ≥ 0.'])
  })
  it('edits the SSO role map as rows', () => {
    expect(roleMapRows({ admins: 'admin' })).toEqual([{ claim: 'admins', role: 'admin' }])
    expect(roleMapRows(null)).toEqual([])
    expect(rowsToRoleMap([{ claim: ' admins ', role: 'admin' }, { claim: '', role: 'viewer' }])).toEqual({ admins: 'admin' })
    expect(parseList('a/b, c/d\n\na/b')).toEqual(['a/b', 'c/d'])
  })
})

describe('sign-in security', () => {
  it('reads MFA answers', () => {
    expect(mfaCode({ response: { data: { mfa: { code: 'totp_required' } } } })).toBe('totp_required')
    expect(mfaCode(new Error('x'))).toBe('')
    expect(isEnrolmentRequired(403, { data: { mfa: { code: 'enrolment_required' } } })).toBe(true)
    expect(isEnrolmentRequired(403, { data: {} })).toBe(false)
    expect(isEnrolmentRequired(401, { data: { mfa: { code: 'enrolment_required' } } })).toBe(false)
  })
  it('formats secrets and codes', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP')
    expect(cleanCode('12 34-567')).toBe('123456')
  })
  it('finds the OIDC provider', () => {
    expect(ssoProvider({ oauth2: { enabled: true, providers: [{ name: 'oidc', displayName: 'Acme SSO' }] } })).toEqual({ name: 'oidc', displayName: 'Acme SSO' })
    expect(ssoProvider({ oauth2: { enabled: true, providers: [{ name: 'github' }] } })).toBeNull()
    expect(ssoProvider({ oauth2: { enabled: false, providers: [{ name: 'oidc' }] } })).toBeNull()
    expect(ssoProvider(null)).toBeNull()
  })
  it('reads intel new links in either shape', () => {
    expect(newLinks([{ actor: 'G1', technique: 'T1' }, 'T2'])).toEqual([{ actor: 'G1', technique: 'T1' }, { technique: 'T2' }])
    expect(newLinks(null)).toEqual([])
  })
})
