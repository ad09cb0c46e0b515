import type { RecordModel } from 'pocketbase'
import { pb } from '../../lib/pb'
import { chunks, useLoad } from '../../lib/data'
import { asArray, formatDate, humanize, plural } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, PageHead, Spinner, Table, Tabs } from '../../ds'
import { domainLabel, TechniqueLink, type Technique } from './common'
import { useState } from 'react'

type Release = RecordModel & { domain: string; version: string; imported_at: string; changes: Record<string, unknown>; stats: Record<string, unknown>; source: string }
type TestRow = RecordModel & { name: string; state: string; expand?: { technique?: Technique } }

const KINDS = ['added', 'changed', 'revoked', 'deprecated'] as const
const SHOW = 300

/** kindOf names the ATT&CK object type from its id prefix. */
export function kindOf(id: string): string {
  const prefixes: [RegExp, string][] = [
    [/^T\d{4}\.\d{3}$/, 'Sub-technique'],
    [/^T\d{4}$/, 'Technique'],
    [/^TA\d{4}$/, 'Tactic'],
    [/^G\d{4}$/, 'Group'],
    [/^S\d{4}$/, 'Software'],
    [/^M\d{4}$/, 'Mitigation'],
    [/^C\d{4}$/, 'Campaign'],
    [/^DC\d{4}$/, 'Data component'],
    [/^DS\d{4}$/, 'Data source'],
    [/^DET\d{4}$/, 'Detection strategy'],
    [/^AN\d{4}$/, 'Analytic'],
  ]
  return prefixes.find(([re]) => re.test(id))?.[1] ?? 'Object'
}

/** changeIds reads one list of the changes JSON: plain ids or objects with an id. */
export function changeIds(changes: unknown, kind: string): string[] {
  const c = (changes ?? {}) as Record<string, unknown>
  return asArray<unknown>(c[kind])
    .map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' ? String((x as Record<string, unknown>).attack_id ?? (x as Record<string, unknown>).id ?? (x as Record<string, unknown>).stix_id ?? '') : ''))
    .filter(Boolean)
}

export default function ReleasesPage() {
  const { query } = useLocation()
  const releases = useLoad(() => pb.collection('attack_releases').getList<Release>(1, 50, { sort: '-imported_at,-created' }), [])
  const sel = releases.data?.items.find((r) => r.id === query.get('id')) ?? releases.data?.items[0]
  const [tab, setTab] = useState<string>('changed')

  const details = useLoad(async () => {
    if (!sel) return null
    // One request for the domain's techniques beats resolving thousands of ids in chunks.
    const all = await pb.collection('techniques').getFullList<Technique & { stix_id: string }>({
      filter: pb.filter('domain = {:d}', { d: sel.domain }),
      fields: 'id,attack_id,stix_id,name,revoked,deprecated',
      batch: 1000,
    })
    const techniques = new Map<string, Technique>()
    for (const t of all) {
      techniques.set(t.attack_id, t)
      techniques.set(t.stix_id, t)
    }
    const affectedIds = [...new Set(['changed', 'revoked', 'deprecated'].flatMap((k) => changeIds(sel.changes, k)).map((x) => techniques.get(x)?.id).filter(Boolean) as string[])]
    const parts = await Promise.all(
      chunks(affectedIds, 60).map((part) =>
        pb
          .collection('tests')
          .getFullList<TestRow>({ filter: pb.filter(part.map((_, i) => `technique = {:t${i}}`).join(' || '), Object.fromEntries(part.map((v, i) => [`t${i}`, v]))), expand: 'technique' })
          .catch(() => [] as TestRow[]),
      ),
    )
    return { techniques, tests: parts.flat() }
  }, [sel?.id])

  if (releases.loading && !releases.data) return <Spinner />
  return (
    <div className="stack">
      <PageHead title="ATT&CK upgrades" subtitle="What each ATT&CK import added, changed, revoked or deprecated, and the tests that need a look." />
      {releases.error && <Alert>{releases.error}</Alert>}
      {releases.data && releases.data.items.length === 0 && (
        <Card>
          <EmptyState icon="⇪" title="No ATT&CK import yet">
            Each import records a changelog here. <Link to="/integrations">Import ATT&amp;CK</Link>
          </EmptyState>
        </Card>
      )}
      {sel && (
        <div className="grid-2 list-detail">
          <Card title="Imports" flush>
            <ul className="bare-list">
              {releases.data!.items.map((r) => (
                <li key={r.id}>
                  <button
                    onClick={() => setQuery({ id: r.id })}
                    className={r.id === sel.id ? 'list-pick selected' : 'list-pick'}
                  >
                    <b>
                      {domainLabel(r.domain)} {r.version && `v${r.version}`}
                    </b>
                    <div className="faint small">{formatDate(r.imported_at || r.created)}</div>
                  </button>
                </li>
              ))}
            </ul>
          </Card>
          <div className="stack">
            <div className="grid-3 quarters">
              {KINDS.map((k) => (
                <Card key={k}>
                  <div className="stat p0">
                    <div className="l">{humanize(k)}</div>
                    <div className="v" data-testid={`release-${k}`}>
                      {changeIds(sel.changes, k).length}
                    </div>
                  </div>
                </Card>
              ))}
            </div>
            <Card flush>
              <div className="pad-x">
                <Tabs
                  tabs={[...KINDS.map((k) => ({ id: k, label: `${humanize(k)} (${changeIds(sel.changes, k).length})` })), { id: 'tests', label: `Tests affected (${details.data?.tests.length ?? '…'})` }]}
                  value={tab}
                  onChange={setTab}
                />
              </div>
              {details.loading && <Spinner />}
              {details.data && tab !== 'tests' && (
                <Table
                  columns={[
                    {
                      key: 'id',
                      header: 'Object',
                      render: (id: string) => {
                        const t = details.data!.techniques.get(id)
                        return t ? <TechniqueLink t={t} /> : <code>{id}</code>
                      },
                    },
                    { key: 'k', header: 'Kind', width: 170, render: (id: string) => <span className="muted">{kindOf(id)}</span> },
                    {
                      key: 's',
                      header: 'Now',
                      width: 140,
                      render: (id: string) => {
                        const t = details.data!.techniques.get(id)
                        return t?.revoked ? <Badge tone="danger">Revoked</Badge> : t?.deprecated ? <Badge tone="warning">Deprecated</Badge> : t ? <Badge tone="success">Active</Badge> : <span className="faint">—</span>
                      },
                    },
                  ]}
                  rows={changeIds(sel.changes, tab).slice(0, SHOW)}
                  rowKey={(id) => id}
                  empty={<EmptyState title={`Nothing ${tab} in this import`} />}
                />
              )}
              {details.data && tab !== 'tests' && changeIds(sel.changes, tab).length > SHOW && (
                <div className="faint small pad">
                  Showing the first {SHOW} of {changeIds(sel.changes, tab).length.toLocaleString('en-US')}.
                </div>
              )}
              {details.data && tab === 'tests' && (
                <Table
                  columns={[
                    { key: 'n', header: 'Test', render: (t: TestRow) => <Link to={`/tests/${t.id}`}>{t.name}</Link> },
                    { key: 't', header: 'Technique', render: (t: TestRow) => (t.expand?.technique ? <TechniqueLink t={t.expand.technique} /> : '—') },
                    { key: 's', header: 'State', width: 130, render: (t: TestRow) => <Badge>{humanize(t.state)}</Badge> },
                  ]}
                  rows={details.data.tests}
                  rowKey={(t) => t.id}
                  empty={<EmptyState title="No tests touch the changed, revoked or deprecated techniques" />}
                />
              )}
            </Card>
            {sel.changes?.resolved != null && typeof sel.changes.resolved === 'object' && Object.values(sel.changes.resolved as Record<string, number>).some((n) => n > 0) && (
              <Card title="References this import resolved">
                <div className="faint small mb-6">
                  Content stored while the catalogue lacked these ids (or naming techniques this release revoked) now links to them.
                </div>
                <StatsList stats={Object.fromEntries(Object.entries(sel.changes.resolved as Record<string, number>).filter(([, n]) => n > 0))} />
              </Card>
            )}
            {sel.stats && Object.keys(sel.stats).length > 0 && (
              <Card title="Import statistics">
                <StatsList stats={sel.stats} />
              </Card>
            )}
            <div className="faint small">
              Source: {sel.source || '—'} · {plural(KINDS.reduce((n, k) => n + changeIds(sel.changes, k).length, 0), 'change')}
            </div>
          </div>
        </div>
      )}
    </div>
  )
}

export function StatsList({ stats }: { stats: Record<string, unknown> }) {
  const flat = Object.entries(stats).filter(([k, v]) => v !== null && typeof v !== 'object' && !k.endsWith('_ns'))
  const nested = Object.entries(stats).filter(([, v]) => v !== null && typeof v === 'object')
  return (
    <div className="stack tight">
      <dl className="kv">
        {flat.map(([k, v]) => (
          <div key={k} className="contents">
            <dt>{humanize(k)}</dt>
            <dd className="mono">{typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}</dd>
          </div>
        ))}
      </dl>
      {nested.length > 0 && <pre className="codeblock">{JSON.stringify(Object.fromEntries(nested), null, 2)}</pre>}
    </div>
  )
}
