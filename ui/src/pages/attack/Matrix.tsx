import { useMemo, useState } from 'react'
import { api, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useCampaigns } from '../../lib/campaigns'
import { useLiveReload } from '../../lib/live'
import { asArray, levelFor, plural } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { can } from '../../lib/roles'
import { useAuth } from '../../lib/auth'
import { Alert, Badge, Button, Card, EmptyState, FilterBar, Icon, LevelLegend, PageHead, Select, Spinner, TextInput, useToast } from '../../ds'
import { fetchBlob, saveBlob } from '../../lib/files'
import { errorMessage } from '../../lib/pb'
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

/** loadMatrix reads a domain's tactics and its live techniques (from the coverage model) (the matrix page and the campaign editor's picker). */
export async function loadMatrix(domain: string) {
  const [tactics, techniques] = await Promise.all([
    pb.collection('tactics').getFullList<Tactic>({ filter: pb.filter('domain = {:d}', { d: domain }), sort: 'matrix_order' }),
    // The live techniques with the fields the matrix shows, from the
    // coverage model (kept per model generation: no row texts are read).
    api<{ items: Technique[] }>(`/api/aegis/coverage/techniques?domain=${encodeURIComponent(domain)}`).then((r) => r.items ?? []),
  ])
  return { tactics, techniques }
}

/** cellLevel is the coverage level class of a technique cell. */
export function cellLevel(t: Pick<Technique, 'in_scope'>, sc: CoverageCell | undefined, scored: boolean): string {
  return !t.in_scope ? 'out_of_scope' : sc ? sc.level || levelFor(sc.score) : scored ? 'none' : 'plain'
}

/** layerScopes lists the Navigator layer scopes the current filters allow, most specific first. */
export function layerScopes(f: { actor?: { id: string; attack_id?: string; name: string } | null; campaign?: { id: string; name: string } | null; platform?: string }) {
  const on = f.platform ? ` on ${f.platform}` : ''
  const out: { value: string; label: string }[] = []
  if (f.campaign) out.push({ value: `campaign:${f.campaign.id}`, label: `Campaign ${f.campaign.name}${on}` })
  if (f.actor) out.push({ value: `actor:${f.actor.attack_id || f.actor.id}`, label: `Actor ${f.actor.name}${on}` })
  out.push({ value: 'coverage', label: `All coverage${on}` })
  return out
}

/** layerURL is the Navigator export for a scope and the matrix's domain and platform. */
export function layerURL(scope: string, domain: string, platform: string) {
  const p = new URLSearchParams({ scope, domain })
  if (platform) p.set('platform', platform)
  return `/api/aegis/export/navigator?${p.toString()}`
}

/** headline says what the overall score averages. */
export function headline(m: { score: number; in_scope?: number; scope?: string } | null | undefined) {
  if (!m) return null
  const what = (m.scope || 'all in-scope techniques').replace(/^all /, '')
  return { score: Math.round(m.score), text: `the mean of ${(m.in_scope ?? 0).toLocaleString('en-US')} ${what}` }
}
type AttackCampaignRow = { id: string; attack_id: string; name: string; techniques: unknown }

export default function MatrixPage() {
  const me = useAuth()
  const { query } = useLocation()
  const domain = query.get('domain') || 'enterprise-attack'
  const platform = query.get('platform') ?? ''
  const actor = query.get('actor') ?? ''
  const campaign = query.get('campaign') ?? ''
  const wide = query.get('view') === 'wide'
  const acamp = query.get('attack_campaign') ?? ''
  const [q, setQ] = useState(query.get('q') ?? '')
  const [open, setOpen] = useState<Set<string>>(new Set())
  const [showSubs, setShowSubs] = useState(false)
  const toast = useToast()

  const data = useLoad(() => loadMatrix(domain), [domain])
  const coverage = useLoad(() => api<CoverageMatrix>(`/api/aegis/coverage/matrix?domain=${encodeURIComponent(domain)}` + (platform ? `&platform=${encodeURIComponent(platform)}` : '')), [domain, platform])
  // The heatmap follows recorded outcomes and rule changes live.
  useLiveReload(['tests', 'detection_rules'], coverage.reload)
  // The headline follows every filter: the server averages exactly the techniques shown.
  const scoped = useLoad(
    () =>
      actor || campaign
        ? api<CoverageMatrix>(`/api/aegis/coverage/matrix?${new URLSearchParams({ domain, ...(platform && { platform }), ...(actor && { actor }), ...(campaign && { campaign }) }).toString()}`)
        : Promise.resolve(null),
    [domain, platform, actor, campaign],
  )
  useLiveReload(['tests', 'detection_rules'], scoped.reload)
  const head = headline(actor || campaign ? scoped.data : coverage.data)
  const campaigns = useCampaigns()
  const [layerScope, setLayerScope] = useState('')
  // The tracked actors by name, from the coverage model (kept per model generation; no actor texts read).
  const actors = useLoad(
    () =>
      api<{ items: { id: string; ref?: string; name: string }[] }>('/api/aegis/coverage/actors').then((r) =>
        (r.items ?? []).map((a) => ({ id: a.id, attack_id: a.ref ?? '', name: a.name }) as Actor).sort((a, b) => a.name.localeCompare(b.name)),
      ),
    [],
  )
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
  const campaignTechs = useMemo(() => (campaign && scoped.data ? new Set(indexCoverage(scoped.data).keys()) : null), [campaign, scoped.data])
  // A layer (an actor, else an ATT&CK campaign) and a campaign of ours narrow the matrix together.
  const campaignRow = acamps.data?.find((c) => c.id === acamp)
  const layerUsed = actor ? actorTechs.data : campaignRow ? new Set(asArray<string>(campaignRow.techniques)) : null
  const used: Set<string> | null =
    layerUsed || campaignTechs ? new Set((data.data?.techniques ?? []).filter((t) => (!layerUsed || layerUsed.has(t.id)) && (!campaignTechs || campaignTechs.has(t.attack_id))).map((t) => t.id)) : null
  const highlighted = (t: Technique, subs: Technique[]) => (used ? used.has(t.id) || subs.some((s) => used.has(s.id)) : needle ? matches(t) || subs.some(matches) : true)
  const total = new Set(cols.flatMap((c) => c.techniques.filter(({ t }) => visible(t)).map(({ t }) => t.id))).size
  const actorName = actors.data?.find((a) => a.id === actor)
  const campaignRec = campaigns.data?.find((c) => c.id === campaign)
  const scopes = layerScopes({ actor: actorName, campaign: campaignRec, platform })
  const scope = scopes.some((x) => x.value === layerScope) ? layerScope : scopes[0]!.value
  const exportReport = async () => {
    const p = new URLSearchParams({ domain, ...(platform && { platform }), ...(actor && { actor }), ...(campaign && { campaign }) })
    try {
      saveBlob(await fetchBlob(`/api/aegis/reports/executive.pdf?${p.toString()}`), `aegis-executive-report${actorName ? '-' + (actorName.attack_id || actorName.id) : ''}.pdf`)
    } catch (err) {
      toast.push({ title: 'Could not build the PDF', body: errorMessage(err), tone: 'error' })
    }
  }
  const exportLayer = async () => {
    try {
      saveBlob(await fetchBlob(layerURL(scope, domain, platform)), `aegis-layer-${scope.replace(/[:/]/g, '-')}.json`)
    } catch (err) {
      toast.push({ title: 'Layer export failed', body: errorMessage(err), tone: 'error' })
    }
  }

  const exportAs = async (kind: 'svg' | 'png') => {
    const shown = cols.map((c) => ({ ...c, techniques: c.techniques.filter(({ t }) => visible(t)) }))
    const title = `ATT&CK ${DOMAINS.find((d) => d.value === domain)?.label ?? domain} coverage`
    const subtitle = [
      head ? `coverage ${head.score}/100, ${head.text}` : 'catalogue',
      !actor && campaignRow && `ATT&CK campaign ${campaignRow.attack_id} ${campaignRow.name}`,
      campaignRec && `campaign ${campaignRec.name}`,
      new Date().toISOString().slice(0, 10),
    ]
      .filter(Boolean)
      .join(' · ')
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
    const level = cellLevel(t, sc, !!coverage.data)
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
              const sl = cellLevel(s, ss, !!coverage.data)
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
          head ? (
            <span data-testid="matrix-headline">
              Coverage <b>{head.score}</b> / 100: {head.text}.
            </span>
          ) : (
            <>Tactics in matrix order with their techniques. {total > 0 && plural(total, 'technique')}</>
          )
        }
        actions={
          <>
            <Button onClick={() => setShowSubs((s) => !s)}>{showSubs ? 'Collapse sub-techniques' : 'Expand all'}</Button>
            <Button onClick={() => setQuery({ view: wide ? null : 'wide' })} aria-pressed={!wide} title={wide ? 'Fit every tactic on the screen' : 'Wider columns with full names'}>
              <Icon name={wide ? 'compress' : 'expand'} /> {wide ? 'Fit all tactics' : 'Wide columns'}
            </Button>
            <Button onClick={() => exportAs('svg')} disabled={!cols.length}>
              <Icon name="download" /> Export SVG
            </Button>
            <Button onClick={() => exportAs('png')} disabled={!cols.length}>
              <Icon name="download" /> Export PNG
            </Button>
            {can(me?.role, 'manage_integrations') && <Link to="/integrations" className="btn">Import ATT&amp;CK</Link>}
          </>
        }
      />
      <Card>
        <FilterBar plain>
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
          <Select label="Campaign" placeholder="Any campaign" options={(campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={campaign} onChange={(e) => setQuery({ campaign: e.target.value })} />
          <TextInput label="Search" placeholder="Name or T-id" value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="grow" />
          <div className="row layer-export">
            <Select label="Navigator layer" options={scopes} value={scope} onChange={(e) => setLayerScope(e.target.value)} data-testid="layer-scope" />
            <Button onClick={exportLayer} aria-label="Download the Navigator layer" title="Download the Navigator layer (JSON)">
              <Icon name="layers" /> Layer
            </Button>
            <Button onClick={exportReport} aria-label="Download the executive report of this view as PDF" title="The executive report (PDF) for the current filters">
              <Icon name="file" /> PDF
            </Button>
          </div>
        </FilterBar>
        {actorName && actorTechs.data && (
          <div className="mt-10">
            <Badge tone="primary">
              {actorName.name} uses {plural(actorTechs.data.size, 'technique')}
            </Badge>{' '}
            <Link to={`/actors/${actorName.id}`}>Actor details</Link>
          </div>
        )}
        {!actor && campaignRow && used && (
          <div className="mt-10" data-testid="campaign-layer">
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
            icon={<Icon name="grid" size={28} />}
            title="No ATT&CK data for this domain"
            action={can(me?.role, 'manage_integrations') ? <Link to="/integrations?action=upload" className="btn primary">Import ATT&amp;CK</Link> : undefined}
          >
            Import an ATT&amp;CK bundle or sync from MITRE on the Integrations page.
          </EmptyState>
        </Card>
      )}
      {cols.length > 0 && (
        <div className="matrix-bar">
          {coverage.data ? <LevelLegend /> : <span className="faint small">{coverage.loading ? 'Loading scores…' : 'Coverage scores unavailable: showing the catalogue.'}</span>}
          <span className="faint small">Scroll inside the matrix; tactic headers stay in view.</span>
        </div>
      )}
      {cols.length > 0 && (
        <div className={'matrix' + (wide ? '' : ' compact')} data-testid="matrix" tabIndex={0} aria-label="ATT&CK matrix">
          <div className="matrix-grid">
          {cols.map((c) => {
            const list = c.techniques.filter(({ t }) => visible(t))
            return (
              <section key={c.tactic.id} className="matrix-col" aria-label={c.tactic.name}>
                <header data-testid="tactic-header">
                  <b title={c.tactic.name}>{c.tactic.name}</b>
                  <span>
                    {c.tactic.attack_id} · {plural(list.length, 'technique')}
                  </span>
                </header>
                {list.map(({ t, subs }) => cell(t, subs, c.tactic.id))}
              </section>
            )
          })}
          </div>
        </div>
      )}
    </div>
  )
}
