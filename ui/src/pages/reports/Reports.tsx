import { useState } from 'react'
import type { RecordModel } from 'pocketbase'
import { api, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { useCampaigns } from '../../lib/campaigns'
import { useAuth } from '../../lib/auth'
import { can } from '../../lib/roles'
import { formatDate, levelFor, signed } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { Alert, Button, Card, EmptyState, FilterBar, Icon, LevelBadge, PageHead, Select, Spinner, Table, useAction, useToast } from '../../ds'
import { LineChart } from '../../ds/charts'
import { fetchBlob, fileName, saveBlob } from '../../lib/files'
import { DOMAINS } from '../attack/common'

// Trends and reports: snapshots over time, comparisons of snapshots and
// campaign rounds, exports and the executive report.

type TacticPoint = { shortname: string; name: string; score: number }
export type Snapshot = { id: string; taken_at: string; trigger: string; label?: string; totals: { score: number; level: string; validated: number; in_scope: number }; by_tactic: TacticPoint[] }
type Delta = { attack_id: string; name?: string; a: number; b: number; delta: number }
export type Comparison = { score: [number, number]; delta: number; by_tactic: { shortname: string; name: string; a: number; b: number; delta: number }[]; improved: Delta[] | null; degraded: Delta[] | null; added: string[] | null; removed: string[] | null }
type Trend = { points: Snapshot[] | null; latest_change?: Comparison; current?: Snapshot }

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#9333ea', '#0d9488', '#ea580c', '#4f46e5', '#be123c', '#059669']

/** withCurrent adds the coverage now (computed by the server, not stored)
 *  after the snapshots, so a trend shows from the first day; it is left out
 *  when the latest snapshot already says the same thing today. */
export function withCurrent(points: Snapshot[], current?: Snapshot): Snapshot[] {
  if (!current) return points
  const last = points[points.length - 1]
  const today = (current.taken_at || '').slice(0, 10)
  if (last && (last.taken_at || '').slice(0, 10) === today && Math.abs((last.totals?.score ?? 0) - (current.totals?.score ?? 0)) < 0.05) return points
  return [...points, { ...current, id: 'now', label: 'now' }]
}

/** trendSeries turns snapshots into the overall line plus the weakest tactics. */
export function trendSeries(points: Snapshot[], tactics = 4) {
  const days = new Set(points.map((p) => (p.taken_at || '').slice(0, 10)))
  // Snapshots of a single day are told apart by their time.
  const labels = points.map((p) => (p.id === 'now' ? 'now' : days.size === 1 && points.length > 1 ? (p.taken_at || '').slice(11, 16) : (p.taken_at || '').slice(5, 10)))
  const overall = { label: 'Overall', values: points.map((p) => p.totals?.score ?? 0), color: 'var(--text)' }
  const last = points[points.length - 1]
  const weakest = [...(last?.by_tactic ?? [])].sort((a, b) => a.score - b.score).slice(0, tactics)
  const lines = weakest.map((t, i) => ({ label: t.name, values: points.map((p) => p.by_tactic?.find((x) => x.shortname === t.shortname)?.score ?? 0), color: PALETTE[i % PALETTE.length] }))
  return { labels, series: [overall, ...lines] }
}

const EXPORTS: { path: string; label: string }[] = [
  { path: '/api/aegis/export/navigator', label: 'Navigator layer' },
  { path: '/api/aegis/export/heatmap.svg', label: 'Heatmap SVG' },
  { path: '/api/aegis/export/heatmap.png', label: 'Heatmap PNG' },
  { path: '/api/aegis/export/techniques.csv', label: 'Techniques CSV' },
  { path: '/api/aegis/export/tests.csv', label: 'Tests CSV' },
  { path: '/api/aegis/export/rules.csv', label: 'Rules CSV' },
  { path: '/api/aegis/export/controls.csv', label: 'Controls CSV' },
  { path: '/api/aegis/export/actors.csv', label: 'Actors CSV' },
  { path: '/api/aegis/export/tests.json', label: 'Tests JSON' },
]

export type ReportScope = { domain?: string; platform?: string; actor?: string; campaign?: string }

/** reportQuery is the query of the executive report (HTML and PDF) for a scope,
 *  the same parameters as the matrix: empty values are left out. */
export function reportQuery(s: ReportScope): string {
  const p = new URLSearchParams()
  for (const k of ['domain', 'platform', 'actor', 'campaign'] as const) {
    const v = s[k]?.trim()
    if (v && !(k === 'domain' && v === 'enterprise-attack')) p.set(k, v)
  }
  const q = p.toString()
  return q ? '?' + q : ''
}

/** reportFileName names the PDF after its scope. */
export function reportFileName(s: ReportScope, actorId?: string, campaignName?: string): string {
  const part = (x: string) => x.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
  const bits = [s.domain && s.domain !== 'enterprise-attack' ? s.domain : '', s.platform ?? '', actorId ?? '', campaignName ?? ''].map(part).filter(Boolean)
  return `aegis-executive-report${bits.length ? '-' + bits.join('-') : ''}.pdf`
}

export default function ReportsPage() {
  const { query } = useLocation()
  // The report's scope lives in the URL, like the matrix's filters.
  const scope: ReportScope = { domain: query.get('domain') || 'enterprise-attack', platform: query.get('platform') ?? '', actor: query.get('actor') ?? '', campaign: query.get('campaign') ?? '' }
  const actors = useLoad(() => pb.collection('threat_actors').getFullList<RecordModel & { attack_id: string; name: string }>({ fields: 'id,attack_id,name', sort: 'name', batch: 1000 }), [])
  const campaigns = useCampaigns()
  const platforms = useLoad(async () => {
    const ts = await pb.collection('techniques').getFullList<RecordModel & { platforms: unknown }>({ filter: pb.filter('domain = {:d} && revoked = false', { d: scope.domain }), fields: 'platforms', batch: 1000 })
    const set = new Set<string>()
    for (const t of ts) for (const p of Array.isArray(t.platforms) ? (t.platforms as string[]) : []) set.add(p)
    return [...set].sort()
  }, [scope.domain])
  const actorRec = actors.data?.find((a) => a.id === scope.actor)
  const campaignRec = campaigns.data?.find((c) => c.id === scope.campaign)
  const me = useAuth()
  const toast = useToast()
  const trend = useLoad(() => api<Trend>('/api/aegis/trends'), [])
  const [label, setLabel] = useState('')
  const { busy, run } = useAction()
  const points = trend.data?.points ?? []
  const shown = withCurrent(points, trend.data?.current)
  const canSnap = can(me?.role, 'manage_findings')
  const snap = () =>
    run('snap', 'Could not take a snapshot', async () => {
      await api('/api/aegis/snapshots', { body: { label } })
      setLabel('')
      toast.push({ title: 'Snapshot taken', tone: 'success' })
      trend.reload()
    })
  const download = (path: string) => run(path, 'Download failed', async () => saveBlob(await fetchBlob(path), fileName(path)))
  const executive = () => {
    const w = window.open('', '_blank')
    return run('exec', 'Could not build the report', async () => {
      try {
        const blob = await fetchBlob('/api/aegis/reports/executive' + reportQuery(scope))
        const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }))
        if (w) w.location.href = url
        else window.open(url, '_blank')
      } catch (err) {
        w?.close()
        throw err
      }
    })
  }
  const pdf = () =>
    run('pdf', 'Could not build the PDF', async () =>
      saveBlob(await fetchBlob('/api/aegis/reports/executive.pdf' + reportQuery(scope)), reportFileName(scope, actorRec ? actorRec.attack_id || actorRec.id : '', campaignRec?.name)),
    )
  const { labels, series } = trendSeries(shown)
  return (
    <div className="stack">
      <PageHead
        title="Trends & reports"
        subtitle="Coverage snapshots over time, comparisons, exports and the printable executive report."
      />
      <Card
        title="Executive report"
        actions={
          <>
            <Button busy={busy === 'exec'} onClick={executive}>
              <Icon name="file" /> Executive report
            </Button>
            <Button variant="primary" busy={busy === 'pdf'} onClick={pdf} data-testid="executive-pdf">
              <Icon name="download" /> Download PDF
            </Button>
          </>
        }
      >
        <FilterBar plain>
          <Select label="Domain" options={DOMAINS} value={scope.domain} onChange={(e) => setQuery({ domain: e.target.value === 'enterprise-attack' ? null : e.target.value, platform: null })} data-testid="report-domain" />
          <Select label="Platform" placeholder="All platforms" options={(platforms.data ?? []).map((p) => ({ value: p, label: p }))} value={scope.platform} onChange={(e) => setQuery({ platform: e.target.value || null })} data-testid="report-platform" />
          <Select
            label="Threat actor"
            placeholder="Any actor"
            options={(actors.data ?? []).map((a) => ({ value: a.id, label: `${a.name}${a.attack_id ? ` (${a.attack_id})` : ''}` }))}
            value={scope.actor}
            onChange={(e) => setQuery({ actor: e.target.value || null })}
            data-testid="report-actor"
          />
          <Select label="Campaign" placeholder="Any campaign" options={(campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={scope.campaign} onChange={(e) => setQuery({ campaign: e.target.value || null })} data-testid="report-campaign" />
        </FilterBar>
        <p className="small muted m0">Both the printable report and the PDF cover this scope, as the matrix does with the same filters.</p>
      </Card>
      <Card
        title="Coverage trend"
        actions={
          canSnap && (
            <>
              <input className="input w-200" aria-label="Snapshot label" placeholder="Label (optional)" value={label} onChange={(e) => setLabel(e.target.value)} />
              <Button busy={busy === 'snap'} onClick={snap}>Take snapshot</Button>
            </>
          )
        }
      >
        {trend.error && <Alert>{trend.error}</Alert>}
        {trend.loading && !trend.data && <Spinner />}
        {trend.data && shown.length === 0 && (
          <EmptyState icon={<Icon name="chart" size={28} />} title="No coverage to chart yet">
            The trend starts with the first ATT&CK import: a snapshot is taken after every import that changes something, and daily at 05:00 UTC.
          </EmptyState>
        )}
        {shown.length > 0 && <LineChart labels={labels} series={series} />}
        {trend.data && shown.length > 0 && points.length < 2 && (
          <p className="small muted" data-testid="trend-hint">
            {points.length === 0 ? 'No snapshot stored yet: the line shows the coverage now. ' : 'One snapshot so far, and the coverage now. '}
            Snapshots are taken after every import that changes something and daily at 05:00 UTC
            {canSnap ? '; take one now with a label to mark a milestone.' : '; a lead or an administrator can also take one with a label to mark a milestone.'}
          </p>
        )}
        {trend.data?.latest_change && (
          <p className="small muted">
            Last change: overall {signed(trend.data.latest_change.delta)} points; {trend.data.latest_change.improved?.length ?? 0} techniques improved, {trend.data.latest_change.degraded?.length ?? 0} degraded.
          </p>
        )}
      </Card>
      <CompareSnapshots points={points} />
      <CompareRounds />
      <Card title="Exports">
        <div className="row">
          {EXPORTS.map((x) => (
            <Button key={x.path} size="small" busy={busy === x.path} onClick={() => download(x.path)}>
              <Icon name="download" /> {x.label}
            </Button>
          ))}
        </div>
      </Card>
    </div>
  )
}

function CompareSnapshots({ points }: { points: Snapshot[] }) {
  const opts = [...points].reverse().map((p) => ({ value: p.id, label: `${formatDate(p.taken_at)}${p.label ? ` · ${p.label}` : ''} (${Math.round(p.totals?.score ?? 0)})` }))
  const [a, setA] = useState('')
  const [b, setB] = useState('')
  const aa = a || points[points.length - 2]?.id || ''
  const bb = b || points[points.length - 1]?.id || ''
  const cmp = useLoad(() => (aa && bb && aa !== bb ? api<Comparison>(`/api/aegis/compare?a=${encodeURIComponent(aa)}&b=${encodeURIComponent(bb)}`) : Promise.resolve(null)), [aa, bb])
  return (
    <Card title="Compare snapshots">
      {points.length < 2 ? (
        <p className="faint">Two snapshots are needed for a comparison.</p>
      ) : (
        <div className="stack">
          <div className="filters">
            <Select label="From" options={opts} value={aa} onChange={(e) => setA(e.target.value)} />
            <Select label="To" options={opts} value={bb} onChange={(e) => setB(e.target.value)} />
          </div>
          {cmp.error && <Alert>{cmp.error}</Alert>}
          {cmp.data && <ComparisonView c={cmp.data} />}
        </div>
      )}
    </Card>
  )
}

function CompareRounds() {
  const camps = useCampaigns()
  const [campaign, setCampaign] = useState('')
  const cmp = useLoad(() => (campaign ? api<Comparison>(`/api/aegis/compare/rounds?campaign=${encodeURIComponent(campaign)}`) : Promise.resolve(null)), [campaign])
  return (
    <Card title="Compare campaign rounds">
      <div className="stack">
        <div className="filters">
          <Select label="Campaign" placeholder="Choose a campaign" options={(camps.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={campaign} onChange={(e) => setCampaign(e.target.value)} />
        </div>
        {camps.error && <Alert>{camps.error}</Alert>}
        {cmp.loading && campaign && <Spinner />}
        {cmp.error && <Alert tone="info">{cmp.error}</Alert>}
        {cmp.data && <ComparisonView c={cmp.data} />}
        {!campaign && <p className="faint small">The first and last rounds (retests) of the campaign are compared.</p>}
      </div>
    </Card>
  )
}

function ComparisonView({ c }: { c: Comparison }) {
  const changes = [...(c.improved ?? []), ...(c.degraded ?? [])].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta)).slice(0, 30)
  return (
    <div className="stack" data-testid="comparison">
      <div className="row">
        <LevelBadge level={levelFor(c.score[0])}>{Math.round(c.score[0])}</LevelBadge> → <LevelBadge level={levelFor(c.score[1])}>{Math.round(c.score[1])}</LevelBadge>
        <b className={c.delta > 0 ? 'text-success' : c.delta < 0 ? 'text-danger' : undefined}>{signed(c.delta)}</b>
        <span className="faint small">
          {c.improved?.length ?? 0} improved · {c.degraded?.length ?? 0} degraded · {c.added?.length ?? 0} added · {c.removed?.length ?? 0} removed
        </span>
      </div>
      {changes.length > 0 && (
        <Table
          caption="Technique changes"
          columns={[
            { key: 'i', header: 'Technique', render: (d: Delta) => <Link to={`/techniques/${d.attack_id}`}><code>{d.attack_id}</code> {d.name}</Link> },
            { key: 'a', header: 'Before', width: 80, render: (d: Delta) => Math.round(d.a) },
            { key: 'b', header: 'After', width: 80, render: (d: Delta) => Math.round(d.b) },
            { key: 'd', header: 'Change', width: 90, render: (d: Delta) => <b className={d.delta > 0 ? 'text-success' : 'text-danger'}>{signed(d.delta)}</b> },
          ]}
          rows={changes}
          rowKey={(d) => d.attack_id}
        />
      )}
      {(c.by_tactic ?? []).some((t) => Math.abs(t.delta) >= 0.05) && (
        <div className="small muted">
          By tactic: {(c.by_tactic ?? []).filter((t) => Math.abs(t.delta) >= 0.05).map((t) => `${t.name} ${signed(t.delta)}`).join(' · ')}
        </div>
      )}
    </div>
  )
}
