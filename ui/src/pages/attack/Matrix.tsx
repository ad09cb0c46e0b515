import { useMemo, useState } from 'react'
import { api, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useLiveReload } from '../../lib/live'
import { asArray, levelFor, plural } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { can } from '../../lib/roles'
import { useAuth } from '../../lib/auth'
import { Alert, Badge, Button, Card, EmptyState, LevelLegend, PageHead, Select, Spinner, TextInput, useToast } from '../../ds'
import { download, heatmapSvg, svgToPng } from './heatmap'
import { DOMAINS, indexCoverage, type Actor, type CoverageCell, type CoverageMatrix, type Tactic, type Technique } from './common'

// The ATT&CK matrix: tactic columns in the imported matrix order, technique
// cells with expandable sub-techniques, coloured by coverage when the
// scoring engine answers, and filtered by domain, platform, actor and text.

export type Column = { tactic: Tactic; techniques: { t: Technique; subs: Technique[] }[] }

/** buildMatrix arranges techniques under their tactics (a technique may sit in several). */
export function buildMatrix(tactics: Tactic[], techniques: Technique[]): Column[] {
  const subsOf = new Map<string, Technique[]>()
  for (const t of techniques) if (t.is_subtechnique && t.parent) subsOf.set(t.parent, [...(subsOf.get(t.parent) ?? []), t])
  const cols = [...tactics].sort((a, b) => a.matrix_order - b.matrix_order || a.name.localeCompare(b.name)).map((tactic) => ({ tactic, techniques: [] as Column['techniques'] }))
  const byId = new Map(cols.map((c) => [c.tactic.id, c]))
  for (const t of techniques) {
    if (t.is_subtechnique) continue
    const subs = (subsOf.get(t.id) ?? []).sort((a, b) => a.attack_id.localeCompare(b.attack_id, 'en', { numeric: true }))
    for (const tid of t.tactics ?? []) byId.get(tid)?.techniques.push({ t, subs })
  }
  for (const c of cols) c.techniques.sort((a, b) => a.t.name.localeCompare(b.t.name))
  return cols
}

type AttackCampaignRow = { id: string; attack_id: string; name: string; techniques: unknown }

export default function MatrixPage() {
  const me = useAuth()
  const { query } = useLocation()
  const domain = query.get('domain') || 'enterprise-attack'
  const platform = query.get('platform') ?? ''
  const actor = query.get('actor') ?? ''
  const acamp = query.get('attack_campaign') ?? ''
  const [q, setQ] = useState(query.get('q') ?? '')
  const [open, setOpen] = useState<Set<string>>(new Set())
  const [showSubs, setShowSubs] = useState(false)
  const toast = useToast()

  const data = useLoad(async () => {
    const [tactics, techniques] = await Promise.all([
      pb.collection('tactics').getFullList<Tactic>({ filter: pb.filter('domain = {:d}', { d: domain }), sort: 'matrix_order' }),
      pb.collection('techniques').getFullList<Technique>({
        filter: pb.filter('domain = {:d} && revoked = false && deprecated = false', { d: domain }),
        fields: 'id,attack_id,name,tactics,platforms,is_subtechnique,parent,in_scope,priority',
        batch: 1000,
      }),
    ])
    return { tactics, techniques }
  }, [domain])
  const coverage = useLoad(() => api<CoverageMatrix>(`/api/aegis/coverage/matrix?domain=${encodeURIComponent(domain)}` + (platform ? `&platform=${encodeURIComponent(platform)}` : '')), [domain, platform])
  // The heatmap follows recorded outcomes and rule changes live.
  useLiveReload(['tests', 'detection_rules'], coverage.reload)
  const actors = useLoad(() => pb.collection('threat_actors').getFullList<Actor>({ fields: 'id,attack_id,name', sort: 'name', batch: 1000 }), [])
  const actorTechs = useLoad(
    async () => (actor ? new Set((await pb.collection('actor_techniques').getFullList({ filter: pb.filter('actor = {:a}', { a: actor }), fields: 'technique', batch: 1000 })).map((r) => r.technique as string)) : null),
    [actor],
  )
  // ATT&CK campaigns (C0001…) are a layer like an actor.
  const acamps = useLoad(() => pb.collection('attack_campaigns').getFullList<AttackCampaignRow>({ fields: 'id,attack_id,name,techniques', sort: 'attack_id', filter: 'revoked = false', batch: 1000 }), [])

  const scores = useMemo(() => indexCoverage(coverage.data), [coverage.data])
  const platforms = useMemo(() => {
    const s = new Set<string>()
    for (const t of data.data?.techniques ?? []) for (const p of asArray<string>(t.platforms)) s.add(p)
    return [...s].sort()
  }, [data.data])
  const cols = useMemo(() => (data.data ? buildMatrix(data.data.tactics, data.data.techniques) : []), [data.data])

  const needle = q.trim().toLowerCase()
  const matches = (t: Technique) => !needle || t.name.toLowerCase().includes(needle) || t.attack_id.toLowerCase().includes(needle)
  const visible = (t: Technique) => !platform || asArray<string>(t.platforms).includes(platform)
  const campaignRow = acamps.data?.find((c) => c.id === acamp)
  const used = actor ? actorTechs.data : campaignRow ? new Set(asArray<string>(campaignRow.techniques)) : null
  const highlighted = (t: Technique, subs: Technique[]) => (used ? used.has(t.id) || subs.some((s) => used.has(s.id)) : needle ? matches(t) || subs.some(matches) : true)
  const total = new Set(cols.flatMap((c) => c.techniques.filter(({ t }) => visible(t)).map(({ t }) => t.id))).size
  const actorName = actors.data?.find((a) => a.id === actor)

  const exportAs = async (kind: 'svg' | 'png') => {
    const shown = cols.map((c) => ({ ...c, techniques: c.techniques.filter(({ t }) => visible(t)) }))
    const title = `ATT&CK ${DOMAINS.find((d) => d.value === domain)?.label ?? domain} coverage`
    const subtitle = [coverage.data ? `overall ${Math.round(coverage.data.score)}/100` : 'catalogue', platform && `platform ${platform}`, actorName && `actor ${actorName.name}`, !actor && campaignRow && `campaign ${campaignRow.attack_id} ${campaignRow.name}`, new Date().toISOString().slice(0, 10)].filter(Boolean).join(' · ')
    const svg = heatmapSvg(shown, scores, { title, subtitle })
    const name = `aegis-heatmap-${domain}${platform ? '-' + platform : ''}.${kind}`
    try {
      download(name, kind === 'svg' ? new Blob([svg], { type: 'image/svg+xml' }) : await svgToPng(svg))
    } catch (err) {
      toast.push({ title: 'Export failed', body: String((err as Error).message), tone: 'error' })
    }
  }

  const cell = (t: Technique, subs: Technique[], tacticId: string) => {
    const sc: CoverageCell | undefined = scores.get(t.attack_id)
    const level = !t.in_scope ? 'out_of_scope' : sc ? sc.level || levelFor(sc.score) : coverage.data ? 'none' : 'plain'
    const key = tacticId + t.id
    const expanded = showSubs || open.has(key) || (!!needle && subs.some(matches) && !matches(t))
    const vis = subs.filter(visible)
    const hit = highlighted(t, subs)
    return (
      <div key={key} className={`tcell lvl-${level}${hit ? (used || needle ? ' hit' : '') : ' dim'}`} data-testid="technique-cell">
        <div className="tmain">
          <Link to={`/techniques/${encodeURIComponent(t.attack_id)}`} title={`${t.attack_id} ${t.name}${sc ? ` · score ${Math.round(sc.score)}` : ''}`}>
            {t.name}
            <span className="tid">
              {t.attack_id}
              {sc && sc.score > 0 && <span className="tscore"> · {Math.round(sc.score)}</span>}
            </span>
          </Link>
          {vis.length > 0 && (
            <button
              className="expand"
              aria-expanded={expanded}
              aria-label={`${expanded ? 'Hide' : 'Show'} ${vis.length} sub-techniques of ${t.name}`}
              onClick={() =>
                setOpen((o) => {
                  const n = new Set(o)
                  if (n.has(key)) n.delete(key)
                  else n.add(key)
                  return n
                })
              }
            >
              {expanded ? '▾' : '▸'} {vis.length}
            </button>
          )}
        </div>
        {expanded && vis.length > 0 && (
          <div className="subs">
            {vis.map((s) => {
              const ss = scores.get(s.attack_id)
              const sl = !s.in_scope ? 'out_of_scope' : ss ? ss.level || levelFor(ss.score) : coverage.data ? 'none' : 'plain'
              const sh = used ? used.has(s.id) : needle ? matches(s) : true
              return (
                <div key={s.id} className={`tcell lvl-${sl}${sh ? '' : ' dim'}`}>
                  <div className="tmain">
                    <Link to={`/techniques/${encodeURIComponent(s.attack_id)}`}>
                      {s.name}
                      <span className="tid">
                        {s.attack_id}
                        {ss && ss.score > 0 && <span className="tscore"> · {Math.round(ss.score)}</span>}
                      </span>
                    </Link>
                  </div>
                </div>
              )
            })}
          </div>
        )}
      </div>
    )
  }

  return (
    <div className="stack">
      <PageHead
        title="ATT&CK matrix"
        subtitle={
          coverage.data ? (
            <>
              Overall coverage <b>{Math.round(coverage.data.score)}</b> / 100 across {plural(total, 'technique')}.
            </>
          ) : (
            <>Tactics in matrix order with their techniques. {total > 0 && plural(total, 'technique')}</>
          )
        }
        actions={
          <>
            <Button onClick={() => setShowSubs((s) => !s)}>{showSubs ? 'Collapse sub-techniques' : 'Expand all'}</Button>
            <Button onClick={() => exportAs('svg')} disabled={!cols.length}>
              Export SVG
            </Button>
            <Button onClick={() => exportAs('png')} disabled={!cols.length}>
              Export PNG
            </Button>
            {can(me?.role, 'manage_integrations') && <Link to="/integrations" className="btn">Import ATT&amp;CK</Link>}
          </>
        }
      />
      <Card>
        <div className="filters">
          <Select label="Domain" options={DOMAINS} value={domain} onChange={(e) => setQuery({ domain: e.target.value, platform: null })} />
          <Select label="Platform" placeholder="All platforms" options={platforms.map((p) => ({ value: p, label: p }))} value={platform} onChange={(e) => setQuery({ platform: e.target.value })} />
          <Select
            label="Threat actor"
            placeholder="Any actor"
            options={(actors.data ?? []).map((a) => ({ value: a.id, label: `${a.name}${a.attack_id ? ` (${a.attack_id})` : ''}` }))}
            value={actor}
            onChange={(e) => setQuery({ actor: e.target.value, attack_campaign: null })}
          />
          <Select
            label="ATT&CK campaign"
            placeholder="Any campaign"
            options={(acamps.data ?? []).map((c) => ({ value: c.id, label: `${c.attack_id} ${c.name}` }))}
            value={acamp}
            onChange={(e) => setQuery({ attack_campaign: e.target.value, actor: null })}
          />
          <TextInput label="Search" placeholder="Name or T-id" value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="grow" />
          {coverage.data ? <LevelLegend /> : <span className="faint small">{coverage.loading ? 'Loading scores…' : 'Coverage scores unavailable: showing the catalogue.'}</span>}
        </div>
        {actorName && used && (
          <div style={{ marginTop: 10 }}>
            <Badge tone="primary">
              {actorName.name} uses {plural(used.size, 'technique')}
            </Badge>{' '}
            <Link to={`/actors/${actorName.id}`}>Actor details</Link>
          </div>
        )}
        {!actor && campaignRow && used && (
          <div style={{ marginTop: 10 }} data-testid="campaign-layer">
            <Badge tone="primary">
              {campaignRow.attack_id} {campaignRow.name} used {plural(used.size, 'technique')}
            </Badge>{' '}
            <Link to={`/attack-campaigns/${campaignRow.id}`}>Campaign details</Link>
          </div>
        )}
      </Card>
      {data.loading && !data.data && <Spinner label="Loading the matrix…" />}
      {data.error && <Alert>{data.error}</Alert>}
      {data.data && cols.length === 0 && (
        <Card>
          <EmptyState
            icon="▦"
            title="No ATT&CK data for this domain"
            action={can(me?.role, 'manage_integrations') ? <Link to="/integrations?action=upload" className="btn primary">Import ATT&amp;CK</Link> : undefined}
          >
            Import an ATT&amp;CK bundle or sync from MITRE on the Integrations page.
          </EmptyState>
        </Card>
      )}
      {cols.length > 0 && (
        <div className="matrix" data-testid="matrix">
          {cols.map((c) => {
            const list = c.techniques.filter(({ t }) => visible(t))
            return (
              <section key={c.tactic.id} className="matrix-col" aria-label={c.tactic.name}>
                <header>
                  <b>{c.tactic.name}</b>
                  <span>
                    {c.tactic.attack_id} · {plural(list.length, 'technique')}
                  </span>
                </header>
                {list.map(({ t, subs }) => cell(t, subs, c.tactic.id))}
              </section>
            )
          })}
        </div>
      )}
    </div>
  )
}
