import { useEffect, useState } from 'react'
import { pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useAuth } from '../../lib/auth'
import { Link, setQuery, useLocation } from '../../lib/router'
import { allowedActions, STATE_LABELS } from '../../lib/workflow'
import { Alert, Badge, Card, EmptyState, PageHead, Select, Spinner } from '../../ds'
import { ActionButton, OutcomeBadges, TEST_EXPAND, type TestRecord } from './common'
import type { RecordModel } from 'pocketbase'

// The workflow board: one column per state, updated live over realtime, with
// only the actions the signed-in role may take.

const COLUMNS = ['draft', 'ready', 'executing', 'blue_review', 'validated', 'closed']

export default function BoardPage() {
  const me = useAuth()
  const { query } = useLocation()
  const campaign = query.get('campaign') ?? ''
  const [mine, setMine] = useState(query.get('mine') === '1')
  const campaigns = useLoad(() => pb.collection('campaigns').getFullList<RecordModel & { name: string }>({ sort: '-created', fields: 'id,name', batch: 200 }), [])
  const filter = [campaign && pb.filter('campaign = {:c}', { c: campaign }), mine && pb.filter('(red_assignee = {:u} || blue_assignee = {:u})', { u: me?.id ?? '' }), "state != 'cancelled'"].filter(Boolean).join(' && ')
  const tests = useLoad(() => pb.collection('tests').getList<TestRecord>(1, 500, { filter, sort: '-updated', expand: TEST_EXPAND, skipTotal: true }), [filter])

  const setTests = tests.set
  useEffect(() => {
    let unsub: (() => Promise<void>) | null = null
    let dead = false
    pb.collection('tests')
      .subscribe<TestRecord>(
        '*',
        (e) =>
          setTests((cur) => {
            if (!cur) return cur
            if (e.action === 'delete') return { ...cur, items: cur.items.filter((x) => x.id !== e.record.id) }
            const has = cur.items.some((x) => x.id === e.record.id)
            return { ...cur, items: has ? cur.items.map((x) => (x.id === e.record.id ? e.record : x)) : [e.record, ...cur.items] }
          }),
        { expand: TEST_EXPAND },
      )
      .then((u) => {
        if (dead) u()
        else unsub = u
      })
      .catch(() => {})
    return () => {
      dead = true
      unsub?.().catch(() => {})
    }
  }, [setTests])

  const replace = (t: TestRecord) => {
    if (!t?.id) return tests.reload()
    setTests((cur) => cur && { ...cur, items: cur.items.some((x) => x.id === t.id) ? cur.items.map((x) => (x.id === t.id ? { ...x, ...t } : x)) : [t, ...cur.items] })
  }
  const items = (tests.data?.items ?? []).filter((t) => (!campaign || t.campaign === campaign) && t.state !== 'cancelled')

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
        <div style={{ display: 'grid', gridTemplateColumns: `repeat(${COLUMNS.length}, minmax(170px, 1fr))`, gap: 10, overflowX: 'auto' }} data-testid="board">
          {COLUMNS.map((s) => {
            const col = items.filter((t) => t.state === s)
            return (
              <section key={s} aria-label={STATE_LABELS[s]} style={{ background: 'var(--surface-2)', borderRadius: 'var(--radius-lg)', padding: 8, minHeight: 200 }}>
                <div className="row between" style={{ padding: '2px 4px 8px' }}>
                  <b>{STATE_LABELS[s]}</b>
                  <Badge>{col.length}</Badge>
                </div>
                <div className="stack tight">
                  {col.map((t) => (
                    <div key={t.id} className="card" style={{ padding: 10 }} data-testid="board-card">
                      <Link to={`/tests/${t.id}`} style={{ fontWeight: 600, color: 'var(--text)' }}>
                        {t.name}
                      </Link>
                      {t.expand?.technique && (
                        <div className="faint small">
                          <code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}
                        </div>
                      )}
                      <div className="row small" style={{ marginTop: 6 }}>
                        {t.expand?.red_assignee && <Badge tone="red">{t.expand.red_assignee.name || t.expand.red_assignee.email}</Badge>}
                        {!t.revealed && <Badge tone="outline">Hidden from blue</Badge>}
                        <OutcomeBadges t={t} />
                      </div>
                      {me && (
                        <div className="row" style={{ marginTop: 8 }}>
                          {allowedActions(t, me.role, me.id).map((a) => (
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
