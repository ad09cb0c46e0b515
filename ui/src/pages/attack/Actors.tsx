import { useState } from 'react'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { asArray, humanize } from '../../lib/format'
import { navigate } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, PageHead, Pagination, Select, Table, TextInput } from '../../ds'
import { Chips, type Actor } from './common'

const PER_PAGE = 30

export default function ActorsPage() {
  const [q, setQ] = useState('')
  const [source, setSource] = useState('')
  const [page, setPage] = useState(1)
  const filter = [q && `(name ~ ${esc(q)} || aliases ~ ${esc(q)} || attack_id ~ ${esc(q)})`, source && `source = ${esc(source)}`, 'revoked = false'].filter(Boolean).join(' && ')
  const list = useLoad(
    () => pb.collection('threat_actors').getList<Actor>(page, PER_PAGE, { filter, sort: 'name', fields: 'id,attack_id,name,aliases,source,target_sectors,deprecated,domain' }),
    [filter, page],
  )
  return (
    <div className="stack">
      <PageHead title="Threat actors" subtitle="Groups from ATT&CK and threat intel, with the techniques they are known to use." />
      <Card flush>
        <div className="filters" style={{ padding: 12, borderBottom: '1px solid var(--border)' }}>
          <TextInput label="Search" placeholder="Name, alias or G-id" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
          <Select label="Source" placeholder="All sources" options={['attack', 'intel', 'manual'].map((s) => ({ value: s, label: humanize(s) }))} value={source} onChange={(e) => (setSource(e.target.value), setPage(1))} />
        </div>
        {list.error && (
          <div style={{ padding: 12 }}>
            <Alert>{list.error}</Alert>
          </div>
        )}
        <Table
          caption="Threat actors"
          columns={[
            { key: 'id', header: 'ID', width: 80, render: (a) => <code>{a.attack_id || '—'}</code> },
            {
              key: 'n',
              header: 'Name',
              width: 240,
              render: (a) => (
                <span>
                  <b>{a.name}</b> {a.deprecated && <Badge tone="warning">Deprecated</Badge>}
                </span>
              ),
            },
            { key: 'al', header: 'Aliases', render: (a) => <Chips values={asArray<string>(a.aliases).filter((x) => x !== a.name).slice(0, 6)} /> },
            { key: 's', header: 'Source', width: 100, render: (a) => <Badge>{humanize(a.source || 'attack')}</Badge> },
          ]}
          rows={list.data?.items ?? []}
          rowKey={(a) => a.id}
          loading={list.loading}
          onRowClick={(a) => navigate(`/actors/${a.id}`)}
          empty={<EmptyState title="No threat actors" icon="☠">Import ATT&amp;CK to load its groups.</EmptyState>}
        />
        <Pagination page={page} perPage={PER_PAGE} count={list.data?.items.length ?? 0} total={list.data?.totalItems} onPage={setPage} />
      </Card>
    </div>
  )
}
