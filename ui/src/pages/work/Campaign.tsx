import { api, errorMessage, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { formatDate, humanize } from '../../lib/format'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { Link, navigate } from '../../lib/router'
import { STATE_LABELS } from '../../lib/workflow'
import { Alert, Badge, Button, Card, EmptyState, PageHead, ProgressBar, Select, Spinner, Table, useToast } from '../../ds'
import { StackedBar } from '../../ds/charts'
import { CAMPAIGN_STATUSES, statusTone, type Campaign } from './Campaigns'
import { OutcomeBadges, StateBadge, TEST_EXPAND, type TestRecord } from './common'

type Progress = { total: number; done: number; percent: number; by_state: Record<string, number>; by_prevention: Record<string, number>; by_detection: Record<string, number>; findings_open: number }
const STATE_COLORS: Record<string, string> = { draft: '#c5ced9', ready: '#f2b78f', executing: '#e0782f', blue_review: '#6d8fe0', validated: '#2e8b57', closed: '#1d5a3a', cancelled: '#b3b3b3' }

export default function CampaignPage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const toast = useToast()
  const camp = useLoad(() => pb.collection('campaigns').getOne<Campaign>(params.id, { expand: 'threat_actor,owner,attack_campaign' }), [params.id])
  const progress = useLoad(() => api<Progress>(`/api/aegis/campaigns/${encodeURIComponent(params.id)}/progress`), [params.id])
  const tests = useLoad(() => pb.collection('tests').getFullList<TestRecord>({ filter: pb.filter('campaign = {:c}', { c: params.id }), sort: 'name', expand: TEST_EXPAND, batch: 500 }), [params.id])
  const c = camp.data
  const planner = can(me?.role, 'plan_campaigns')

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
          planner && (
            <>
              <Select aria-label="Status" options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={c.status || 'planned'} onChange={(e) => setStatus(e.target.value)} />
              {c.blind && <Button onClick={() => act('Tests revealed', `/api/aegis/campaigns/${c.id}/reveal`)}>Reveal all to blue</Button>}
              <Button onClick={() => act('Retest round planned', `/api/aegis/campaigns/${c.id}/retest`)}>Retest campaign</Button>
              <Link className="btn" to={`/board?campaign=${c.id}`}>Board</Link>
            </>
          )
        }
      />
      <div className="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(260px, 1fr)' }}>
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
              <StackedBar segments={Object.keys(STATE_COLORS).map((s) => ({ label: STATE_LABELS[s] ?? s, value: p.by_state?.[s] ?? 0, color: STATE_COLORS[s] }))} />
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
            <dd>{c.recurrence ? <code>{c.recurrence}</code> : '—'}</dd>
            <dt>Open findings</dt>
            <dd>{p?.findings_open ?? '—'}</dd>
          </dl>
        </Card>
      </div>
      <Card title={`Tests (${tests.data?.length ?? 0})`} flush>
        <Table
          columns={[
            { key: 'n', header: 'Test', render: (t: TestRecord) => <Link to={`/tests/${t.id}`}>{t.name}</Link> },
            { key: 't', header: 'Technique', render: (t: TestRecord) => (t.expand?.technique ? <span><code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}</span> : '—') },
            { key: 's', header: 'State', width: 120, render: (t: TestRecord) => <StateBadge state={t.state} /> },
            { key: 'o', header: 'Outcome', render: (t: TestRecord) => <OutcomeBadges t={t} /> },
          ]}
          rows={tests.data ?? []}
          rowKey={(t) => t.id}
          loading={tests.loading}
          empty={<EmptyState title="No tests in this campaign" />}
        />
      </Card>
    </div>
  )
}
