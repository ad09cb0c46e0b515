import { useState } from 'react'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { asArray, humanize } from '../../lib/format'
import { Badge, Card, EmptyState, FilterBar, Icon, ListError, PageHead, Pagination, Select, Table, TextInput, useListState } from '../../ds'
import { Chips, type Actor } from './common'

const PER_PAGE = 30

export default function ActorsPage() {
  const { page, sort, query, setPage, setSort, setFilter } = useListState({ sort: 'name' })
  const [q, setQ] = useState(query.get('q') ?? '')
  const source = query.get('source') ?? ''
  const filter = [q && `(name ~ ${esc(q)} || aliases ~ ${esc(q)} || attack_id ~ ${esc(q)})`, source && `source = ${esc(source)}`, 'revoked = false'].filter(Boolean).join(' && ')
  const list = useLoad(
    () => pb.collection('threat_actors').getList<Actor>(page, PER_PAGE, { filter, sort: sort + (sort.replace('-', '') === 'name' ? '' : ',name'), fields: 'id,attack_id,name,aliases,source,target_sectors,deprecated,domain' }),
    [filter, page, sort],
  )
  return (
    <div className="stack">
      <PageHead title="Threat actors" subtitle="Groups from ATT&CK and threat intel, with the techniques they are known to use." />
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Name, alias or G-id" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value }))} />
          <Select label="Source" placeholder="All sources" options={['attack', 'intel', 'manual'].map((s) => ({ value: s, label: humanize(s) }))} value={source} onChange={(e) => setFilter({ source: e.target.value })} />
        </FilterBar>
        <ListError error={list.error} />
        <Table
          caption="Threat actors"
          columns={[
            { key: 'id', header: 'ID', sort: 'attack_id', width: 80, render: (a) => <code>{a.attack_id || '—'}</code> },
            {
              key: 'n',
              header: 'Name',
              sort: 'name',
              width: 240,
              render: (a) => (
                <span>
                  <b>{a.name}</b> {a.deprecated && <Badge tone="warning">Deprecated</Badge>}
                </span>
              ),
            },
            { key: 'al', header: 'Aliases', sort: 'aliases', render: (a) => <Chips values={asArray<string>(a.aliases).filter((x) => x !== a.name).slice(0, 6)} /> },
            { key: 's', header: 'Source', sort: 'source', width: 100, render: (a) => <Badge>{humanize(a.source || 'attack')}</Badge> },
          ]}
          rows={list.data?.items ?? []}
          rowKey={(a) => a.id}
          loading={list.loading}
          rowHref={(a) => `/actors/${a.id}`}
          sort={sort}
          onSort={setSort}
          empty={<EmptyState title="No threat actors" icon={<Icon name="warning" size={28} />}>Import ATT&amp;CK to load its groups.</EmptyState>}
        />
        <Pagination page={page} perPage={PER_PAGE} count={list.data?.items.length ?? 0} total={list.data?.totalItems} onPage={setPage} />
      </Card>
    </div>
  )
}
