import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { pb, errorMessage } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { formatDate, humanize } from '../../lib/format'
import { Link } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, Icon, PageHead, Select, Spinner, useToast } from '../../ds'
import { FINDING_COLUMNS, FINDING_LABELS, isOverdue, nextFindingStates, severityTone, splitBoard } from '../../lib/findings'
import type { Technique } from '../attack/common'
import { loadRefs, named } from '../../lib/refs'

// The remediation board: findings move open → in progress → resolved or
// risk accepted; leads assign owners and move cards.

type User = RecordModel & { name: string; email: string }
export type Finding = RecordModel & {
  title: string
  severity: string
  status: string
  owner: string
  due_at: string
  recommendation: string
  test: string
  technique: string
  expand?: { owner?: User; technique?: Technique; test?: RecordModel & { name: string } }
}

/** FINDINGS_PAGE is how many findings a column shows at first and adds per "Show more", newest first. */
export const FINDINGS_PAGE = 25

/** FINDING_EXPAND and FINDING_FIELDS are what a card shows: the test's name comes with the row; the technique and the owner are named from the page's references. */
export const FINDING_EXPAND = 'test'
export const FINDING_FIELDS = 'id,title,severity,status,owner,due_at,test,technique,created,expand.test.name'
const FINDING_NAMED = { technique: 'tech', owner: 'user' } as const

/** columnFilter selects a column's findings (a finding without a status is open). */
export function columnFilter(status: string): string {
  return status === 'open' ? "(status = 'open' || status = '')" : pb.filter('status = {:s}', { s: status })
}

export default function FindingsPage() {
  const me = useAuth()
  const manage = can(me?.role, 'manage_findings')
  // One read of the newest findings fills every column (splitBoard); a
  // column it left short reads its own, so a busy column does not push the
  // others off the board; "Show more" grows one column.
  const [limits, setLimits] = useState<Record<string, number>>({})
  const limitOf = (s: string) => limits[s] ?? FINDINGS_PAGE
  const key = FINDING_COLUMNS.map(limitOf).join(',')
  const list = useLoad(async () => {
    const perPage = FINDING_COLUMNS.reduce((n, s) => n + limitOf(s), 0)
    const opts = { sort: '-created', expand: FINDING_EXPAND, fields: FINDING_FIELDS, skipTotal: true }
    const first = await pb.collection('findings').getList<Finding>(1, perPage, opts)
    const board = splitBoard(first.items, perPage, limitOf)
    const own = await Promise.all(board.short.map((s) => pb.collection('findings').getList<Finding>(1, limitOf(s), { ...opts, filter: columnFilter(s) })))
    board.short.forEach((s, i) => {
      board.cols[s] = own[i].items
      board.full[s] = own[i].items.length >= limitOf(s)
    })
    return { items: FINDING_COLUMNS.flatMap((s) => board.cols[s]), full: board.full }
  }, [key])
  const users = useLoad(() => (manage ? pb.collection('users').getFullList<User>({ fields: 'id,name,email', sort: 'name', filter: 'active = true' }) : Promise.resolve([] as User[])), [manage])
  const refs = useLoad(loadRefs, [])
  const items = (list.data?.items ?? []).map((f) => named(f, refs.data, FINDING_NAMED))
  const patch = (f: Finding, body: Record<string, unknown>) => list.set((cur) => cur && { ...cur, items: cur.items.map((x) => (x.id === f.id ? { ...x, ...body } : x)) })
  return (
    <div className="stack">
      <PageHead title="Findings" subtitle="Gaps found by tests and their remediation: open → in progress → resolved or risk accepted. A passing retest resolves a finding." />
      {list.error && <Alert>{list.error}</Alert>}
      {list.loading && !list.data && <Spinner />}
      {list.data && items.length === 0 && (
        <Card>
          <EmptyState icon={<Icon name="flag" size={28} />} title="No findings">
            Findings are raised when a test shows a technique was neither blocked nor detected.
          </EmptyState>
        </Card>
      )}
      {items.length > 0 && (
        <div className="lanes" data-testid="findings-board">
          {FINDING_COLUMNS.map((s) => {
            const col = items.filter((f) => (f.status || 'open') === s)
            return (
              <section key={s} aria-label={FINDING_LABELS[s]} className="lane">
                <div className="row between lane-head">
                  <b>{FINDING_LABELS[s]}</b>
                  <Badge>{list.data?.full[s] ? `${col.length}+` : col.length}</Badge>
                </div>
                <div className="stack tight">
                  {col.map((f) => (
                    <FindingCard key={f.id} f={f} manage={manage} users={users.data ?? []} onSaved={(b) => patch(f, b)} />
                  ))}
                  {list.data?.full[s] && (
                    <button className="btn small ghost" disabled={list.loading} onClick={() => setLimits((l) => ({ ...l, [s]: limitOf(s) + FINDINGS_PAGE }))} data-testid="findings-more">
                      Show {FINDINGS_PAGE} more
                    </button>
                  )}
                </div>
              </section>
            )
          })}
        </div>
      )}
    </div>
  )
}

function FindingCard({ f, manage, users, onSaved }: { f: Finding; manage: boolean; users: User[]; onSaved: (b: Record<string, unknown>) => void }) {
  const toast = useToast()
  const [busy, setBusy] = useState(false)
  const save = async (body: Record<string, unknown>) => {
    setBusy(true)
    try {
      const rec = await pb.collection('findings').update<Finding>(f.id, body, { expand: FINDING_EXPAND, fields: FINDING_FIELDS })
      onSaved({ ...body, expand: { ...f.expand, ...rec.expand, owner: undefined } })
    } catch (err) {
      toast.push({ title: 'Could not update the finding', body: errorMessage(err), tone: 'error' })
    } finally {
      setBusy(false)
    }
  }
  const overdue = isOverdue(f.due_at, f.status)
  return (
    <div className="card pad-10" data-testid="finding-card">
      <b>{f.title}</b>
      {f.expand?.technique && (
        <div className="faint small">
          <Link to={`/techniques/${f.expand.technique.attack_id}`}>
            <code>{f.expand.technique.attack_id}</code>
          </Link>{' '}
          {f.expand.technique.name}
        </div>
      )}
      {f.expand?.test && (
        <div className="small">
          <Link to={`/tests/${f.test}`}>{f.expand.test.name}</Link>
        </div>
      )}
      <div className="row small mt-6">
        {f.severity && <Badge tone={severityTone(f.severity)}>{humanize(f.severity)}</Badge>}
        {f.due_at && <Badge tone={overdue ? 'danger' : 'outline'}>{overdue ? 'Overdue ' : 'Due '}{formatDate(f.due_at)}</Badge>}
        {!manage && <span className="faint">{f.expand?.owner ? f.expand.owner.name || f.expand.owner.email : 'No owner'}</span>}
      </div>
      {manage && (
        <div className="stack tight mt-8">
          <Select aria-label="Owner" placeholder="No owner" disabled={busy} options={users.map((u) => ({ value: u.id, label: u.name || u.email }))} value={f.owner || ''} onChange={(e) => save({ owner: e.target.value })} />
          <input className="input" type="date" aria-label="Due date" disabled={busy} value={(f.due_at || '').slice(0, 10)} onChange={(e) => save({ due_at: e.target.value ? e.target.value + ' 00:00:00.000Z' : '' })} />
          <Select aria-label="Move to" placeholder="Move to…" disabled={busy} options={nextFindingStates(f.status).map((s) => ({ value: s, label: FINDING_LABELS[s] }))} value="" onChange={(e) => e.target.value && save({ status: e.target.value })} />
        </div>
      )}
    </div>
  )
}
