import { api, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useSubmit } from '../../lib/submit'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { asArray, compareAttackId } from '../../lib/format'
import { Link, navigate } from '../../lib/router'
import { Alert, Badge, Button, Card, EmptyState, PageHead, Spinner, Table } from '../../ds'
import { Chips, Prose, References, TechniqueLink, type Technique } from './common'
import { seen, type AttackCampaign } from './AttackCampaigns'
import { RaiseCard } from '../defence/Gaps'

type Software = { id: string; attack_id: string; name: string; kind: string }

export default function AttackCampaignPage({ params }: { params: Record<string, string> }) {
  const me = useAuth()
  const { busy, error, run } = useSubmit()
  const camp = useLoad(async () => {
    const r = await pb.collection('attack_campaigns').getList<AttackCampaign>(1, 1, {
      filter: pb.filter('id = {:id} || attack_id = {:id}', { id: params.id }),
      expand: 'actors,software',
    })
    if (!r.items.length) throw new Error(`No ATT&CK campaign ${params.id}.`)
    return r.items[0]
  }, [params.id])
  const c = camp.data
  const techs = useLoad(async () => {
    const ids = asArray<string>(c?.techniques)
    if (!ids.length) return []
    const list: Technique[] = []
    for (let i = 0; i < ids.length; i += 100) {
      const part = ids.slice(i, i + 100)
      list.push(...(await pb.collection('techniques').getFullList<Technique>({ filter: part.map((id) => pb.filter('id = {:id}', { id })).join(' || '), fields: 'id,attack_id,name,domain,revoked,deprecated' })))
    }
    return list.sort((x, y) => compareAttackId(x.attack_id, y.attack_id))
  }, [c?.id])
  if (camp.loading && !c) return <Spinner />
  if (camp.error) return <Alert>{camp.error}</Alert>
  if (!c) return null
    const software = (c.expand as { software?: Software[] } | undefined)?.software ?? []
  const plan = () =>
    run(async () => {
      const r = await api<{ campaign: { id: string } }>('/api/aegis/campaigns/from-attack-campaign', { body: { attack_campaign: c.id } })
      navigate(`/campaigns/${r.campaign.id}`)
    })
  return (
    <div className="stack">
      <div className="faint small">
        <Link to="/attack-campaigns">ATT&amp;CK campaigns</Link> / {c.name}
      </div>
      <PageHead
        title={
          <span className="row">
            <code className="fs-20">{c.attack_id}</code> {c.name}
          </span>
        }
        subtitle={<Chips values={asArray<string>(c.aliases).filter((x) => x !== c.name)} />}
        actions={
          <>
            {can(me?.role, 'plan_campaigns') && (
              <Button variant="primary" busy={busy} onClick={plan}>
                Plan an emulation
              </Button>
            )}
            <Link className="btn" to={`/matrix?attack_campaign=${c.id}`}>
              Show on the matrix
            </Link>
            {c.url && (
              <a className="btn" href={c.url} target="_blank" rel="noreferrer">
                MITRE ↗
              </a>
            )}
          </>
        }
      />
      {error && <Alert>{error}</Alert>}
      <div className="grid-2 main-side narrow-side">
        <div className="stack">
          <Card title="Description">
            <Prose text={c.description} />
          </Card>
          <Card title={`Techniques used${techs.data ? ` (${techs.data.length})` : ''}`} flush>
            <Table
              columns={[
                { key: 't', header: 'Technique', render: (t: Technique) => <TechniqueLink t={t} /> },
                { key: 's', header: '', width: 110, render: (t: Technique) => (t.revoked ? <Badge tone="warning">Revoked</Badge> : t.deprecated ? <Badge tone="warning">Deprecated</Badge> : null) },
              ]}
              rows={techs.data ?? []}
              rowKey={(t) => t.id}
              loading={techs.loading}
              empty={<EmptyState title="ATT&CK links no technique to this campaign" />}
            />
          </Card>
        </div>
        <div className="stack">
          <RaiseCard actor={c.id} />
          <Card title="Profile">
            <dl className="kv">
              <dt>Active</dt>
              <dd>{seen(c)}</dd>
              <dt>Attributed to</dt>
              <dd>
                {(c.expand?.actors ?? []).length === 0 ? (
                  <span className="faint">—</span>
                ) : (
                  (c.expand?.actors ?? []).map((a) => (
                    <div key={a.id}>
                      <Link to={`/actors/${a.id}`}>
                        {a.name} ({a.attack_id})
                      </Link>
                    </div>
                  ))
                )}
              </dd>
              <dt>Software</dt>
              <dd>{software.length ? <Chips values={software.map((s) => `${s.name} (${s.attack_id})`)} /> : <span className="faint">—</span>}</dd>
            </dl>
          </Card>
          <References refs={c.references} />
        </div>
      </div>
    </div>
  )
}
