import type { RecordModel } from 'pocketbase'
import { pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { asArray, compareAttackId, humanize } from '../../lib/format'
import { Link } from '../../lib/router'
import { Alert, Icon, Badge, Card, EmptyState, PageHead, Spinner, Table } from '../../ds'
import { Chips, Prose, References, TechniqueLink, type Actor, type Technique } from './common'
import { RaiseCard } from '../defence/Gaps'

type Use = RecordModel & { procedure: string; expand?: { technique?: Technique } }

export default function ActorPage({ params }: { params: Record<string, string> }) {
  const actor = useLoad(async () => {
    const r = await pb.collection('threat_actors').getList<Actor>(1, 1, { filter: pb.filter('id = {:id} || attack_id = {:id}', { id: params.id }) })
    if (!r.items.length) throw new Error(`No threat actor ${params.id}.`)
    return r.items[0]
  }, [params.id])
  const a = actor.data
  const uses = useLoad(
    async () =>
      a
        ? (await pb.collection('actor_techniques').getFullList<Use>({ filter: pb.filter('actor = {:a}', { a: a.id }), expand: 'technique', batch: 500 })).sort((x, y) =>
            compareAttackId(x.expand?.technique?.attack_id ?? '', y.expand?.technique?.attack_id ?? ''),
          )
        : [],
    [a?.id],
  )
  const camps = useLoad(
    async () => (a ? pb.collection('attack_campaigns').getFullList<RecordModel & { attack_id: string; name: string }>({ filter: pb.filter('actors ~ {:a}', { a: a.id }), fields: 'id,attack_id,name', sort: 'attack_id' }) : []),
    [a?.id],
  )
  if (actor.loading && !a) return <Spinner />
  if (actor.error) return <Alert>{actor.error}</Alert>
  if (!a) return null
    const domain = uses.data?.[0]?.expand?.technique?.domain ?? 'enterprise-attack'
  return (
    <div className="stack">
      <div className="faint small">
        <Link to="/actors">Threat actors</Link> / {a.name}
      </div>
      <PageHead
        title={
          <span className="row">
            {a.attack_id && <code className="fs-20">{a.attack_id}</code>} {a.name}
          </span>
        }
        subtitle={<Chips values={asArray<string>(a.aliases).filter((x) => x !== a.name)} />}
        actions={
          <>
            <Link className="btn primary" to={`/matrix?actor=${a.id}&domain=${domain}`}>
              Show on the matrix
            </Link>
            {a.url && (
              <a className="btn" href={a.url} target="_blank" rel="noreferrer">
                MITRE <Icon name="external" size={12} />
              </a>
            )}
          </>
        }
      />
      <div className="grid-2 main-side narrow-side">
        <div className="stack">
          <Card title="Description">
            <Prose text={a.description} />
          </Card>
          <Card title={`Techniques used${uses.data ? ` (${uses.data.length})` : ''}`} flush>
            <Table
              columns={[
                { key: 't', header: 'Technique', width: 300, render: (u: Use) => (u.expand?.technique ? <TechniqueLink t={u.expand.technique} /> : '—') },
                { key: 'p', header: 'Procedure', render: (u: Use) => <Prose text={u.procedure || undefined} /> },
              ]}
              rows={uses.data ?? []}
              rowKey={(u) => u.id}
              loading={uses.loading}
              empty={<EmptyState title="No techniques recorded for this actor" />}
            />
          </Card>
        </div>
        <div className="stack">
          <RaiseCard actor={a.id} />
          <Card title="Profile">
            <dl className="kv">
              <dt>Source</dt>
              <dd>
                <Badge>{humanize(a.source || 'attack')}</Badge>
              </dd>
              <dt>Sectors</dt>
              <dd>
                <Chips values={a.target_sectors} />
              </dd>
              <dt>Regions</dt>
              <dd>
                <Chips values={a.target_regions} />
              </dd>
            </dl>
          </Card>
          {(camps.data?.length ?? 0) > 0 && (
            <Card title="ATT&CK campaigns attributed">
              <ul className="m0 indent-18">
                {camps.data!.map((c) => (
                  <li key={c.id}>
                    <Link to={`/attack-campaigns/${c.id}`}>
                      {c.attack_id} {c.name}
                    </Link>
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <References refs={a.references} />
        </div>
      </div>
    </div>
  )
}
