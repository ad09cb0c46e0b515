import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, pb } from '../../lib/pb'
import { hasMore, useLoad } from '../../lib/data'
import { applyEvent, useSubscription } from '../../lib/live'
import { useSubmit } from '../../lib/submit'
import { formatDate, humanize, relativeTime } from '../../lib/format'
import { useLocation } from '../../lib/router'
import { Alert, Badge, Button, Card, Checkbox, EmptyState, ListError, Modal, PageHead, Pagination, Select, Table, TextInput, useAction, useToast } from '../../ds'
import { RunProgress, runDuration, StatusBadge, useLiveRun, type JobRun } from './jobrun'
import { RunSummary } from '../../components/RunSummary'
import { summarizeRun, type ImportStats } from '../../components/runSummary'
import { cronHelp } from '../../components/cron'

// The source editor loads on demand.
import { IMPORT_KIND_LABELS } from '../../components/importKinds'
const IntegrationForm = lazy(() => import('../../components/IntegrationForm'))

// Integrations & jobs: upload a file to any importer and watch it run live,
// manage the sync sources, run jobs now, and read the run history.

type Integration = RecordModel & {
  kind: string
  name: string
  enabled: boolean
  source: { spec?: string; collection?: string; username?: string; token_set?: boolean; password_set?: boolean; alternatives?: { spec: string; note?: string }[] } | null
  schedule: string
  last_sync_at: string
  last_status: string
  last_sync_stats: Record<string, unknown> | null
  last_error: string
}
type Job = { name: string; title?: string; schedule?: string; next_run?: string; enabled?: boolean; integration?: string; kind?: string; running?: JobRun | null; last_runs?: JobRun[] }

const IMPORT_KINDS = ['attack', 'sigma', 'elastic', 'atomic', 'caldera', 'd3fend', 'compliance', 'navigator', 'intel', 'vectr', 'vectr-bundle', 'atomic-log', 'dettect']

/** jobsFrom accepts the jobs list as an array or wrapped in {items} / {jobs}. */
export function jobsFrom(v: unknown): Job[] {
  if (Array.isArray(v)) return v as Job[]
  const o = (v ?? {}) as Record<string, unknown>
  return (Array.isArray(o.items) ? o.items : Array.isArray(o.jobs) ? o.jobs : []) as Job[]
}

/** lastRun is the run to show for a job: the one in progress, else the newest. */
export function lastRun(j: Job): JobRun | null {
  return j.running ?? j.last_runs?.[0] ?? null
}

export default function IntegrationsPage() {
  const { query } = useLocation()
  const toast = useToast()
  const [active, setActive] = useState<JobRun | null>(null)
  const live = useLiveRun(active)
  const [histPage, setHistPage] = useState(1)
  const [detail, setDetail] = useState<JobRun | null>(null)
  const uploadRef = useRef<HTMLDivElement>(null)
  const [editing, setEditing] = useState<Integration | 'new' | null>(null)

  const integrations = useLoad(() => pb.collection('integrations').getFullList<Integration>({ sort: 'kind,name' }), [])
  const jobs = useLoad(() => api<unknown>('/api/aegis/jobs').then(jobsFrom), [])
  const history = useLoad(() => pb.collection('job_runs').getList<JobRun>(histPage, 15, { sort: '-started_at,-created', skipTotal: true }), [histPage])

  // Run history is live: new runs appear, running ones update in place.
  useSubscription<JobRun>('job_runs', '*', (e) => history.set((cur) => cur && { ...cur, items: applyEvent(cur.items, e, { add: histPage === 1, limit: 15 }) }))

  useEffect(() => {
    if (live && (live.status === 'succeeded' || live.status === 'failed')) {
      integrations.reload()
      jobs.reload()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live?.status])

  useEffect(() => {
    if (query.get('action') === 'upload') uploadRef.current?.scrollIntoView()
  }, [query])

  const { busy, run } = useAction()
  const runJob = (name: string) =>
    run(`run:${name}`, `Could not run ${name}`, async () => {
      const r = await api<{ job_run: JobRun }>(`/api/aegis/jobs/${encodeURIComponent(name)}/run`, { method: 'POST', body: {} })
      if (r?.job_run) setActive(r.job_run)
      toast.push({ title: `${name} started`, tone: 'success' })
      jobs.reload()
    })

  const patch = (i: Integration, body: Partial<Integration>) =>
    run(`patch:${i.id}`, 'Could not update the integration', async () => {
      const r = await pb.collection('integrations').update<Integration>(i.id, body)
      integrations.set((cur) => cur && cur.map((x) => (x.id === r.id ? r : x)))
    })

  // "Sync now" runs once whether or not the source is enabled; "Enabled"
  // only decides whether the schedule runs it.
  const syncNow = (i: Integration) =>
    run(`sync:${i.id}`, `Could not sync ${i.name}`, async () => {
      const r = await api<{ job_run: JobRun }>(`/api/aegis/integrations/${encodeURIComponent(i.id)}/sync`, { method: 'POST', body: {} })
      if (r?.job_run) setActive(r.job_run)
      toast.push({ title: `Sync of ${i.name} started`, tone: 'success' })
      jobs.reload()
    })

  const remove = (i: Integration) =>
    window.confirm(`Delete the source ${i.name}? Its run history stays.`) &&
    run(`delete:${i.id}`, `Could not delete ${i.name}`, async () => {
      await pb.collection('integrations').delete(i.id)
      integrations.set((cur) => cur && cur.filter((x) => x.id !== i.id))
      jobs.reload()
    })

  const jobList = jobs.data ?? []
  return (
    <div className="stack">
      <PageHead title="Integrations & jobs" subtitle="Where Aegis gets its data, what runs on a schedule, and how each run went." />
      {query.get('action') === 'sync' && (
        <Alert tone="info">Choose the MITRE ATT&amp;CK source to use and press “Sync now”. The sync needs internet access to GitHub or MITRE’s TAXII server.</Alert>
      )}
      <div className="grid-2">
        <div ref={uploadRef}>
          <UploadCard onStarted={setActive} initialKind={query.get('kind') ?? 'attack'} />
        </div>
        <Card title="Current run">
          {live ? <RunProgress run={live} /> : <EmptyState icon="⟳" title="Nothing running">Upload a file or press “Sync now” / “Run now” to follow a run here live.</EmptyState>}
        </Card>
      </div>

      <Suspense fallback={null}>
        {editing && (
          <IntegrationForm
            initial={editing === 'new' ? null : editing}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null)
              integrations.reload()
              jobs.reload()
              toast.push({ title: 'Source saved', tone: 'success' })
            }}
          />
        )}
      </Suspense>
      <Card
        title="Sources"
        flush
        actions={
          <Button variant="primary" size="small" onClick={() => setEditing('new')} data-testid="add-source">
            Add a source
          </Button>
        }
      >
        <ListError error={integrations.error} />
        <Table
          caption="Integrations"
          columns={[
            {
              key: 'n',
              header: 'Source',
              render: (i: Integration) => (
                <div>
                  <b>{i.name}</b> <Badge tone="outline">{humanize(i.kind)}</Badge>
                  <div className="faint small mono break-all">
                    {i.source?.spec ?? '—'} {i.source?.token_set && <Badge tone="outline">token stored</Badge>}
                  </div>
                </div>
              ),
            },
            { key: 'e', header: 'Enabled', width: 90, render: (i: Integration) => <Checkbox label={<span className="sr-only">Enabled</span>} checked={i.enabled} onChange={(e) => patch(i, { enabled: e.target.checked })} /> },
            {
              key: 's',
              header: 'Schedule',
              width: 150,
              render: (i: Integration) => (
                <div>
                  <code>{i.schedule || 'default (daily)'}</code>
                  {i.schedule && <div className="faint small">{cronHelp(i.schedule).text}</div>}
                </div>
              ),
            },
            {
              key: 'l',
              header: 'Last sync',
              width: 220,
              render: (i: Integration) =>
                i.last_sync_at ? (
                  <div>
                    <StatusBadge status={i.last_status} /> <span className="faint small">{relativeTime(i.last_sync_at)}</span>
                    {i.last_error ? <div className="small text-danger">{i.last_error.slice(0, 140)}</div> : <div className="small">{summarizeRun(i.last_sync_stats as ImportStats)}</div>}
                  </div>
                ) : (
                  <span className="faint">never</span>
                ),
            },
            {
              key: 'a',
              header: '',
              width: 230,
              render: (i: Integration) => (
                <span className="row tight">
                  <Button size="small" busy={busy === `sync:${i.id}`} onClick={() => syncNow(i)}>
                    Sync now
                  </Button>
                  <Button size="small" variant="ghost" onClick={() => setEditing(i)}>
                    Edit
                  </Button>
                  <Button size="small" variant="ghost" onClick={() => remove(i)}>
                    Delete
                  </Button>
                </span>
              ),
            },
          ]}
          rows={integrations.data ?? []}
          rowKey={(i) => i.id}
          loading={integrations.loading}
          empty={<EmptyState title="No sources configured" />}
        />
      </Card>

      <Card title="Jobs" flush>
        {jobs.error && (
          <div className="pad">
            <Alert tone="warning">The job list is not available from this server: {jobs.error}</Alert>
          </div>
        )}
        {!jobs.error && (
          <Table
            caption="Jobs"
            columns={[
              {
                key: 'n',
                header: 'Job',
                render: (j: Job) => (
                  <div>
                    <b>{j.title || j.name}</b> {j.enabled === false && <Badge tone="outline">disabled</Badge>}
                    <div className="faint small mono">{j.name}</div>
                  </div>
                ),
              },
              {
                key: 's',
                header: 'Schedule',
                width: 200,
                render: (j: Job) => (
                  <div>
                    <code>{j.schedule || 'on demand'}</code>
                    {j.next_run && j.enabled !== false && <div className="faint small">next {relativeTime(j.next_run)}</div>}
                  </div>
                ),
              },
              {
                key: 'l',
                header: 'Last run',
                width: 240,
                render: (j: Job) =>
                  lastRun(j) ? (
                    <button className="btn ghost small" onClick={() => setDetail(lastRun(j))}>
                      <StatusBadge status={lastRun(j)!.status} /> <span className="faint small">{relativeTime(lastRun(j)!.started_at)}</span>
                    </button>
                  ) : (
                    <span className="faint">never</span>
                  ),
              },
              {
                key: 'a',
                header: '',
                width: 110,
                render: (j: Job) => (
                  <Button size="small" busy={busy === `run:${j.name}`} onClick={() => runJob(j.name)} disabled={!!j.running}>
                    {j.running ? 'Running…' : 'Run now'}
                  </Button>
                ),
              },
            ]}
            rows={jobList}
            rowKey={(j) => j.name}
            loading={jobs.loading}
            empty={<EmptyState title="No jobs registered" />}
          />
        )}
      </Card>

      <Card title="Run history" flush>
        <ListError error={history.error} />
        <Table
          caption="Job runs"
          columns={[
            { key: 'j', header: 'Job', render: (r: JobRun) => <span className="mono">{r.job}</span> },
            { key: 's', header: 'Status', width: 130, render: (r: JobRun) => <StatusBadge status={r.status} /> },
            { key: 't', header: 'Trigger', width: 100, render: (r: JobRun) => humanize(r.trigger) },
            { key: 'st', header: 'Started', width: 190, render: (r: JobRun) => <span title={formatDate(r.started_at)}>{relativeTime(r.started_at || r.created)}</span> },
            { key: 'd', header: 'Duration', width: 100, render: (r: JobRun) => runDuration(r) },
            { key: 'a', header: 'Attempt', width: 80, render: (r: JobRun) => r.attempt || 1 },
            { key: 'e', header: 'Result', render: (r: JobRun) => (r.error ? <span className="text-danger">{r.error.slice(0, 120)}</span> : <span className="small">{summarizeRun(r.stats as ImportStats)}</span>) },
          ]}
          rows={history.data?.items ?? []}
          rowKey={(r) => r.id}
          loading={history.loading}
          onRowClick={setDetail}
          empty={<EmptyState title="No runs yet" />}
        />
        <Pagination page={histPage} perPage={15} count={history.data?.items.length ?? 0} hasMore={hasMore(history.data?.items.length ?? 0, 15)} onPage={setHistPage} />
      </Card>
      {detail && (
        <Modal title={`${detail.job} · ${humanize(detail.status)}`} onClose={() => setDetail(null)} wide>
          <div className="stack">
            <dl className="kv">
              <dt>Started</dt>
              <dd>{formatDate(detail.started_at)}</dd>
              <dt>Finished</dt>
              <dd>{formatDate(detail.finished_at)}</dd>
              <dt>Duration</dt>
              <dd>{runDuration(detail)}</dd>
              <dt>Trigger</dt>
              <dd>{humanize(detail.trigger)}</dd>
              <dt>Attempt</dt>
              <dd>{detail.attempt || 1}</dd>
            </dl>
            {detail.error && <Alert>{detail.error}</Alert>}
            {detail.stats && <RunSummary stats={detail.stats as ImportStats} />}
          </div>
        </Modal>
      )}
    </div>
  )
}

function UploadCard({ onStarted, initialKind }: { onStarted: (r: JobRun) => void; initialKind: string }) {
  const [kind, setKind] = useState(IMPORT_KINDS.includes(initialKind) ? initialKind : 'attack')
  const [file, setFile] = useState<File | null>(null)
  const { busy, error, run } = useSubmit()
  const [sent, setSent] = useState(0)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!file) return
    void run(async () => {
      const form = new FormData()
      form.append('file', file)
      setSent(file.size)
      const r = await api<{ job_run: JobRun }>(`/api/aegis/import/${kind}`, { form })
      if (r?.job_run) onStarted(r.job_run)
    })
  }
  return (
    <Card title="Upload a file">
      <form className="stack" onSubmit={submit}>
        {error && <Alert>{error}</Alert>}
        <Select label="What is it?" name="kind" options={IMPORT_KINDS.map((k) => ({ value: k, label: IMPORT_KIND_LABELS[k] ?? k }))} value={kind} onChange={(e) => setKind(e.target.value)} />
        <TextInput
          label="File"
          name="file"
          type="file"
          hint="JSON, YAML, TOML, CSV, or a .zip / .tar.gz / .tar.zst archive of them."
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <div className="row">
          <Button type="submit" variant="primary" busy={busy} disabled={!file}>
            Upload and import
          </Button>
          {busy && <span className="faint small">Sending {(sent / 1048576).toFixed(1)} MB…</span>}
        </div>
      </form>
    </Card>
  )
}
