import { useState } from 'react'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { relativeTime } from '../../lib/format'
import { useAuth } from '../../lib/auth'
import { R, can } from '../../lib/roles'
import { navigate, useLocation } from '../../lib/router'
import { S, STATES, STATE_LABELS } from '../../lib/workflow'
import { Alert, Badge, Button, Card, EmptyState, FilterBar, PageHead, Pagination, Select, Table, TextInput, useListState } from '../../ds'
import { OutcomeBadges, StateBadge, TEST_EXPAND, type TestRecord } from './common'
import { BulkBar, NewTest, useCampaigns, userLabel, useUsers } from './TestForms'

const PER_PAGE = 25

// Tests: filters on state, campaign and assignees, the "waiting for blue"
// queue (tests in blue review nobody is assigned to), a new test by hand and
// the bulk actions of the server for leads.

/** testSort is the server sort of the tests list: the chosen column, then the
 *  newest change and the id, so pages never overlap when values tie. */
export function testSort(sort: string): string {
  const s = sort || '-updated'
  return [s, s.replace(/^-/, '') !== 'updated' && '-updated', 'id'].filter(Boolean).join(',')
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
  const [q, setQ] = useState(query.get('q') ?? '')
  const [selected, setSelected] = useState<string[]>([])
  const [creating, setCreating] = useState(false)
  const campaigns = useCampaigns()
  const redUsers = useUsers([R.red_operator, R.red_lead, R.admin])
  const blueUsers = useUsers([R.blue_analyst, R.blue_lead, R.admin])
  const filter = [
    waiting && pb.filter("state = {:s} && blue_assignee = ''", { s: S.blue_review }),
    state && `state = ${esc(state)}`,
    technique && `technique = ${esc(technique)}`,
    campaign && (campaign === '-' ? "campaign = ''" : `campaign = ${esc(campaign)}`),
    red && (red === '-' ? "red_assignee = ''" : `red_assignee = ${esc(red)}`),
    blue && (blue === '-' ? "blue_assignee = ''" : `blue_assignee = ${esc(blue)}`),
    q && `(name ~ ${esc(q)} || technique.attack_id ~ ${esc(q)} || technique.name ~ ${esc(q)})`,
  ]
    .filter(Boolean)
    .join(' && ')
  const list = useLoad(() => pb.collection('tests').getList<TestRecord>(page, PER_PAGE, { filter, sort: testSort(sort), expand: TEST_EXPAND }), [filter, page, sort])
  const lead = can(me?.role, 'plan_campaigns') || me?.role === R.blue_lead
  const rows = list.data?.items ?? []
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
        {list.error && (
          <div className="pad">
            <Alert>{list.error}</Alert>
          </div>
        )}
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
        <Pagination page={page} perPage={PER_PAGE} count={rows.length} total={list.data?.totalItems} onPage={setPage} />
      </Card>
    </div>
  )
}
