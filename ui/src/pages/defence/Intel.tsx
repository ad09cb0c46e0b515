import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { asArray, formatDate } from '../../lib/format'
import { Link } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, FilterBar, Icon, Modal, PageHead, Pagination, Table, TextInput, useListState } from '../../ds'
import type { Actor, Technique } from '../attack/common'

// Threat intel reports with the techniques and actors they reference, and
// actor–technique links ATT&CK does not know yet.

type Report = RecordModel & { source: string; external_id: string; title: string; published: string; url: string; summary: string; techniques: string[]; actors: string[]; new_links: unknown; unknown_techniques: unknown; expand?: { techniques?: Technique[]; actors?: Actor[] } }
type NewLink = { actor?: string; technique?: string; actor_name?: string }
const PER_PAGE = 25

/** newLinks reads the report's new actor–technique links in any stored shape. */
export function newLinks(v: unknown): NewLink[] {
  return asArray<unknown>(v).map((x) => (typeof x === 'string' ? { technique: x } : (x as NewLink)))
}

export default function IntelPage() {
  const { page, sort, query, setPage, setSort, setFilter } = useListState({ sort: '-published' })
  const [q, setQ] = useState(query.get('q') ?? '')
  const [open, setOpen] = useState<Report | null>(null)
  const filter = q ? `(title ~ ${esc(q)} || external_id ~ ${esc(q)} || summary ~ ${esc(q)})` : ''
  const list = useLoad(() => pb.collection('intel_reports').getList<Report>(page, PER_PAGE, { filter, sort: `${sort},-created`, expand: 'techniques,actors' }), [filter, page, sort])
  const items = list.data?.items ?? []
  return (
    <div className="stack">
      <PageHead title="Threat intel" subtitle="Intel reports with their referenced techniques and actors. New actor–technique links are flagged." />
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Title, id or summary" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value }))} />
        </FilterBar>
        {list.error && <div className="pad"><Alert>{list.error}</Alert></div>}
        <Table
          caption="Intel reports"
          columns={[
            { key: 'p', header: 'Published', sort: 'published', width: 120, render: (r: Report) => <span className="small">{formatDate(r.published)}</span> },
            { key: 't', header: 'Report', sort: 'title', render: (r: Report) => <b>{r.title}</b> },
            { key: 's', header: 'Source', sort: 'source', width: 110, render: (r: Report) => <span className="small muted">{r.source || '—'}</span> },
            { key: 'a', header: 'Actors', render: (r: Report) => <span className="small">{(r.expand?.actors ?? []).map((a) => a.name).join(', ') || '—'}</span> },
            { key: 'n', header: 'Techniques', width: 100, render: (r: Report) => r.techniques?.length ?? 0 },
            { key: 'l', header: 'New links', width: 100, render: (r: Report) => (newLinks(r.new_links).length ? <Badge tone="warning">{newLinks(r.new_links).length} new</Badge> : <span className="faint">—</span>) },
          ]}
          rows={items}
          rowKey={(r) => r.id}
          loading={list.loading}
          onRowClick={setOpen}
          sort={sort}
          onSort={setSort}
          empty={<EmptyState icon={<Icon name="news" size={28} />} title={q ? 'No reports match' : 'No intel reports yet'}>{q ? 'Try another search.' : 'Import STIX 2.1 report bundles or sync a TAXII collection from Integrations & jobs.'}</EmptyState>}
        />
        <Pagination page={page} perPage={PER_PAGE} count={items.length} total={list.data?.totalItems} onPage={setPage} />
      </Card>
      {open && (
        <Modal wide title={open.title} onClose={() => setOpen(null)}>
          <div className="stack">
            <div className="row">
              <code>{open.external_id}</code> <span className="faint">{formatDate(open.published)}</span>
              {open.url && <a href={open.url} target="_blank" rel="noreferrer">Source <Icon name="external" size={12} /></a>}
            </div>
            {open.summary && <p className="muted m0 pre-wrap">{open.summary}</p>}
            {newLinks(open.new_links).length > 0 && (
              <Alert tone="warning">
                New actor–technique links: {newLinks(open.new_links).map((l) => [l.actor_name || l.actor, l.technique].filter(Boolean).join(' → ')).join('; ')}
              </Alert>
            )}
            <h3>Actors</h3>
            <div className="row">{(open.expand?.actors ?? []).map((a) => <Link key={a.id} to={`/actors/${a.id}`}>{a.name}</Link>)}{!open.actors?.length && <span className="faint">None</span>}</div>
            <h3>Techniques</h3>
            <div className="row">{(open.expand?.techniques ?? []).map((t) => <Link key={t.id} to={`/techniques/${t.attack_id}`}><code>{t.attack_id}</code></Link>)}{!open.techniques?.length && <span className="faint">None</span>}</div>
            {asArray<string>(open.unknown_techniques).length > 0 && <p className="faint small">Unknown technique ids: {asArray<string>(open.unknown_techniques).join(', ')}</p>}
          </div>
        </Modal>
      )}
    </div>
  )
}
