import { useState } from 'react'
import { pb, esc } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { relativeTime } from '../../lib/format'
import { navigate, setQuery, useLocation } from '../../lib/router'
import { STATES, STATE_LABELS } from '../../lib/workflow'
import { Alert, Badge, Card, EmptyState, PageHead, Pagination, Select, Table, TextInput } from '../../ds'
import { OutcomeBadges, StateBadge, TEST_EXPAND, type TestRecord } from './common'

const PER_PAGE = 25

export default function TestsPage() {
  const { query } = useLocation()
  const state = query.get('state') ?? ''
  const technique = query.get('technique') ?? ''
  const [q, setQ] = useState('')
  const [page, setPage] = useState(1)
  const filter = [state && `state = ${esc(state)}`, technique && `technique = ${esc(technique)}`, q && `(name ~ ${esc(q)} || technique.attack_id ~ ${esc(q)} || technique.name ~ ${esc(q)})`].filter(Boolean).join(' && ')
  const list = useLoad(() => pb.collection('tests').getList<TestRecord>(page, PER_PAGE, { filter, sort: '-updated', expand: TEST_EXPAND }), [filter, page])
  return (
    <div className="stack">
      <PageHead title="Tests" subtitle="Every procedure run against a technique, with its red result and blue outcome." />
      <Card flush>
        <div className="filters" style={{ padding: 12, borderBottom: '1px solid var(--border)' }}>
          <TextInput label="Search" placeholder="Name or technique" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
          <Select label="State" placeholder="All states" options={STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))} value={state} onChange={(e) => (setQuery({ state: e.target.value }), setPage(1))} />
          {technique && (
            <span className="row">
              <Badge tone="primary">One technique</Badge>
              <button className="btn ghost small" onClick={() => setQuery({ technique: null })}>
                Clear
              </button>
            </span>
          )}
        </div>
        {list.error && (
          <div style={{ padding: 12 }}>
            <Alert>{list.error}</Alert>
          </div>
        )}
        <Table
          caption="Tests"
          columns={[
            { key: 'n', header: 'Test', render: (t: TestRecord) => <b>{t.name}</b> },
            { key: 't', header: 'Technique', render: (t: TestRecord) => (t.expand?.technique ? <span><code>{t.expand.technique.attack_id}</code> {t.expand.technique.name}</span> : t.technique_attack_id ? <span title="Not in the ATT&CK catalogue yet"><code>{t.technique_attack_id}</code> <span className="faint">not in catalogue</span></span> : '—') },
            { key: 'c', header: 'Campaign', render: (t: TestRecord) => t.expand?.campaign?.name ?? <span className="faint">—</span> },
            { key: 's', header: 'State', width: 120, render: (t: TestRecord) => <StateBadge state={t.state} /> },
            { key: 'o', header: 'Outcome', render: (t: TestRecord) => <OutcomeBadges t={t} /> },
            { key: 'u', header: 'Updated', width: 130, render: (t: TestRecord) => <span className="faint small">{relativeTime(t.updated)}</span> },
          ]}
          rows={list.data?.items ?? []}
          rowKey={(t) => t.id}
          loading={list.loading}
          onRowClick={(t) => navigate(`/tests/${t.id}`)}
          empty={<EmptyState title="No tests match" />}
        />
        <Pagination page={page} perPage={PER_PAGE} count={list.data?.items.length ?? 0} total={list.data?.totalItems} onPage={setPage} />
      </Card>
    </div>
  )
}
