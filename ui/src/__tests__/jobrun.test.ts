import { describe, expect, it } from 'vitest'
import { latestRun, type JobRun } from '../pages/admin/jobrun'

const run = (status: string, updated: string, id = 'r1') => ({ id, status, updated, collectionId: 'c', collectionName: 'job_runs' }) as unknown as JobRun

describe('latestRun', () => {
  it('keeps a finished run when a slower read of the running state arrives', () => {
    const done = run('succeeded', '2026-12-06 21:44:23.500Z')
    expect(latestRun(done, run('running', '2026-12-06 21:44:22.100Z')).status).toBe('succeeded')
  })
  it('takes a newer snapshot', () => {
    expect(latestRun(run('running', '2026-12-06 21:44:22.100Z'), run('succeeded', '2026-12-06 21:44:23.500Z')).status).toBe('succeeded')
  })
  it('takes the first snapshot and a different run as they come', () => {
    expect(latestRun(null, run('running', '2026-12-06 21:44:22.100Z')).status).toBe('running')
    expect(latestRun(run('succeeded', '2026-12-06 21:44:23.500Z'), run('running', '2026-12-06 21:40:00.000Z', 'r2')).id).toBe('r2')
  })
})
