import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { asArray } from '../../lib/format'
import { useLocation } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, Icon, PageHead, Pagination, Table, TextInput, useListState } from '../../ds'
import { Chips, type Actor } from './common'

// ATT&CK campaigns (C0001…): intrusion activity MITRE describes with the
// techniques, software and groups it involved. Shown next to threat actors.

export type AttackCampaign = RecordModel & {
  attack_id: string
  name: string
  aliases: unknown
  description: string
  first_seen: string
  last_seen: string
  techniques: string[]
  software: string[]
  actors: string[]
  references: unknown
  url: string
  deprecated: boolean
  expand?: { actors?: Actor[] }
}

const PER_PAGE = 30

export default function AttackCampaignsPage() {
  const { query } = useLocation()
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: 'attack_id' })
  const [q, setQ] = useState(query.get('q') ?? '')
  const filter = [q && `(name ~ ${esc(q)} || aliases ~ ${esc(q)} || attack_id ~ ${esc(q)})`, 'revoked = false'].filter(Boolean).join(' && ')
  const list = useLoad(
    () =>
      pb.collection('attack_campaigns').getList<AttackCampaign>(page, PER_PAGE, {
        filter,
        sort: sort.replace(/^-/, '') === 'attack_id' ? sort : `${sort},attack_id`,
        expand: 'actors',
        fields: 'id,attack_id,name,aliases,first_seen,last_seen,techniques,actors,deprecated,expand.actors.id,expand.actors.name,expand.actors.attack_id',
      }),
    [filter, page, sort],
  )
  return (
    <div className="stack">
      <PageHead title="ATT&CK campaigns" subtitle="Intrusion campaigns from ATT&CK (C0001…) with the techniques, software and groups they involved. Plan an emulation from any of them." />
      <Card flush>
        <div className="filters filter-bar">
          <TextInput label="Search" placeholder="Name, alias or C-id" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value || null }))} />
        </div>
        {list.error && (
          <div className="pad">
            <Alert>{list.error}</Alert>
          </div>
        )}
        <Table
          caption="ATT&CK campaigns"
          columns={[
            { key: 'id', header: 'ID', sort: 'attack_id', width: 80, render: (c: AttackCampaign) => <code>{c.attack_id}</code> },
            {
              key: 'n',
              header: 'Name',
              sort: 'name',
              width: 260,
              render: (c: AttackCampaign) => (
                <span>
                  <b>{c.name}</b> {c.deprecated && <Badge tone="warning">Deprecated</Badge>}
                </span>
              ),
            },
            { key: 'g', header: 'Attributed to', render: (c: AttackCampaign) => <Chips values={(c.expand?.actors ?? []).map((a) => a.name)} /> },
            { key: 't', header: 'Techniques', width: 100, render: (c: AttackCampaign) => <span className="small">{asArray(c.techniques).length}</span> },
            { key: 'd', header: 'Active', sort: 'first_seen', width: 190, render: (c: AttackCampaign) => <span className="small faint">{seen(c)}</span> },
          ]}
          rows={list.data?.items ?? []}
          rowKey={(c) => c.id}
          loading={list.loading}
          rowHref={(c) => `/attack-campaigns/${c.id}`}
          sort={sort}
          onSort={setSort}
          empty={<EmptyState title="No ATT&CK campaigns" icon={<Icon name="flag" size={28} />}>Import ATT&amp;CK Enterprise to load its campaigns.</EmptyState>}
        />
        <Pagination page={page} perPage={PER_PAGE} count={list.data?.items.length ?? 0} total={list.data?.totalItems} onPage={setPage} />
      </Card>
    </div>
  )
}

/** seen is "2019-08 → 2020-12" from first_seen and last_seen. */
export function seen(c: Pick<AttackCampaign, 'first_seen' | 'last_seen'>): string {
  const m = (d: string) => (d ? d.slice(0, 7) : '?')
  if (!c.first_seen && !c.last_seen) return '—'
  return `${m(c.first_seen)} → ${m(c.last_seen)}`
}
