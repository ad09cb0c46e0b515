import { lazy, Suspense, useState } from 'react'
import { api, errorMessage, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { formatDate, humanize } from '../../lib/format'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { Link, navigate } from '../../lib/router'
import { S, STATE_COLORS, STATE_LABELS, STATES } from '../../lib/workflow'
import { Alert, Badge, Button, Card, EmptyState, PageHead, Pagination, ProgressBar, Select, Spinner, Table, useToast } from '../../ds'
import { StackedBar } from '../../ds/charts'
import { fetchBlob, saveBlob } from '../../lib/files'
import { CAMPAIGN_STATUSES, statusTone, type Campaign } from './Campaigns'
import { OutcomeBadges, StateBadge, type TestRecord } from './common'
import { Markdown } from '../../components/Markdown'
import { asArray } from '../../lib/format'
import { cronHelp } from '../../components/cron'

// The editors load on demand so the initial download stays small.
const EditCampaign = lazy(() => import('./CampaignEditor').then((m) => ({ default: m.EditCampaign })))
const AddTests = lazy(() => import('./CampaignEditor').then((m) => ({ default: m.AddTests })))

type Progress = { total: number; done: number; percent: number; by_state: Record<string, number>; by_prevention: Record<string, number>; by_detection: Record<string, number>; findings_open: number }

/** CAMPAIGN_TESTS_PAGE is the tests table's page; CAMPAIGN_TEST_FIELDS what its columns show. */
export const CAMPAIGN_TESTS_PAGE = 50
export const CAMPAIGN_TEST_FIELDS = 'id,name,technique,technique_attack_id,state,prevention,detection,expand.technique.attack_id,expand.technique.name'

export default function CampaignPage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const toast = useToast()
  const camp = useLoad(() => pb.collection('campaigns').getOne<Campaign>(params.id, { expand: 'threat_actor,owner,attack_campaign' }), [params.id])
  const progress = useLoad(() => api<Progress>(`/api/aegis/campaigns/${encodeURIComponent(params.id)}/progress`), [params.id])
  // The tests table: one page at a time, with the fields its columns show.
  const [page, setPage] = useState(1)
  const testFilter = pb.filter('campaign = {:c}', { c: params.id })
  const tests = useLoad(() => pb.collection('tests').getList<TestRecord>(page, CAMPAIGN_TESTS_PAGE, { filter: testFilter, sort: 'name', expand: 'technique', fields: CAMPAIGN_TEST_FIELDS }), [testFilter, page])
  const c = camp.data
  const planner = can(me?.role, 'plan_campaigns')
  const [editing, setEditing] = useState(false)
  const [adding, setAdding] = useState(false)
  const [busy, setBusy] = useState(false)
  const clone = async () => {
    if (!c) return
    setBusy(true)
    try {
      const { cloneCampaign } = await import('./CampaignEditor')
      const ids = (await pb.collection('tests').getFullList<{ id: string }>({ filter: testFilter, sort: 'name', fields: 'id', batch: 1000 })).map((t) => t.id)
      const id = await cloneCampaign(c, ids)
      toast.push({ title: 'Campaign cloned', body: `${ids.length} draft test(s) copied`, tone: 'success' })
      navigate(`/campaigns/${id}`)
    } catch (err) {
      toast.push({ title: 'Clone failed', body: errorMessage(err), tone: 'error' })
    } finally {
      setBusy(false)
    }
  }
  const removeTest = async (t: TestRecord) => {
    if (!window.confirm(`Remove the draft ${t.name} from this campaign?`)) return
    try {
      await pb.collection('tests').delete(t.id)
      tests.reload()
      progress.reload()
    } catch (err) {
      toast.push({ title: 'Could not remove the test', body: errorMessage(err), tone: 'error' })
    }
  }

  const act = async (what: string, path: string, body: unknown = {}) => {
    try {
      const r = await api<{ campaign?: { id: string }; revealed?: number }>(path, { method: 'POST', body })
      toast.push({ title: what, tone: 'success', body: r?.revealed !== undefined ? `${r.revealed} test(s) revealed` : undefined })
      if (r?.campaign?.id && r.campaign.id !== params.id) navigate(`/campaigns/${r.campaign.id}`)
      else {
        tests.reload()
        progress.reload()
      }
    } catch (err) {
      toast.push({ title: `${what} failed`, body: errorMessage(err), tone: 'error' })
    }
  }
  const exportVectr = async () => {
    try {
      saveBlob(await fetchBlob(`/api/aegis/export/vectr-bundle.json?campaign=${encodeURIComponent(params.id)}`), 'aegis-vectr-bundle.json')
    } catch (err) {
      toast.push({ title: 'VECTR export failed', body: errorMessage(err), tone: 'error' })
    }
  }
  const setStatus = async (status: string) => {
    try {
      camp.set(await pb.collection('campaigns').update<Campaign>(params.id, { status }, { expand: 'threat_actor,owner,attack_campaign' }))
    } catch (err) {
      toast.push({ title: 'Could not change the status', body: errorMessage(err), tone: 'error' })
    }
  }

  if (camp.loading && !c) return <Spinner />
  if (camp.error) return <Alert>{camp.error}</Alert>
  if (!c) return null
  const p = progress.data
  return (
    <div className="stack">
      <div className="faint small">
        <Link to="/campaigns">Campaigns</Link> / {c.name}
      </div>
      <PageHead
        title={c.name}
        subtitle={
          <span className="row">
            <Badge tone={statusTone(c.status)}>{humanize(c.status || 'planned')}</Badge>
            {c.round > 0 && <Badge tone="outline">round {c.round}</Badge>}
            {c.blind && <Badge tone="outline">blind</Badge>}
            {c.expand?.threat_actor && <Link to={`/actors/${c.expand.threat_actor.id}`}>{c.expand.threat_actor.name}</Link>}
            {c.expand?.attack_campaign && (
              <Link to={`/attack-campaigns/${c.expand.attack_campaign.id}`}>
                emulates {c.expand.attack_campaign.attack_id} {c.expand.attack_campaign.name}
              </Link>
            )}
          </span>
        }
        actions={
          <>
            {planner && (
              <>
                <Button variant="primary" onClick={() => setAdding(true)} data-testid="add-tests">
                  Add tests
                </Button>
                <Button onClick={() => setEditing(true)} data-testid="edit-campaign">
                  Edit
                </Button>
                <Button onClick={clone} busy={busy}>
                  Clone
                </Button>
                {c.status !== 'archived' && <Button onClick={() => setStatus('archived')}>Archive</Button>}
                <Select aria-label="Status" options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={c.status || 'planned'} onChange={(e) => setStatus(e.target.value)} />
                {c.blind && <Button onClick={() => act('Tests revealed', `/api/aegis/campaigns/${c.id}/reveal`)}>Reveal all to blue</Button>}
                <Button onClick={() => act('Retest round planned', `/api/aegis/campaigns/${c.id}/retest`)}>Retest campaign</Button>
                <Link className="btn" to={`/board?campaign=${c.id}`}>Board</Link>
              </>
            )}
            <Button onClick={exportVectr}>Export to VECTR</Button>
          </>
        }
      />
      <Suspense fallback={null}>
        {editing && <EditCampaign c={c} onClose={() => setEditing(false)} onSaved={(n) => (camp.set(n), setEditing(false), toast.push({ title: 'Campaign saved', tone: 'success' }))} />}
        {adding && <AddTests c={c} onClose={() => setAdding(false)} onAdded={() => (tests.reload(), progress.reload())} />}
      </Suspense>
      {c.description && (
        <Card title="Description">
          <Markdown text={c.description} />
        </Card>
      )}
      <div className="grid-2 main-side narrow-side">
        <Card title="Progress">
          {progress.error && <Alert>{progress.error}</Alert>}
          {p && (
            <div className="stack">
              <div className="row between">
                <b>
                  {p.done} of {p.total} tests done
                </b>
                <span className="faint">{Math.round(p.percent)}%</span>
              </div>
              <ProgressBar value={p.percent} tone={p.percent >= 100 ? 'success' : undefined} label="Campaign progress" />
              <StackedBar segments={STATES.map((s) => ({ label: STATE_LABELS[s] ?? s, value: p.by_state?.[s] ?? 0, color: STATE_COLORS[s] }))} />
            </div>
          )}
        </Card>
        <Card title="Details">
          <dl className="kv">
            <dt>Owner</dt>
            <dd>{c.expand?.owner ? c.expand.owner.name || c.expand.owner.email : '—'}</dd>
            <dt>Start</dt>
            <dd>{formatDate(c.start_at)}</dd>
            <dt>End</dt>
            <dd>{formatDate(c.end_at)}</dd>
            <dt>Recurrence</dt>
            <dd data-testid="campaign-recurrence">
              {c.recurrence ? (
                <>
                  <code>{c.recurrence}</code> <span className="small">{cronHelp(c.recurrence).text}</span>
                </>
              ) : (
                '—'
              )}
            </dd>
            <dt>Platforms</dt>
            <dd>{asArray<string>((c as unknown as { platforms?: unknown }).platforms).join(', ') || 'Any'}</dd>
            <dt>Tags</dt>
            <dd>{asArray<string>((c as unknown as { tags?: unknown }).tags).join(', ') || '—'}</dd>
            <dt>Open findings</dt>
            <dd>{p?.findings_open ?? '—'}</dd>
          </dl>
        </Card>
      </div>
      <Card title={`Tests (${tests.data?.totalItems ?? 0})`} flush>
        <Table
          columns={[
            { key: 'n', header: 'Test', render: (t: TestRecord) => <Link to={`/tests/${t.id}`}>{t.name}</Link> },
            { key: 't', header: 'Technique', render: (t: TestRecord) => (t.expand?.technique ? <span><code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}</span> : t.technique_attack_id ? <span title="Not in the ATT&CK catalogue yet"><code>{t.technique_attack_id}</code> <span className="faint">not in catalogue</span></span> : '—') },
            { key: 's', header: 'State', width: 120, render: (t: TestRecord) => <StateBadge state={t.state} /> },
            { key: 'o', header: 'Outcome', render: (t: TestRecord) => <OutcomeBadges t={t} /> },
            ...(planner
              ? [
                  {
                    key: 'x',
                    header: '',
                    width: 90,
                    render: (t: TestRecord) =>
                      t.state === S.draft ? (
                        <Button size="small" variant="ghost" onClick={() => removeTest(t)}>
                          Remove
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
          rows={tests.data?.items ?? []}
          rowKey={(t) => t.id}
          loading={tests.loading}
          empty={<EmptyState title="No tests in this campaign" />}
        />
        {(tests.data?.totalItems ?? 0) > CAMPAIGN_TESTS_PAGE && <Pagination page={page} perPage={CAMPAIGN_TESTS_PAGE} count={tests.data?.items.length ?? 0} total={tests.data?.totalItems} onPage={setPage} />}
      </Card>
    </div>
  )
}
