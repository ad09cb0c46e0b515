import { Fragment, useState, type ReactNode } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, esc } from '../../lib/pb'
import { hasMore, useDebounced, useLoad } from '../../lib/data'
import { perPageOf, useCursorList } from '../../lib/cursor'
import { formatDate, humanize, relativeTime } from '../../lib/format'
import { setQuery, useLocation } from '../../lib/router'
import { Badge, Card, EmptyState, FilterBar, Icon, ListError, nextSort, PageHead, Pagination, Select, Spinner, TextInput, useListState } from '../../ds'
import { AUDIT_ACTIONS } from '../../lib/vocabulary.gen'

type Entry = RecordModel & {
  actor: string
  actor_name: string
  actor_kind: string
  action: string
  collection: string
  record_id: string
  details: unknown
  ip: string
  created: string
}

const PER_PAGE_OPTIONS = [50, 100, 200]
export { AUDIT_ACTIONS }
const COLLECTIONS = [
  'users', 'tests', 'campaigns', 'test_outcomes', 'findings', 'evidence', 'test_comments', 'techniques', 'tactics', 'threat_actors',
  'actor_techniques', 'detection_rules', 'defense_tools', 'd3fend_techniques', 'compliance_controls', 'integrations', 'settings', 'test_templates',
]

/** buildAuditFilter turns the page's filters into a PocketBase filter. */
export function buildAuditFilter(f: { action?: string; collection?: string; actor?: string; from?: string; to?: string }): string {
  const parts: string[] = []
  if (f.action) parts.push(`action = ${esc(f.action)}`)
  if (f.collection) parts.push(`collection = ${esc(f.collection)}`)
  if (f.actor) parts.push(`(actor_name ~ ${esc(f.actor)} || actor = ${esc(f.actor)})`)
  if (f.from) parts.push(`created >= ${esc(f.from + ' 00:00:00.000Z')}`)
  if (f.to) parts.push(`created <= ${esc(f.to + ' 23:59:59.999Z')}`)
  return parts.join(' && ')
}

const tone = (a: string) =>
  a === 'delete' || a === 'login_failed' ? 'danger' : a === 'create' || a === 'setup' ? 'success' : a === 'role_change' ? 'warning' : a === 'login' ? 'info' : 'primary'

/** auditKeys are the keys of the audit log's order and cursor: the chosen
 *  column, then the time and the id in the same direction, so that pages
 *  never overlap when values tie and one index serves each column both ways
 *  ((created, id), (actor_name, created, id), (action, created, id),
 *  (collection, created, id)). */
export function auditKeys(sort: string): string[] {
  const s = sort || '-created'
  const d = s.startsWith('-') ? '-' : ''
  const key = s.replace(/^-/, '')
  return key === 'created' ? [d + 'created', d + 'id'] : [d + key, d + 'created', d + 'id']
}

/** auditSort is the server sort of the audit log. */
export function auditSort(sort: string): string {
  return auditKeys(sort).join(',')
}

/** auditByCursor tells whether a sort pages by cursor. The actor's name is
 *  not: an admin reads the names kept in the private field (an email used to
 *  sign in), not the stored actor_name the index orders by, so the page's
 *  last row does not carry its sort value; that sort pages by number over
 *  the same index. */
export function auditByCursor(sort: string): boolean {
  return (sort || '-created').replace(/^-/, '') !== 'actor_name'
}

/** SortTh is a header of a hand-built table that sorts on the server. */
function SortTh({ field, sort, onSort, className, children }: { field: string; sort: string; onSort: (s: string) => void; className?: string; children: ReactNode }) {
  const dir = sort === field ? 'ascending' : sort === '-' + field ? 'descending' : 'none'
  return (
    <th className={className} aria-sort={dir}>
      <button type="button" className="th-sort" onClick={() => onSort(nextSort(sort, field))}>
        {children}
        <Icon name={dir === 'ascending' ? 'sortUp' : dir === 'descending' ? 'sortDown' : 'sort'} size={12} />
      </button>
    </th>
  )
}

export default function AuditPage() {
  const { query } = useLocation()
  const f = {
    action: query.get('action') ?? '',
    collection: query.get('collection') ?? '',
    actor: query.get('actor') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  }
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: '-created' })
  const perPage = perPageOf(query.get('per'), PER_PAGE_OPTIONS)
  const [open, setOpen] = useState<string | null>(null)
  // The actor box is typed into: the list follows it once typing pauses.
  const actor = useDebounced(f.actor)
  const filter = buildAuditFilter({ ...f, actor })
  // Paged by cursor (?after=…/?before=…): every page reads the index from its cursor.
  const cursor = auditByCursor(sort)
  const byCursor = useCursorList<Entry>('audit_logs', { keys: auditKeys(sort), perPage, filter, enabled: cursor })
  const byNumber = useLoad(async () => (cursor ? null : pb.collection('audit_logs').getList<Entry>(page, perPage, { sort: auditSort(sort), filter, skipTotal: true })), [page, filter, sort, cursor, perPage])
  const list = cursor
    ? byCursor
    : { rows: byNumber.data?.items ?? [], loading: byNumber.loading, error: byNumber.error, page, hasNext: hasMore(byNumber.data?.items.length ?? 0, perPage), hasPrev: page > 1, next: () => setPage(page + 1), prev: () => setPage(page - 1) }
  const rows = list.rows
  const setF = (k: string) => (e: { target: { value: string } }) => setQuery({ [k]: e.target.value, page: null, after: null, before: null })

  return (
    <div className="stack">
      <PageHead title="Audit log" subtitle="Every change, sign-in and role change, written in the same transaction as the change. Entries cannot be edited or deleted." />
      <Card flush>
        <FilterBar>
          <Select label="Action" placeholder="All actions" options={AUDIT_ACTIONS.map((a) => ({ value: a, label: humanize(a) }))} value={f.action} onChange={setF('action')} />
          <Select label="Collection" placeholder="All collections" options={COLLECTIONS.map((c) => ({ value: c, label: c }))} value={f.collection} onChange={setF('collection')} />
          <TextInput label="Actor" placeholder="Name or id" value={f.actor} onChange={setF('actor')} />
          <TextInput label="From" type="date" value={f.from} onChange={setF('from')} />
          <TextInput label="To" type="date" value={f.to} onChange={setF('to')} />
        </FilterBar>
        <ListError error={list.error} />
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <SortTh field="created" sort={sort} onSort={setSort} className="w-180">
                  When
                </SortTh>
                <SortTh field="actor_name" sort={sort} onSort={setSort}>
                  Actor
                </SortTh>
                <SortTh field="action" sort={sort} onSort={setSort}>
                  Action
                </SortTh>
                <SortTh field="collection" sort={sort} onSort={setSort}>
                  Collection
                </SortTh>
                <th>Record</th>
                <th>IP</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <Fragment key={r.id}>
                  <tr
                    className="clickable"
                    tabIndex={0}
                    onClick={() => setOpen(open === r.id ? null : r.id)}
                    onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setOpen(open === r.id ? null : r.id))}
                    aria-expanded={open === r.id}
                  >
                    <td>
                      <div>{relativeTime(r.created)}</div>
                      <div className="faint small">{formatDate(r.created)}</div>
                    </td>
                    <td>
                      <div>{r.actor_name || r.actor || '—'}</div>
                      <div className="faint small">{r.actor_kind}</div>
                    </td>
                    <td>
                      <Badge tone={tone(r.action)}>{humanize(r.action)}</Badge>
                    </td>
                    <td className="mono">{r.collection || '—'}</td>
                    <td className="mono small">{r.record_id || '—'}</td>
                    <td className="mono small">{r.ip || '—'}</td>
                  </tr>
                  {open === r.id && (
                    <tr>
                      <td colSpan={6} className="bg-surface-2">
                        <Details details={r.details} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          {list.loading && rows.length === 0 && <Spinner />}
          {!list.loading && rows.length === 0 && !list.error && <EmptyState title="No audit entries match" />}
        </div>
        <Pagination page={list.page} perPage={perPage} count={rows.length} hasMore={list.hasNext} hasPrev={list.hasPrev} onPage={(p) => (p > list.page ? list.next() : list.prev())} perPageOptions={PER_PAGE_OPTIONS} onPerPage={(n) => setFilter({ per: n === PER_PAGE_OPTIONS[0] ? null : String(n) })} />
      </Card>
    </div>
  )
}

type Change = { old?: unknown; new?: unknown; changed?: boolean }
const isChange = (v: unknown): v is Change => !!v && typeof v === 'object' && !Array.isArray(v) && ('old' in (v as object) || 'new' in (v as object) || 'changed' in (v as object))
const show = (v: unknown, names?: Record<string, string>) =>
  v === undefined || v === null || v === '' ? <span className="faint">∅</span> : typeof v === 'object' ? <code>{JSON.stringify(v)}</code> : (names?.[String(v)] ?? String(v))

/** Details shows changed fields as old → new, and anything else as JSON;
 *  names turns record ids (users) into the names people know. */
export function Details({ details, names }: { details: unknown; names?: Record<string, string> }) {
  if (details === null || details === undefined || details === '') return <span className="faint">No details recorded.</span>
  const obj = details as Record<string, unknown>
  const changes = (obj && typeof obj === 'object' && (obj.changes ?? obj.changed ?? obj.fields)) as Record<string, unknown> | undefined
  const src = changes && typeof changes === 'object' ? changes : obj
  const entries = src && typeof src === 'object' && !Array.isArray(src) ? Object.entries(src).filter(([, v]) => isChange(v)) : []
  if (entries.length === 0) return <pre className="codeblock">{JSON.stringify(details, null, 2)}</pre>
  const rest = Object.fromEntries(Object.entries(obj).filter(([k, v]) => !(src === obj && isChange(v)) && v !== changes && k))
  return (
    <div className="stack tight">
      <table className="table bg-surface">
        <thead>
          <tr>
            <th>Field</th>
            <th>Old</th>
            <th>New</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <td>{humanize(k)}</td>
              {'old' in (v as Change) || 'new' in (v as Change) ? (
                <>
                  <td>{show((v as Change).old, names)}</td>
                  <td>{show((v as Change).new, names)}</td>
                </>
              ) : (
                <td colSpan={2} className="faint">
                  changed (value not recorded)
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {Object.keys(rest).length > 0 && <pre className="codeblock">{JSON.stringify(rest, null, 2)}</pre>}
    </div>
  )
}
