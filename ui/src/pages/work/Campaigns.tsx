import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { formatDate, humanize } from '../../lib/format'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { Link, useLocation } from '../../lib/router'
import { Badge, Card, EmptyState, FilterBar, ListError, PageHead, Pagination, Select, Table, TextInput, useListState } from '../../ds'
import { CAMPAIGN_STATUSES } from '../../lib/vocabulary.gen'

export type Campaign = RecordModel & {
  name: string
  description: string
  status: string
  threat_actor: string
  owner: string
  start_at: string
  end_at: string
  blind: boolean
  round: number
  recurrence: string
  next_run_at: string
  parent: string
  tags?: string[] | null
  expand?: { threat_actor?: RecordModel & { name: string; attack_id: string }; attack_campaign?: RecordModel & { name: string; attack_id: string }; owner?: RecordModel & { name: string; email: string } }
}

export { CAMPAIGN_STATUSES }
export const statusTone = (s: string) => (s === 'active' ? 'info' : s === 'completed' ? 'success' : s === 'archived' ? 'default' : 'warning')

const PER_PAGE = 25

export default function CampaignsPage() {
  const me = useAuth()
  const { query } = useLocation()
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: '-created' })
  const [q, setQ] = useState(query.get('q') ?? '')
  const status = query.get('status') ?? ''
  const filter = [q && `name ~ ${esc(q)}`, status && `status = ${esc(status)}`].filter(Boolean).join(' && ')
  const list = useLoad(() => pb.collection('campaigns').getList<Campaign>(page, PER_PAGE, { filter, sort: `${sort},-created,id`, expand: 'threat_actor,owner' }), [filter, page, sort])
  // How many tests each listed campaign holds (one count query per row).
  const ids = (list.data?.items ?? []).map((c) => c.id).join(',')
  const counts = useLoad(
    () =>
      Promise.all(
        ids
          .split(',')
          .filter(Boolean)
          .map((id) => pb.collection('tests').getList(1, 1, { filter: `campaign = ${esc(id)}`, fields: 'id' }).then((r) => [id, r.totalItems] as const)),
      ).then((pairs) => Object.fromEntries(pairs) as Record<string, number>),
    [ids],
  )
  return (
    <div className="stack">
      <PageHead
        title="Campaigns"
        subtitle="Planned sets of tests: by hand, emulating a threat actor, or from an ATT&CK Navigator layer."
        actions={can(me?.role, 'plan_campaigns') && <Link className="btn primary" to="/campaigns/new">+ New campaign</Link>}
      />
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Name" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value || null }))} />
          <Select label="Status" placeholder="All" options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={status} onChange={(e) => setFilter({ status: e.target.value || null })} />
        </FilterBar>
        <ListError error={list.error} />
        <Table
          caption="Campaigns"
          columns={[
            {
              key: 'n',
              header: 'Campaign',
              sort: 'name',
              render: (c: Campaign) => (
                <div>
                  <b>{c.name}</b> {c.round > 1 && <Badge tone="outline">round {c.round}</Badge>} {c.blind && <Badge tone="outline">blind</Badge>} {c.recurrence && <Badge tone="outline">recurring</Badge>}
                  {(c.tags ?? []).filter((x) => x !== 'vectr').map((x) => (
                    <Badge key={x} tone="outline">{x}</Badge>
                  ))}
                  {c.description && <div className="faint small">{c.description.slice(0, 140)}</div>}
                </div>
              ),
            },
            { key: 't', header: 'Tests', width: 80, render: (c: Campaign) => <span data-testid="campaign-tests">{counts.data?.[c.id] ?? '…'}</span> },
            { key: 's', header: 'Status', sort: 'status', width: 120, render: (c: Campaign) => <Badge tone={statusTone(c.status)}>{humanize(c.status || 'planned')}</Badge> },
            { key: 'a', header: 'Threat actor', sort: 'threat_actor.name', width: 180, render: (c: Campaign) => c.expand?.threat_actor?.name ?? <span className="faint">—</span> },
            { key: 'd', header: 'Dates', sort: 'start_at', width: 220, render: (c: Campaign) => <span className="small muted">{c.start_at ? `${formatDate(c.start_at).slice(0, 10)} → ${c.end_at ? formatDate(c.end_at).slice(0, 10) : '…'}` : '—'}</span> },
          ]}
          rows={list.data?.items ?? []}
          rowKey={(c) => c.id}
          loading={list.loading}
          rowHref={(c) => `/campaigns/${c.id}`}
          sort={sort}
          onSort={setSort}
          empty={<EmptyState title="No campaigns yet">{can(me?.role, 'plan_campaigns') ? 'Plan one from a threat actor to start.' : 'A red lead plans campaigns.'}</EmptyState>}
        />
        <Pagination page={page} perPage={PER_PAGE} count={list.data?.items.length ?? 0} total={list.data?.totalItems} onPage={setPage} />
      </Card>
    </div>
  )
}
