import { useState } from 'react'
import { pb } from '../../lib/pb'
import { applyEvent, useSubscription } from '../../lib/live'
import { useLoad } from '../../lib/data'
import { useCampaigns } from '../../lib/campaigns'
import { useAuth } from '../../lib/auth'
import { Link, setQuery, useLocation } from '../../lib/router'
import { S, STATE_LABELS } from '../../lib/workflow'
import { Alert, Badge, Card, EmptyState, PageHead, Select, Spinner } from '../../ds'
import { ActionButton, OutcomeBadges, TEST_EXPAND, type TestRecord } from './common'
import { useServerActions } from './actions'
import './work.css'
import { STATES } from '../../lib/vocabulary.gen'
import { loadRefs, named } from '../../lib/refs'

// The workflow board: one column per state, updated live over realtime, with
// exactly the actions the server allows the signed-in user on each test.
// Columns scroll on their own and can be collapsed.

/** COLUMNS are the workflow states in order; cancelled tests leave the board. */
const COLUMNS = STATES.filter((s) => s !== S.cancelled)

/** BOARD_PAGE is how many of the most recently updated tests the board shows at first, and adds per "Show more". */
export const BOARD_PAGE = 100

/** BOARD_NAMED are the relations a card names, from the page's references (no expand per row). */
const BOARD_NAMED = { technique: 'tech', red_assignee: 'user', blue_assignee: 'user' } as const

export default function BoardPage() {
  const me = useAuth()
  const { query } = useLocation()
  const campaign = query.get('campaign') ?? ''
  const [mine, setMine] = useState(query.get('mine') === '1')
  const waiting = query.get('waiting') === '1'
  const [collapsed, setCollapsed] = useState<string[]>(() => {
    try {
      return JSON.parse(localStorage.getItem('aegis.board.collapsed') ?? '[]') as string[]
    } catch {
      return []
    }
  })
  const toggle = (s: string) =>
    setCollapsed((cur) => {
      const n = cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]
      localStorage.setItem('aegis.board.collapsed', JSON.stringify(n))
      return n
    })
  const campaigns = useCampaigns()
  const filter = [campaign && pb.filter('campaign = {:c}', { c: campaign }), mine && pb.filter('(red_assignee = {:u} || blue_assignee = {:u})', { u: me?.id ?? '' }), waiting && pb.filter("state = {:s} && blue_assignee = ''", { s: S.blue_review }), pb.filter('state != {:c}', { c: S.cancelled })].filter(Boolean).join(' && ')
  // "Show more" grows the list of the current filters; other filters start again from one page.
  const [shown, setShown] = useState({ filter, limit: BOARD_PAGE })
  const limit = shown.filter === filter ? shown.limit : BOARD_PAGE
  const tests = useLoad(() => pb.collection('tests').getList<TestRecord>(1, limit, { filter, sort: '-updated', skipTotal: true }), [filter, limit])
  const refs = useLoad(loadRefs, [])
  const more = (tests.data?.items.length ?? 0) >= limit

  const setTests = tests.set
  const ids = (tests.data?.items ?? []).map((t) => t.id)
  const server = useServerActions(ids)
  const refreshActions = server.refresh
  useSubscription<TestRecord>(
    'tests',
    '*',
    (e) => {
      if (e.action !== 'delete') refreshActions(e.record.id)
      setTests((cur) => cur && { ...cur, items: applyEvent(cur.items, e) })
    },
    { expand: TEST_EXPAND },
  )

  const replace = (t: TestRecord) => {
    if (!t?.id) return tests.reload()
    refreshActions(t.id)
    setTests((cur) => cur && { ...cur, items: cur.items.some((x) => x.id === t.id) ? cur.items.map((x) => (x.id === t.id ? { ...x, ...t } : x)) : [t, ...cur.items] })
  }
  const items = (tests.data?.items ?? [])
    .filter((t) => (!campaign || t.campaign === campaign) && t.state !== S.cancelled && (!waiting || (t.state === S.blue_review && !t.blue_assignee)))
    .map((t) => named(t, refs.data, BOARD_NAMED))

  return (
    <div className="stack">
      <PageHead
        title="Workflow board"
        subtitle="Tests move draft → ready → executing → blue review → validated → closed. Changes from others appear live."
        actions={
          <>
            <Select aria-label="Campaign" placeholder="All campaigns" options={(campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={campaign} onChange={(e) => setQuery({ campaign: e.target.value })} />
            <label className="checkbox">
              <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Only mine
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={waiting} onChange={(e) => setQuery({ waiting: e.target.checked ? '1' : null })} data-testid="waiting-for-blue" /> Waiting for blue
            </label>
          </>
        }
      />
      {tests.error && <Alert>{tests.error}</Alert>}
      {tests.loading && !tests.data && <Spinner />}
      {tests.data && items.length === 0 && (
        <Card>
          <EmptyState icon="☰" title="No tests yet">
            Tests appear here once a red lead plans a campaign or creates tests.
          </EmptyState>
        </Card>
      )}
      {items.length > 0 && (
        <div className="row between small faint" data-testid="board-shown">
          <span>
            {more ? `The ${limit.toLocaleString('en-US')} most recently updated tests` : `${items.length.toLocaleString('en-US')} test${items.length === 1 ? '' : 's'}`}
            {more && ': older ones are on the Tests page.'}
          </span>
          {more && (
            <button className="btn small" onClick={() => setShown({ filter, limit: limit + BOARD_PAGE })} disabled={tests.loading} data-testid="board-more">
              Show {BOARD_PAGE} more
            </button>
          )}
        </div>
      )}
      {items.length > 0 && (
        <div className="board" style={{ gridTemplateColumns: COLUMNS.map((s) => (collapsed.includes(s) ? '44px' : 'minmax(160px, 1fr)')).join(' ') }} data-testid="board">
          {COLUMNS.map((s) => {
            const col = items.filter((t) => t.state === s)
            if (collapsed.includes(s))
              return (
                <section key={s} aria-label={STATE_LABELS[s]} className="board-col collapsed">
                  <button className="btn ghost small" onClick={() => toggle(s)} aria-label={`Expand ${STATE_LABELS[s]}`} title={`Expand ${STATE_LABELS[s]}`}>
                    ›
                  </button>
                  <span className="board-col-vertical">
                    {STATE_LABELS[s]} · {col.length}
                  </span>
                </section>
              )
            return (
              <section key={s} aria-label={STATE_LABELS[s]} className="board-col">
                <div className="row between board-col-head">
                  <b>{STATE_LABELS[s]}</b>
                  <span className="row tight">
                    <Badge>{col.length}</Badge>
                    <button className="btn ghost small" onClick={() => toggle(s)} aria-label={`Collapse ${STATE_LABELS[s]}`} title="Collapse">
                      ‹
                    </button>
                  </span>
                </div>
                <div className="stack tight board-col-body">
                  {col.map((t) => (
                    <div key={t.id} className="card board-card" data-testid="board-card">
                      <Link to={`/tests/${t.id}`} className="title-link">
                        {t.name}
                      </Link>
                      {t.expand?.technique && (
                        <div className="faint small">
                          <code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}
                        </div>
                      )}
                      <div className="row small mt-6">
                        {t.expand?.red_assignee && <Badge tone="red">{t.expand.red_assignee.name || t.expand.red_assignee.email}</Badge>}
                        {t.expand?.blue_assignee && <Badge tone="blue">{t.expand.blue_assignee.name || t.expand.blue_assignee.email}</Badge>}
                        {!t.revealed && <Badge tone="outline">Hidden from blue</Badge>}
                        <OutcomeBadges t={t} />
                      </div>
                      {me && server.actionsFor(t).length > 0 && (
                        <div className="row mt-8">
                          {server.actionsFor(t).map((a) => (
                            <ActionButton key={a} size="small" test={t} action={a} onDone={replace} />
                          ))}
                        </div>
                      )}
                    </div>
                  ))}
                </div>
              </section>
            )
          })}
        </div>
      )}
    </div>
  )
}
