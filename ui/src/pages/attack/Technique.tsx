import type { RecordModel } from 'pocketbase'
import { api, errorMessage, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { formatDate, humanize, levelFor } from '../../lib/format'
import { Link } from '../../lib/router'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { Alert, Icon, Badge, Button, Card, Checkbox, EmptyState, LevelBadge, PageHead, Pagination, Select, Spinner, Table, useToast } from '../../ds'
import { Chips, domainLabel, Prose, TechniqueLink, type Actor, type Tactic, type Technique } from './common'
import type { Level } from '../../lib/format'
import { useState } from 'react'
import { PRIORITIES } from '../../lib/vocabulary.gen'

type Full = Technique & { expand?: { tactics?: Tactic[]; parent?: Technique; revoked_by?: Technique; data_components?: (RecordModel & { name: string; data_source: string })[] } }
type Contribution = { kind: string; component: string; id: string; ref?: string; name: string; detail?: string; value: number; share: number; age_days?: number }
/** What became of the technique's own tests: the ones that count (the latest validated per procedure), the superseded ones, the open ones. */
type TestCounts = { total: number; counting: number; superseded: number; unconfirmed: number; open: number }
type ScoreView = {
  technique: { score: number; level: string; V: number | null; R: number | null; M: number | null; D?: number | null; breakdown: Contribution[]; notes?: string[]; procedures: number; rules: number; mitigations: number }
  tests?: TestCounts
}
type Superseded = { id: string; name: string; validated_at: string; outcome: string; superseded_by: string; superseded_by_name: string; superseded_at: string }
type SupersededPage = { page: number; perPage: number; totalItems: number; items: Superseded[] }

const SUPERSEDED_PER_PAGE = 10

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** The technique's superseded tests (validated, then replaced by a later run of the same procedure), a page at a time. */
function SupersededTests({ attackId }: { attackId: string }) {
  const [page, setPage] = useState(1)
  const list = useLoad(
    () => api<SupersededPage>(`/api/aegis/coverage/techniques/${encodeURIComponent(attackId)}?tests_page=${page}&tests_per_page=${SUPERSEDED_PER_PAGE}`),
    [attackId, page],
  )
  if (list.error) return <span className="faint small">Superseded tests unavailable: {list.error}</span>
  if (!list.data) return <Spinner />
  return (
    <div className="stack tight" data-testid="superseded-tests">
      <table className="table">
        <thead>
          <tr>
            <th>Superseded test</th>
            <th>Validated</th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((x) => (
            <tr key={x.id}>
              <td>
                <Link to={`/tests/${x.id}`}>{x.name}</Link>
                <div className="faint small">
                  {x.outcome}; replaced by{' '}
                  <Link to={`/tests/${x.superseded_by}`} title={x.superseded_by_name}>
                    the run validated {formatDate(x.superseded_at)}
                  </Link>
                </div>
              </td>
              <td className="small">{formatDate(x.validated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={page} perPage={SUPERSEDED_PER_PAGE} count={list.data.items.length} total={list.data.totalItems} onPage={setPage} />
    </div>
  )
}

const PRIORITY_OPTIONS = PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))

export default function TechniquePage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const toast = useToast()
  const id = params.id
  const [showOld, setShowOld] = useState(false)
  const tech = useLoad(async () => {
    const list = await pb.collection('techniques').getList<Full>(1, 1, {
      filter: pb.filter('attack_id = {:id} || id = {:id}', { id }),
      sort: 'revoked,deprecated',
      expand: 'tactics,parent,revoked_by,data_components',
    })
    if (!list.items.length) throw new Error(`No technique ${id} in the catalogue.`)
    return list.items[0]
  }, [id])
  const t = tech.data
  const related = useLoad(async () => {
    if (!t) return null
    const f = (expr: string) => pb.filter(expr, { id: t.id })
    const [subs, mitigations, actors, strategies] = await Promise.all([
      pb.collection('techniques').getFullList<Technique>({ filter: f('parent = {:id}'), sort: 'attack_id', fields: 'id,attack_id,name,revoked,deprecated' }),
      pb.collection('mitigations').getFullList<RecordModel & { attack_id: string; name: string; description: string }>({ filter: f('techniques ~ {:id}'), sort: 'attack_id', fields: 'id,attack_id,name,description' }),
      // Only what the table shows: the group's name, not its texts.
      pb.collection('actor_techniques').getFullList<RecordModel & { procedure: string; expand?: { actor?: Pick<Actor, 'id' | 'name'> } }>({
        filter: f('technique = {:id}'),
        expand: 'actor',
        fields: 'id,procedure,expand.actor.id,expand.actor.name',
        batch: 500,
      }),
      pb.collection('detection_strategies').getFullList<RecordModel & { attack_id: string; name: string }>({ filter: f('techniques ~ {:id}'), fields: 'id,attack_id,name' }).catch(() => []),
    ])
    return { subs, mitigations, actors, strategies }
  }, [t?.id])
  const score = useLoad(() => (t ? api<ScoreView>(`/api/aegis/coverage/techniques/${encodeURIComponent(t.attack_id)}`) : Promise.resolve(null)), [t?.attack_id])

  const save = async (body: Partial<Technique>) => {
    if (!t) return
    try {
      const r = await pb.collection('techniques').update<Full>(t.id, body, { expand: 'tactics,parent,revoked_by,data_components' })
      tech.set(r)
      toast.push({ title: 'Technique updated', tone: 'success' })
    } catch (err) {
      toast.push({ title: 'Could not update', body: errorMessage(err), tone: 'error' })
    }
  }

  if (tech.loading && !t) return <Spinner />
  if (tech.error) return <Alert>{tech.error}</Alert>
  if (!t) return null
  const ex = t.expand ?? {}
  const sc = score.data?.technique
  const level = (sc?.level || levelFor(sc?.score)) as Level
  const counts = score.data?.tests

  return (
    <div className="stack">
      <div className="faint small">
        <Link to="/matrix">ATT&amp;CK matrix</Link> / {ex.parent ? <TechniqueLink t={ex.parent} /> : domainLabel(t.domain)}
      </div>
      <PageHead
        title={
          <span className="row">
            <code className="fs-20">{t.attack_id}</code> {t.name}
          </span>
        }
        subtitle={
          <span className="row">
            {(ex.tactics ?? []).map((x) => (
              <Badge key={x.id} tone="primary">
                {x.name}
              </Badge>
            ))}
            {t.is_subtechnique && <Badge>Sub-technique</Badge>}
            {t.revoked && <Badge tone="danger">Revoked</Badge>}
            {t.deprecated && <Badge tone="warning">Deprecated</Badge>}
            {!t.in_scope && <Badge tone="outline">Out of scope</Badge>}
            {t.priority && <Badge tone="warning">Priority: {humanize(t.priority)}</Badge>}
          </span>
        }
        actions={
          t.url && (
            <a className="btn" href={t.url} target="_blank" rel="noreferrer">
              View on MITRE <Icon name="external" size={12} />
            </a>
          )
        }
      />
      {t.revoked && ex.revoked_by && (
        <Alert tone="warning">
          Revoked by <TechniqueLink t={ex.revoked_by} />; its tests moved there.
        </Alert>
      )}
      <div className="grid-2 main-side">
        <div className="stack">
          <Card title="Description">
            <Prose text={t.description} />
          </Card>
          {t.detection && (
            <Card title="Detection">
              <Prose text={t.detection} />
            </Card>
          )}
          {(related.data?.subs.length ?? 0) > 0 && (
            <Card title="Sub-techniques" flush>
              <Table
                columns={[{ key: 'n', header: 'Technique', render: (s: Technique) => <TechniqueLink t={s} /> }]}
                rows={related.data!.subs}
                rowKey={(s) => s.id}
              />
            </Card>
          )}
          <Card title={`Groups using it${related.data ? ` (${related.data.actors.length})` : ''}`} flush>
            <Table
              columns={[
                {
                  key: 'a',
                  header: 'Group',
                  width: 220,
                  render: (r) => (r.expand?.actor ? <Link to={`/actors/${r.expand.actor.id}`}>{r.expand.actor.name}</Link> : '—'),
                },
                { key: 'p', header: 'Procedure', render: (r) => <Prose text={r.procedure || undefined} /> },
              ]}
              rows={related.data?.actors ?? []}
              rowKey={(r) => r.id}
              loading={related.loading}
              empty={<EmptyState title="No known group uses this technique" />}
            />
          </Card>
          <Card title={`Mitigations${related.data ? ` (${related.data.mitigations.length})` : ''}`} flush>
            <Table
              columns={[
                { key: 'i', header: 'ID', width: 90, render: (m) => <code>{m.attack_id}</code> },
                { key: 'n', header: 'Mitigation', render: (m) => m.name },
              ]}
              rows={related.data?.mitigations ?? []}
              rowKey={(m) => m.id}
              loading={related.loading}
              empty={<EmptyState title="No mitigations mapped" />}
            />
          </Card>
        </div>
        <div className="stack">
          <Card title="Coverage">
            {score.loading && <Spinner />}
            {score.error && <span className="faint small">Scores unavailable: {score.error}</span>}
            {sc && (
              <div className="stack tight" data-testid="score">
                <div className="row">
                  <span className="big-score">{Math.round(sc.score)}</span>
                  <LevelBadge level={level} />
                </div>
                <dl className="kv">
                  <dt>Validation (V)</dt>
                  <dd>{sc.V == null ? 'never validated' : sc.V.toFixed(2)}</dd>
                  <dt>Detection rules (R)</dt>
                  <dd>{sc.R == null ? '—' : sc.R.toFixed(2)}</dd>
                  <dt>Mitigation (M)</dt>
                  <dd>{sc.M == null ? '—' : sc.M.toFixed(2)}</dd>
                  {sc.D != null && (
                    <>
                      <dt title="Detection and visibility scores imported from DeTT&CT: an input of its own, never a validation">DeTT&amp;CT (D)</dt>
                      <dd>{sc.D.toFixed(2)}</dd>
                    </>
                  )}
                </dl>
                {(sc.breakdown ?? []).length > 0 && (
                  <table className="table">
                    <thead>
                      <tr>
                        <th>Why</th>
                        <th>Share</th>
                      </tr>
                    </thead>
                    <tbody>
                      {sc.breakdown.map((b, i) => (
                        <tr key={i} className={b.kind === 'more' ? 'faint' : undefined}>
                          <td>
                            <Badge tone="outline">{b.component || b.kind}</Badge> {b.kind === 'more' ? `…and ${b.name}` : b.name}
                            {b.detail && <div className="faint small">{b.detail}</div>}
                          </td>
                          <td className="mono">{b.share.toFixed(1)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {(sc.notes ?? []).map((n) => (
                  <div key={n} className="faint small">
                    {n}
                  </div>
                ))}
                {counts && counts.total > 0 && (
                  <div className="stack tight" data-testid="test-counts">
                    <div className="small">
                      Tests of {t.attack_id} itself: {plural(counts.counting, 'counts', 'count')} (the latest validated run of each procedure)
                      {counts.superseded > 0 && `, ${plural(counts.superseded, 'older run')} superseded`}
                      {counts.unconfirmed > 0 && `, ${plural(counts.unconfirmed, 'imported outcome')} awaiting confirmation`}
                      {counts.open > 0 && `, ${counts.open.toLocaleString('en-US')} without an outcome yet`}.
                    </div>
                    {counts.superseded > 0 && (
                      <div>
                        <Button size="small" onClick={() => setShowOld(!showOld)} aria-expanded={showOld}>
                          {showOld ? 'Hide superseded tests' : 'Show superseded tests'}
                        </Button>
                      </div>
                    )}
                    {showOld && <SupersededTests attackId={t.attack_id} />}
                  </div>
                )}
              </div>
            )}
          </Card>
          <Card title="Details">
            <dl className="kv">
              <dt>Domain</dt>
              <dd>{domainLabel(t.domain)}</dd>
              <dt>Platforms</dt>
              <dd>
                <Chips values={t.platforms} />
              </dd>
              <dt>Data components</dt>
              <dd>
                {(ex.data_components ?? []).length ? (
                  <span className="chips">
                    {ex.data_components!.map((d) => (
                      <Badge key={d.id} tone="info" title={d.data_source}>
                        {d.data_source ? `${d.data_source}: ` : ''}
                        {d.name}
                      </Badge>
                    ))}
                  </span>
                ) : (
                  <span className="faint">—</span>
                )}
              </dd>
              <dt>Detection strategies</dt>
              <dd>{related.data?.strategies.length ? related.data.strategies.map((s) => <div key={s.id}>{s.attack_id} {s.name}</div>) : <span className="faint">—</span>}</dd>
              <dt>Tests</dt>
              <dd>{counts == null ? '—' : <Link to={`/tests?technique=${t.id}`}>{plural(counts.total, 'test')}</Link>}</dd>
              <dt>Version</dt>
              <dd>{t.version || '—'}</dd>
              <dt>Modified</dt>
              <dd>{formatDate(t.modified)}</dd>
            </dl>
          </Card>
          <Card title="Scope">
            {can(me?.role, 'manage_scope') ? (
              <div className="stack tight">
                <Checkbox label="In scope for this organisation" checked={t.in_scope} onChange={(e) => save({ in_scope: e.target.checked })} />
                <Select label="Priority" placeholder="None" options={PRIORITY_OPTIONS} value={t.priority ?? ''} onChange={(e) => save({ priority: e.target.value })} />
                <span className="faint small">Kept across ATT&amp;CK re-imports.</span>
              </div>
            ) : (
              <div>
                {t.in_scope ? 'In scope' : 'Out of scope'}
                {t.priority ? ` · ${humanize(t.priority)} priority` : ''}
              </div>
            )}
          </Card>
        </div>
      </div>
    </div>
  )
}

