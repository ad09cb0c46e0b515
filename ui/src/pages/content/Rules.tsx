import { lazy, Suspense, useRef, useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, esc, errorMessage, pb } from '../../lib/pb'
import { useSubmit } from '../../lib/submit'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { asArray, humanize, relativeTime } from '../../lib/format'
import { navigate, useLocation } from '../../lib/router'
import { Alert, Badge, Button, Card, EmptyState, FilterBar, Icon, ListError, Modal, PageHead, Pagination, Select, Table, TextInput, useListState } from '../../ds'
import { RunProgress, useLiveRun, type JobRun } from '../admin/jobrun'
import { andFilter } from '../../lib/filter'
import { SEVERITIES, severityTone } from '../../lib/findings'
import type { Technique } from '../attack/common'

// The rule editor loads on demand.
const RuleEditor = lazy(() => import('../../components/RuleEditor'))

// Detection rules imported from Sigma and Elastic, mapped to techniques.

export type Rule = RecordModel & {
  source: string
  source_rule_id: string
  title: string
  description: string
  status: string
  severity: string
  techniques: string[]
  tactics: unknown
  platforms: unknown
  log_sources: unknown
  author: string
  references: unknown
  content: string
  path: string
  enabled: boolean
  removed: boolean
  unknown_techniques: unknown
  expand?: { techniques?: Technique[] }
}

const PER_PAGE = 50
const STATUSES = ['stable', 'test', 'experimental', 'production', 'deprecated', 'unsupported']
const yesNo = [
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
]

export type RuleQuery = { source?: string; technique?: string; status?: string; severity?: string; enabled?: string; removed?: string; q?: string }

/** ruleFilter builds the PocketBase filter of the rules list. */
export function ruleFilter(f: RuleQuery): string {
  const t = f.technique?.trim().toUpperCase()
  return andFilter([
    f.source && `source = ${esc(f.source)}`,
    t && `techniques.attack_id ?= ${esc(t)}`,
    f.status && `status = ${esc(f.status)}`,
    f.severity && `severity = ${esc(f.severity)}`,
    f.enabled && `enabled = ${f.enabled === 'true'}`,
    f.removed ? `removed = ${f.removed === 'true'}` : 'removed = false',
    f.q && `(title ~ ${esc(f.q)} || source_rule_id ~ ${esc(f.q)} || description ~ ${esc(f.q)})`,
  ])
}

export default function RulesPage() {
  const me = useAuth()
  const { query } = useLocation()
  const f: RuleQuery = Object.fromEntries(['source', 'technique', 'status', 'severity', 'enabled', 'removed', 'q'].map((k) => [k, query.get(k) ?? '']))
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: 'title' })
  const [q, setQ] = useState(f.q ?? '')
  const [upload, setUpload] = useState(false)
  const [writing, setWriting] = useState(false)
  const [selected, setSelected] = useState<string[]>([])
  const [bulkBusy, setBulkBusy] = useState(false)
  const [bulkMsg, setBulkMsg] = useState('')
  const manage = can(me?.role, 'manage_content')
  const filter = ruleFilter({ ...f, q })
  const list = useLoad(() => pb.collection('detection_rules').getList<Rule>(page, PER_PAGE, { filter, sort: sort + (sort.replace('-', '') === 'title' ? '' : ',title'), expand: 'techniques', fields: 'id,source,source_rule_id,title,status,severity,techniques,enabled,removed,updated,expand.techniques.attack_id,expand.techniques.name' }), [filter, page, sort])
  const items = list.data?.items ?? []
  const set = (k: string, v: string) => setFilter({ [k]: v })
  const setEnabled = async (ids: string[], enabled: boolean) => {
    setBulkBusy(true)
    setBulkMsg('')
    // Shown at once, put back if the server refuses.
    const before = new Map(items.filter((x) => ids.includes(x.id)).map((x) => [x.id, x.enabled]))
    list.set((cur) => cur && { ...cur, items: cur.items.map((x) => (ids.includes(x.id) ? { ...x, enabled } : x)) })
    try {
      const r = await api<{ updated: number }>('/api/aegis/rules/bulk', { method: 'POST', body: { ids, enabled } })
      setBulkMsg(`${r.updated} rule(s) ${enabled ? 'enabled' : 'disabled'}.`)
      setSelected([])
    } catch (err) {
      list.set((cur) => cur && { ...cur, items: cur.items.map((x) => (before.has(x.id) ? { ...x, enabled: before.get(x.id)! } : x)) })
      setBulkMsg(errorMessage(err))
    } finally {
      setBulkBusy(false)
    }
  }
  const allOnPage = items.length > 0 && items.every((r) => selected.includes(r.id))
  return (
    <div className="stack">
      <PageHead
        title="Detection rules"
        subtitle="Sigma and Elastic rules mapped to ATT&CK techniques. Enabled rules count towards coverage."
        actions={
          manage && (
            <>
              <Button onClick={() => setWriting(true)} data-testid="new-rule">
                New rule
              </Button>
              <Button variant="primary" onClick={() => setUpload(true)}>
                Upload rules
              </Button>
            </>
          )
        }
      />
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Title or rule id" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value }))} />
          <TextInput label="Technique" placeholder="T1059.001" value={f.technique} onChange={(e) => set('technique', e.target.value)} />
          <Select label="Source" placeholder="All" options={['sigma', 'elastic', 'splunk', 'custom'].map((s) => ({ value: s, label: humanize(s) }))} value={f.source} onChange={(e) => set('source', e.target.value)} />
          <Select label="Status" placeholder="All" options={STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={f.status} onChange={(e) => set('status', e.target.value)} />
          <Select label="Severity" placeholder="All" options={SEVERITIES.map((s) => ({ value: s, label: humanize(s) }))} value={f.severity} onChange={(e) => set('severity', e.target.value)} />
          <Select label="Enabled" placeholder="Any" options={yesNo} value={f.enabled} onChange={(e) => set('enabled', e.target.value)} />
          <Select label="Removed upstream" placeholder="No" options={[{ value: 'true', label: 'Yes' }]} value={f.removed} onChange={(e) => set('removed', e.target.value)} />
        </FilterBar>
        {manage && (selected.length > 0 || bulkMsg) && (
          <div className="row bulk-bar" data-testid="rules-bulk-bar">
            {selected.length > 0 && (
              <>
                <b>{selected.length} selected</b>
                <Button size="small" variant="primary" busy={bulkBusy} onClick={() => setEnabled(selected, true)} data-testid="bulk-enable">
                  Enable
                </Button>
                <Button size="small" busy={bulkBusy} onClick={() => setEnabled(selected, false)} data-testid="bulk-disable">
                  Disable
                </Button>
                <Button size="small" variant="ghost" onClick={() => setSelected([])}>
                  Clear selection
                </Button>
              </>
            )}
            {bulkMsg && <span className="muted small">{bulkMsg}</span>}
          </div>
        )}
        <ListError error={list.error} />
        <Table
          caption="Detection rules"
          columns={[
            ...(manage
              ? [
                  {
                    key: 'sel',
                    control: true,
                    width: 32,
                    header: <input type="checkbox" aria-label="Select the rules of this page" checked={allOnPage} onChange={() => setSelected((s) => (allOnPage ? s.filter((id) => !items.some((r) => r.id === id)) : [...new Set([...s, ...items.map((r) => r.id)])]))} />,
                    render: (r: Rule) => <input type="checkbox" aria-label={`Select ${r.title}`} checked={selected.includes(r.id)} onClick={(e) => e.stopPropagation()} onChange={() => setSelected((s) => (s.includes(r.id) ? s.filter((x) => x !== r.id) : [...s, r.id]))} />,
                  },
                ]
              : []),
            { key: 'n', header: 'Rule', sort: 'title', render: (r: Rule) => <b>{r.title}</b> },
            { key: 's', header: 'Source', sort: 'source', width: 80, render: (r: Rule) => <Badge>{humanize(r.source)}</Badge> },
            { key: 't', header: 'Techniques', render: (r: Rule) => <span className="small">{(r.expand?.techniques ?? []).map((t) => t.attack_id).join(', ') || <span className="faint">—</span>}</span> },
            { key: 'st', header: 'Status', sort: 'status', width: 100, render: (r: Rule) => <span className="small">{r.status || '—'}</span> },
            { key: 'v', header: 'Severity', sort: 'severity', width: 100, render: (r: Rule) => (r.severity ? <Badge tone={severityTone(r.severity)}>{humanize(r.severity)}</Badge> : '—') },
            {
              key: 'e',
              header: 'Enabled',
              sort: 'enabled',
              width: 90,
              render: (r: Rule) =>
                manage ? (
                  <label className="checkbox" onClick={(e) => e.stopPropagation()}>
                    <input type="checkbox" role="switch" aria-label={`Enabled: ${r.title}`} checked={r.enabled} onChange={(e) => setEnabled([r.id], e.target.checked)} /> {r.enabled ? 'On' : 'Off'}
                  </label>
                ) : r.enabled ? (
                  <Badge tone="success">Enabled</Badge>
                ) : (
                  <span className="faint small">Off</span>
                ),
            },
            { key: 'u', header: 'Updated', sort: 'updated', width: 110, render: (r: Rule) => <span className="faint small">{relativeTime(r.updated)}</span> },
          ]}
          rows={items}
          rowKey={(r) => r.id}
          loading={list.loading}
          rowHref={(r) => `/rules/${r.id}`}
          sort={sort}
          onSort={setSort}
          empty={
            <EmptyState icon={<Icon name="layers" size={28} />} title={filter !== 'removed = false' ? 'No rules match' : 'No detection rules yet'}>
              {filter !== 'removed = false' ? 'Try other filters.' : 'Upload a Sigma or Elastic rules archive to start.'}
            </EmptyState>
          }
        />
        <Pagination page={page} perPage={PER_PAGE} count={items.length} total={list.data?.totalItems} onPage={setPage} />
      </Card>
      <UnknownTechniques />
      {upload && <UploadRules onClose={() => setUpload(false)} onDone={list.reload} />}
      <Suspense fallback={null}>{writing && <RuleEditor onClose={() => setWriting(false)} onSaved={(id) => navigate(`/rules/${id}`)} />}</Suspense>
    </div>
  )
}

type UnknownReport = {
  ids: { attack_id: string; rules: number; pending: number }[]
  rules: { id: string; title: string; source: string; unknown: string[] }[]
  rule_count: number
  deprecated: { id: string; title: string; source: string; techniques: string }[]
  pending: Record<string, number>
  deprecated_other?: Record<string, number>
}

/** UnknownTechniques lists rules naming ATT&CK ids the catalogue lacks; they map when an import brings the ids. */
function UnknownTechniques() {
  const [open, setOpen] = useState(false)
  const rep = useLoad(() => api<UnknownReport>('/api/aegis/content/unknown-techniques?limit=100'), [])
  const d = rep.data
  if (!d || (d.rule_count === 0 && d.ids.length === 0 && d.deprecated.length === 0 && Object.keys(d.deprecated_other ?? {}).length === 0)) return null
  const pending = Object.values(d.pending).reduce((a, b) => a + b, 0)
  return (
    <Card title="Rules naming techniques your catalogue does not have (newer ATT&CK?)">
      <div className="stack" data-testid="unknown-techniques">
        <p className="small">
          {d.rule_count} {d.rule_count === 1 ? 'rule names' : 'rules name'} {d.ids.length} ATT&CK id{d.ids.length === 1 ? '' : 's'} that the imported catalogue lacks
          {pending > 0 && <>; {pending} mapping{pending === 1 ? '' : 's'} or planned test{pending === 1 ? '' : 's'} wait for them</>}. They stay recorded and map
          as soon as an ATT&CK import brings the ids (its release changelog says how many resolved).
        </p>
        <div className="small">
          {d.ids.slice(0, 30).map((x) => (
            <span key={x.attack_id} className="mr-8">
              <Badge>{x.attack_id}</Badge> {x.rules > 0 && `${x.rules} rule${x.rules === 1 ? '' : 's'}`}
              {x.pending > 0 && ` ${x.pending} pending`}
            </span>
          ))}
          {d.ids.length > 30 && <span className="faint">and {d.ids.length - 30} more</span>}
        </div>
        <div>
          <Button onClick={() => setOpen(!open)}>{open ? 'Hide rules' : 'Show rules'}</Button>
        </div>
        {open && (
          <Table
            caption="Rules naming unknown techniques"
            columns={[
              { key: 'n', header: 'Rule', render: (r: UnknownReport['rules'][number]) => <b>{r.title}</b> },
              { key: 's', header: 'Source', width: 80, render: (r: UnknownReport['rules'][number]) => <Badge>{humanize(r.source)}</Badge> },
              { key: 'u', header: 'Unknown ids', render: (r: UnknownReport['rules'][number]) => <span className="small">{r.unknown.join(', ')}</span> },
            ]}
            rows={d.rules}
            rowKey={(r) => r.id}
            onRowClick={(r) => navigate(`/rules/${r.id}`)}
          />
        )}
        {d.deprecated.length > 0 && (
          <p className="small">
            <Badge tone="warning">Deprecated</Badge> {d.deprecated.length} rule{d.deprecated.length === 1 ? '' : 's'} map to techniques ATT&CK deprecated
            ({d.deprecated.slice(0, 5).map((r) => `${r.title} (${r.techniques})`).join('; ')}
            {d.deprecated.length > 5 ? '; …' : ''}): they still count, review them.
          </p>
        )}
        {Object.keys(d.deprecated_other ?? {}).length > 0 && (
          <p className="small faint">
            Also on deprecated techniques:{' '}
            {Object.entries(d.deprecated_other ?? {})
              .map(([k, n]) => `${n} ${humanize(k)}`)
              .join(', ')}
            .
          </p>
        )}
      </div>
    </Card>
  )
}

function UploadRules({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const [kind, setKind] = useState('sigma')
  const { busy, error, setError, run: send } = useSubmit()
  const [started, setStarted] = useState<JobRun | null>(null)
  const run = useLiveRun(started)
  const file = useRef<HTMLInputElement>(null)
  const finished = run?.status === 'succeeded' || run?.status === 'failed'
  const submit = () => {
    const f = file.current?.files?.[0]
    if (!f) return setError('Choose a file first.')
    void send(async () => {
      const form = new FormData()
      form.append('file', f)
      const r = await api<{ job_run: JobRun }>(`/api/aegis/import/${kind}`, { form })
      setStarted(r.job_run)
    })
  }
  const close = () => {
    if (finished) onDone()
    onClose()
  }
  return (
    <Modal
      title="Upload detection rules"
      onClose={close}
      footer={
        <>
          <Button onClick={close}>{finished ? 'Done' : 'Close'}</Button>
          {!started && (
            <Button variant="primary" busy={busy} onClick={submit}>
              Upload and import
            </Button>
          )}
        </>
      }
    >
      <div className="stack">
        {error && <Alert>{error}</Alert>}
        <Select label="Format" options={[{ value: 'sigma', label: 'Sigma (YAML)' }, { value: 'elastic', label: 'Elastic (TOML)' }]} value={kind} onChange={(e) => setKind(e.target.value)} disabled={!!started} />
        <div className="field">
          <label htmlFor="rules-file">File or archive</label>
          <input id="rules-file" ref={file} type="file" className="input" accept=".yml,.yaml,.toml,.zip,.tar,.gz,.tgz,.zst" disabled={!!started} />
          <span className="hint">A rule file, or a zip / tar / tar.gz / tar.zst archive of rules. Runs in the background.</span>
        </div>
        {run && <RunProgress run={run} />}
      </div>
    </Modal>
  )
}

export function techniqueIds(r: Pick<Rule, 'expand'>): string[] {
  return (r.expand?.techniques ?? []).map((t) => t.attack_id).sort()
}

export function unknownTechniques(r: Pick<Rule, 'unknown_techniques'>): string[] {
  return asArray<string>(r.unknown_techniques)
}
