import { useState } from 'react'
import { pb, esc } from '../../lib/pb'
import { hasMore, useDebounced, useLoad } from '../../lib/data'
import { perPageOf, useCursorList } from '../../lib/cursor'
import { relativeTime } from '../../lib/format'
import { useAuth } from '../../lib/auth'
import { R, can } from '../../lib/roles'
import { navigate, useLocation } from '../../lib/router'
import { S, STATES, STATE_LABELS } from '../../lib/workflow'
import { Badge, Button, Card, EmptyState, FilterBar, ListError, PageHead, Pagination, Select, Table, TextInput, useListState } from '../../ds'
import { OutcomeBadges, StateBadge, TEST_EXPAND, type TestRecord } from './common'
import { BulkBar, NewTest, userLabel, useUsers } from './TestForms'
import { useCampaigns } from '../../lib/campaigns'

const PER_PAGE_OPTIONS = [25, 50, 100]

// Tests: filters on state, campaign and assignees, the "waiting for blue"
// queue (tests in blue review nobody is assigned to), a new test by hand and
// the bulk actions of the server for leads.

/** testSort is the server sort of the tests list: the chosen column, then the
 *  newest change and the id, so pages never overlap when values tie. */
export function testSort(sort: string): string {
  const keys = cursorKeys(sort)
  if (keys) return keys.join(',')
  const s = sort || '-updated'
  return [s, '-updated', 'id'].join(',')
}

/** cursorKeys are the keys the list pages by cursor on, for the sorts an
 *  index of tests serves ((updated, id) and (state, updated, id)); ties go in
 *  the column's direction so one index serves both. Sorts by a related
 *  record (technique, campaign, assignees) are ordered through a join no
 *  index of tests can serve, and name and outcome have no index: those page
 *  by number (null). */
export function cursorKeys(sort: string): string[] | null {
  const s = sort || '-updated'
  const d = s.startsWith('-') ? '-' : ''
  switch (s.replace(/^-/, '')) {
    case 'updated':
      return [d + 'updated', d + 'id']
    case 'state':
      return [d + 'state', d + 'updated', d + 'id']
    default:
      return null
  }
}

/** MAX_TECHNIQUES bounds the technique ids a search sends; a term matching
 *  more (e.g. "T1") is searched through the join instead. */
const MAX_TECHNIQUES = 50

/** matchingTechniques are the ids of the techniques whose ATT&CK id or name
 *  contains q (at most MAX_TECHNIQUES + 1, to tell when there are more). */
async function matchingTechniques(q: string): Promise<string[]> {
  const res = await pb.collection('techniques').getList(1, MAX_TECHNIQUES + 1, { filter: `attack_id ~ ${esc(q)} || name ~ ${esc(q)}`, fields: 'id', skipTotal: true })
  return res.items.map((t) => t.id)
}

/** searchFilter is the Tests page's free-text search: the test's name, or its
 *  technique's ATT&CK id or name. With the matching techniques known (ids) it
 *  filters by technique id, which spares every test a join to its technique
 *  (a rare term reads every test either way: 0.3 s instead of 1.4 s at 200k
 *  tests); with too many, or not yet known, it joins. */
export function searchFilter(q: string, ids: string[] | null): string {
  if (ids && ids.length <= MAX_TECHNIQUES) return `(${[`name ~ ${esc(q)}`, ...ids.map((id) => `technique = ${esc(id)}`)].join(' || ')})`
  return `(name ~ ${esc(q)} || technique.attack_id ~ ${esc(q)} || technique.name ~ ${esc(q)})`
}

/** totalSource says how the page counts its tests: the kept count (no
 *  filter, or the state alone), PocketBase's count (other filters, bounded by
 *  their indexes), or none (a free-text search, which would read every test). */
export function totalSource(f: { state: string; waiting: boolean; technique: string; campaign: string; red: string; blue: string; q: string }): 'kept' | 'count' | 'none' {
  if (f.q) return 'none'
  if (f.waiting || f.technique || f.campaign || f.red || f.blue) return 'count'
  return 'kept'
}

export default function TestsPage() {
  const me = useAuth()
  const { query } = useLocation()
  const state = query.get('state') ?? ''
  const technique = query.get('technique') ?? ''
  const campaign = query.get('campaign') ?? ''
  const red = query.get('red') ?? ''
  const blue = query.get('blue') ?? ''
  const waiting = query.get('view') === 'waiting'
  // Filters, sort and page live in the URL: a reload or Back shows the same list.
  const { page, sort, setPage, setSort, setFilter } = useListState({ sort: waiting ? 'updated' : '-updated' })
  const perPage = perPageOf(query.get('per'), PER_PAGE_OPTIONS)
  const [q, setQ] = useState(query.get('q') ?? '')
  const [selected, setSelected] = useState<string[]>([])
  const [creating, setCreating] = useState(false)
  const campaigns = useCampaigns()
  const redUsers = useUsers([R.red_operator, R.red_lead, R.admin])
  const blueUsers = useUsers([R.blue_analyst, R.blue_lead, R.admin])
  // The list follows the search box once typing pauses (useDebounced).
  const term = useDebounced(q)
  const techMatch = useLoad(async () => ({ q: term, ids: term ? await matchingTechniques(term) : [] }), [term])
  const filter = [
    waiting && pb.filter("state = {:s} && blue_assignee = ''", { s: S.blue_review }),
    state && `state = ${esc(state)}`,
    technique && `technique = ${esc(technique)}`,
    campaign && (campaign === '-' ? "campaign = ''" : `campaign = ${esc(campaign)}`),
    red && (red === '-' ? "red_assignee = ''" : `red_assignee = ${esc(red)}`),
    blue && (blue === '-' ? "blue_assignee = ''" : `blue_assignee = ${esc(blue)}`),
    term && searchFilter(term, techMatch.data?.q === term ? techMatch.data.ids : null),
  ]
    .filter(Boolean)
    .join(' && ')
  // The search waits for the techniques it matches (a short list), so the
  // tests are filtered by technique id instead of joined to every technique.
  const searchReady = !term || techMatch.data?.q === term
  // Sorts an index serves page by cursor (?after=…/?before=…), the others by number.
  const keys = cursorKeys(sort)
  const byCursor = useCursorList<TestRecord>('tests', { keys: keys ?? [], perPage, filter, expand: TEST_EXPAND, enabled: !!keys && searchReady })
  const byNumber = useLoad(
    async () => (keys || !searchReady ? null : pb.collection('tests').getList<TestRecord>(page, perPage, { filter, sort: testSort(sort), expand: TEST_EXPAND, skipTotal: true })),
    [filter, page, sort, !!keys, perPage, searchReady],
  )
  const source = totalSource({ state, waiting, technique, campaign, red, blue, q: term })
  const total = useLoad(async () => {
    if (source === 'kept') return (await pb.send<{ total: number }>('/api/aegis/tests/total', { query: state ? { state } : {} })).total
    if (source === 'count') return (await pb.collection('tests').getList(1, 1, { filter, fields: 'id' })).totalItems
    return null
  }, [filter, source, state])
  const list = keys ? { ...byCursor, reload: () => (byCursor.reload(), total.reload()) } : { rows: byNumber.data?.items ?? [], loading: byNumber.loading, error: byNumber.error, reload: () => (byNumber.reload(), total.reload()) }
  const shownPage = keys ? byCursor.page : page
  const lead = can(me?.role, 'plan_campaigns') || me?.role === R.blue_lead
  const rows = list.rows
  const allOnPage = rows.length > 0 && rows.every((t) => selected.includes(t.id))
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]))
  const setF = (k: string) => (e: { target: { value: string } }) => setFilter({ [k]: e.target.value || null })
  const opts = (l: { id: string; name: string; email: string }[] | null) => [{ value: '-', label: 'Unassigned' }, ...(l ?? []).map((u) => ({ value: u.id, label: userLabel(u) }))]
  return (
    <div className="stack">
      <PageHead
        title={waiting ? 'Waiting for blue' : 'Tests'}
        subtitle={waiting ? 'Executed tests in blue review that no analyst has taken yet, oldest first. Recording one makes you its analyst.' : 'Every procedure run against a technique, with its red result and blue outcome.'}
        actions={
          <>
            <Button variant={waiting ? 'primary' : 'default'} onClick={() => setFilter({ view: waiting ? null : 'waiting', sort: null })} data-testid="waiting-queue">
              Waiting for blue
            </Button>
            {can(me?.role, 'plan_campaigns') && (
              <Button variant="primary" onClick={() => setCreating(true)} data-testid="new-test">
                New test
              </Button>
            )}
          </>
        }
      />
      {creating && <NewTest onClose={() => setCreating(false)} onCreated={(id) => navigate(`/tests/${id}`)} />}
      <Card flush>
        <FilterBar>
          <TextInput label="Search" placeholder="Name or technique" value={q} onChange={(e) => (setQ(e.target.value), setFilter({ q: e.target.value || null }))} />
          {!waiting && <Select label="State" placeholder="All states" options={STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))} value={state} onChange={setF('state')} />}
          <Select label="Campaign" placeholder="All campaigns" options={[{ value: '-', label: 'No campaign' }, ...(campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name }))]} value={campaign} onChange={setF('campaign')} />
          <Select label="Red operator" placeholder="Anyone" options={opts(redUsers.data)} value={red} onChange={setF('red')} />
          {!waiting && <Select label="Blue analyst" placeholder="Anyone" options={opts(blueUsers.data)} value={blue} onChange={setF('blue')} />}
          {technique && (
            <span className="row">
              <Badge tone="primary">One technique</Badge>
              <button className="btn ghost small" onClick={() => setFilter({ technique: null })}>
                Clear
              </button>
            </span>
          )}
        </FilterBar>
        {lead && selected.length > 0 && me && <BulkBar ids={selected} role={me.role} onClear={() => setSelected([])} onDone={() => (setSelected([]), list.reload())} />}
        <ListError error={list.error} />
        <Table
          caption="Tests"
          columns={[
            ...(lead
              ? [
                  {
                    key: 'sel',
                    control: true,
                    width: 32,
                    header: <input type="checkbox" aria-label="Select the tests of this page" checked={allOnPage} onChange={() => setSelected((s) => (allOnPage ? s.filter((id) => !rows.some((t) => t.id === id)) : [...new Set([...s, ...rows.map((t) => t.id)])]))} />,
                    render: (t: TestRecord) => <input type="checkbox" aria-label={`Select ${t.name}`} checked={selected.includes(t.id)} onClick={(e) => e.stopPropagation()} onChange={() => toggle(t.id)} data-testid="select-test" />,
                  },
                ]
              : []),
            { key: 'n', header: 'Test', sort: 'name', render: (t: TestRecord) => <b className="wrap-anywhere">{t.name}</b> },
            { key: 't', header: 'Technique', sort: 'technique.attack_id', render: (t: TestRecord) => (t.expand?.technique ? <span><code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}</span> : t.technique_attack_id ? <span title="Not in the ATT&CK catalogue yet"><code>{t.technique_attack_id}</code> <span className="faint">not in catalogue</span></span> : '—') },
            { key: 'c', header: 'Campaign', sort: 'campaign.name', render: (t: TestRecord) => t.expand?.campaign?.name ?? <span className="faint">—</span> },
            { key: 's', header: 'State', sort: 'state', width: 110, render: (t: TestRecord) => <StateBadge state={t.state} /> },
            { key: 'r', header: 'Red', sort: 'red_assignee.name', render: (t: TestRecord) => userLabel(t.expand?.red_assignee) || <span className="faint">—</span> },
            { key: 'b', header: 'Blue', sort: 'blue_assignee.name', render: (t: TestRecord) => userLabel(t.expand?.blue_assignee) || <span className="faint">—</span> },
            { key: 'o', header: 'Outcome', sort: 'prevention', render: (t: TestRecord) => <OutcomeBadges t={t} /> },
            { key: 'u', header: 'Updated', sort: 'updated', width: 110, render: (t: TestRecord) => <span className="faint small">{relativeTime(t.updated)}</span> },
          ]}
          rows={rows}
          rowKey={(t) => t.id}
          loading={list.loading}
          rowHref={(t) => `/tests/${t.id}`}
          sort={sort}
          onSort={setSort}
          empty={<EmptyState title={waiting ? 'Nothing waits for blue' : 'No tests match'} />}
        />
        <Pagination
          page={shownPage}
          perPage={perPage}
          count={rows.length}
          total={total.data}
          hasMore={keys ? byCursor.hasNext : hasMore(rows.length, perPage)}
          hasPrev={keys ? byCursor.hasPrev : undefined}
          onPage={(p) => (keys ? (p > shownPage ? byCursor.next() : byCursor.prev()) : setPage(p))}
          perPageOptions={PER_PAGE_OPTIONS}
          onPerPage={(n) => setFilter({ per: n === PER_PAGE_OPTIONS[0] ? null : String(n) })}
        />
      </Card>
    </div>
  )
}
