import { describe, expect, it } from 'vitest'
import { buildAuditFilter } from '../pages/admin/Audit'
import { operations } from '../pages/admin/ApiDocs'
import { buildMatrix } from '../pages/attack/Matrix'
import { changeIds } from '../pages/attack/Releases'
import { jobsFrom, lastRun } from '../pages/admin/Integrations'
import { indexCoverage, type Tactic, type Technique } from '../pages/attack/common'

describe('buildAuditFilter', () => {
  it('combines filters and escapes quotes', () => {
    expect(buildAuditFilter({})).toBe('')
    expect(buildAuditFilter({ action: 'login', actor: "o'brien", from: '2026-11-01', to: '2026-11-30' })).toBe(
      "action = 'login' && (actor_name ~ 'o\\'brien' || actor = 'o\\'brien') && created >= '2026-11-01 00:00:00.000Z' && created <= '2026-11-30 23:59:59.999Z'",
    )
  })
})

describe('operations', () => {
  it('flattens an OpenAPI document grouped by tag with examples and auth', () => {
    const ops = operations({
      paths: {
        '/api/aegis/setup': {
          get: { tags: ['setup'], summary: 'State', 'x-aegis-auth': 'public', responses: { '200': { content: { 'application/json': { example: { needed: true } } } } } },
          post: {
            tags: ['setup'],
            summary: 'Create the first admin',
            requestBody: { content: { 'application/json': { example: { email: 'a@b.c' } } } },
            responses: { '200': { content: { 'application/json': { schema: { example: { token: 't' } } } } } },
          },
        },
        '/api/aegis/jobs': { get: { tags: ['jobs'], summary: 'Jobs', security: [{ bearer: [] }], parameters: [{ name: 'x', in: 'query', required: true }] } },
      },
    })
    expect(ops.map((o) => `${o.tag} ${o.method} ${o.path}`)).toEqual(['jobs GET /api/aegis/jobs', 'setup GET /api/aegis/setup', 'setup POST /api/aegis/setup'])
    expect(ops[0].auth).toBe('user')
    expect(ops[0].params[0]).toEqual({ name: 'x', in: 'query', required: true, description: '' })
    expect(ops[1].auth).toBe('public')
    expect(ops[1].response).toEqual({ needed: true })
    expect(ops[2].request).toEqual({ email: 'a@b.c' })
    expect(ops[2].response).toEqual({ token: 't' })
  })
  it('survives an empty document', () => {
    expect(operations({})).toEqual([])
  })
})

describe('buildMatrix', () => {
  const tac = (id: string, order: number) => ({ id, name: id, matrix_order: order }) as unknown as Tactic
  const tech = (id: string, name: string, tactics: string[], parent = '') => ({ id, attack_id: id, name, tactics, is_subtechnique: !!parent, parent }) as unknown as Technique
  it('orders tactics, puts techniques under each of their tactics and nests sub-techniques', () => {
    const cols = buildMatrix(
      [tac('impact', 14), tac('execution', 3), tac('persistence', 4)],
      [tech('T1059', 'Command and Scripting Interpreter', ['execution']), tech('T1059.001', 'PowerShell', ['execution'], 'T1059'), tech('T1053', 'Scheduled Task/Job', ['execution', 'persistence']), tech('T1059.003', 'Windows Command Shell', ['execution'], 'T1059')],
    )
    expect(cols.map((c) => c.tactic.id)).toEqual(['execution', 'persistence', 'impact'])
    expect(cols[0].techniques.map((x) => x.t.id)).toEqual(['T1059', 'T1053'])
    expect(cols[0].techniques[0].subs.map((s) => s.id)).toEqual(['T1059.001', 'T1059.003'])
    expect(cols[1].techniques.map((x) => x.t.id)).toEqual(['T1053'])
    expect(cols[2].techniques).toEqual([])
  })
})

describe('coverage and jobs helpers', () => {
  it('indexes matrix scores by ATT&CK id including sub-techniques', () => {
    const m = indexCoverage({
      domain: 'enterprise-attack',
      score: 10,
      level: 'low',
      tactics: [{ attack_id: 'TA0002', name: 'Execution', score: 1, level: 'low', techniques: [{ id: 'a', attack_id: 'T1059', score: 40, level: 'partial', V: null, R: 0.5, M: null, subtechniques: [{ id: 'b', attack_id: 'T1059.001', score: 80, level: 'good', V: 1, R: 0, M: 0 }] }] }],
    })
    expect(m.get('T1059')?.level).toBe('partial')
    expect(m.get('T1059.001')?.score).toBe(80)
    expect(indexCoverage(null).size).toBe(0)
  })
  it('reads release changes as ids', () => {
    const changes = { added: ['T1001', { attack_id: 'T1002' }, { id: 'x' }], revoked: 'nope' }
    expect(changeIds(changes, 'added')).toEqual(['T1001', 'T1002', 'x'])
    expect(changeIds(changes, 'revoked')).toEqual([])
    expect(changeIds(null, 'changed')).toEqual([])
  })
  it('accepts job lists in any wrapper and picks the run to show', () => {
    expect(jobsFrom([{ name: 'a' }])).toHaveLength(1)
    expect(jobsFrom({ items: [{ name: 'a' }, { name: 'b' }] })).toHaveLength(2)
    expect(jobsFrom({ jobs: [{ name: 'c' }] })[0].name).toBe('c')
    expect(jobsFrom('x')).toEqual([])
    const run = (id: string) => ({ id, job: 'x' }) as never
    expect(lastRun({ name: 'a', running: run('r'), last_runs: [run('old')] })?.id).toBe('r')
    expect(lastRun({ name: 'a', running: null, last_runs: [run('new'), run('old')] })?.id).toBe('new')
    expect(lastRun({ name: 'a' })).toBeNull()
  })
})

import { kindOf } from '../pages/attack/Releases'
describe('kindOf', () => {
  it.each([
    ['T1059', 'Technique'],
    ['T1059.001', 'Sub-technique'],
    ['TA0002', 'Tactic'],
    ['G0016', 'Group'],
    ['DC0001', 'Data component'],
    ['DET0001', 'Detection strategy'],
    ['x', 'Object'],
  ])('%s is a %s', (id, want) => expect(kindOf(id)).toBe(want))
})
