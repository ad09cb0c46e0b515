import { useEffect, useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb } from '../../lib/pb'
import { duration, humanize, parseDate } from '../../lib/format'
import { Alert, Badge, ProgressBar } from '../../ds'
import { RunSummary } from '../../components/RunSummary'
import type { ImportStats } from '../../components/runSummary'

export type JobRun = RecordModel & {
  job: string
  trigger: string
  started_at: string
  finished_at: string
  status: string
  attempt: number
  stats: Record<string, unknown> | null
  error: string
  progress: { stage?: string; done?: number; total?: number } | null
  integration?: string
  requested_by?: string
}

export function statusTone(s: string): 'success' | 'danger' | 'warning' | 'info' | 'default' {
  return s === 'succeeded' ? 'success' : s === 'failed' ? 'danger' : s === 'retrying' ? 'warning' : s === 'running' ? 'info' : 'default'
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{status === 'running' ? '● Running' : humanize(status || 'queued')}</Badge>
}

export function runDuration(r: JobRun, now = Date.now()): string {
  const a = parseDate(r.started_at)
  if (!a) return '—'
  const b = parseDate(r.finished_at)
  return duration((b ? b.getTime() : now) - a.getTime())
}

/** latestRun keeps the newer of two snapshots of the same run, so that a slow
 *  read never takes a finished run back to "running". */
export function latestRun(prev: JobRun | null, next: JobRun): JobRun {
  if (prev && prev.id === next.id && (prev.updated ?? '') > (next.updated ?? '')) return prev
  return next
}

/** useLiveRun follows one job run over realtime until it finishes. */
export function useLiveRun(initial: JobRun | null): JobRun | null {
  const [run, setRun] = useState(initial)
  useEffect(() => setRun(initial), [initial])
  const id = initial?.id
  useEffect(() => {
    if (!id) return
    let unsub: (() => Promise<void>) | null = null
    let dead = false
    const take = (r: JobRun) => !dead && setRun((prev) => latestRun(prev, r))
    // Catch up once the subscription is live: a change made before that is
    // read here, a change made after it arrives as an event.
    const catchUp = () =>
      pb.collection('job_runs')
        .getOne<JobRun>(id)
        .then(take)
        .catch(() => {})
    pb.collection('job_runs')
      .subscribe<JobRun>(id, (e) => take(e.record))
      .then((u) => {
        if (dead) u()
        else {
          unsub = u
          catchUp()
        }
      })
      .catch(catchUp)
    return () => {
      dead = true
      unsub?.().catch(() => {})
    }
  }, [id])
  return run
}

/** RunProgress shows a run's stage, progress bar, and its stats or error. */
export function RunProgress({ run }: { run: JobRun }) {
  const p = run.progress ?? {}
  const done = run.status === 'succeeded'
  const failed = run.status === 'failed'
  const total = p.total ?? 0
  const value = done ? 1 : total > 0 ? (p.done ?? 0) / total : null
  return (
    <div className="stack tight" data-testid="run-progress" data-status={run.status}>
      <div className="row between">
        <span className="row">
          <b>{run.job}</b> <StatusBadge status={run.status} />
        </span>
        <span className="faint small">
          {p.stage && !done && !failed ? `${humanize(p.stage)} ` : ''}
          {total > 0 && !done ? `${(p.done ?? 0).toLocaleString('en-US')} / ${total.toLocaleString('en-US')} · ` : ''}
          {runDuration(run)}
        </span>
      </div>
      <ProgressBar value={failed ? 1 : value} max={1} tone={done ? 'success' : failed ? 'danger' : undefined} label={`Progress of ${run.job}`} />
      {failed && run.error && <Alert>{run.error}</Alert>}
      {run.stats && Object.keys(run.stats).length > 0 && (done || failed) && <RunSummary stats={run.stats as ImportStats} />}
    </div>
  )
}
