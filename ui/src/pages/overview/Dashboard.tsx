import type { RecordModel } from 'pocketbase'
import { api, pb } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { applyEvent, useLiveReload, useSubscription } from '../../lib/live'
import { duration, humanize, LEVEL_LABELS, relativeTime, type Level } from '../../lib/format'
import { Link } from '../../lib/router'
import { STATE_COLORS, STATE_LABELS, STATES } from '../../lib/workflow'
import { Alert, Badge, Card, EmptyState, LevelBadge, PageHead, Spinner, Table } from '../../ds'
import { BarList, Gauge, StackedBar } from '../../ds/charts'

type GroupScore = { id: string; ref?: string; name: string; score: number; level: string; techniques: number; validated: number }
type Metrics = {
  score: number
  level: string
  tests_by_state: Record<string, number>
  outcomes: { validated: number; prevention: Record<string, number>; detection: Record<string, number> }
  detection_rate: number
  prevention_rate: number
  freshness: Record<string, number>
  time_to_detect: { samples: number; median_seconds: number; p90_seconds: number }
  coverage_by_tactic: GroupScore[]
  findings: { open: number; closed: number; by_status: Record<string, number> }
}
type Next = { id: string; attack_id: string; name: string; score: number; level: string; actors: number; priority: string; reasons?: string[] }
type AuditRow = RecordModel & { actor_name: string; action: string; collection: string; record_id: string }

const DETECTION_COLORS: Record<string, string> = { technique: '#2e8b57', tactic: '#6fbf8a', general: '#a7dcb5', telemetry: '#fbe3a1', none: '#f6c8c4' }
const pct = (x: number) => `${Math.round((x || 0) * 100)}%`

export default function DashboardPage() {
  const metrics = useLoad(() => api<Metrics>('/api/aegis/metrics'), [])
  const next = useLoad(() => api<{ items: Next[] }>('/api/aegis/coverage/gaps?limit=8').then((r) => r.items ?? []), [])
  const activity = useLoad(() => pb.collection('audit_logs').getList<AuditRow>(1, 12, { sort: '-created,-id', skipTotal: true }).then((r) => r.items), [])

  // Scores follow the work: a recorded outcome, a rule enabled or a control
  // implemented updates the headline and the lists without a reload.
  useLiveReload(['tests', 'detection_rules', 'compliance_controls', 'd3fend_techniques'], metrics.reload)
  useLiveReload(['tests', 'detection_rules'], next.reload)

  // Recent activity is live.
  useSubscription<AuditRow>('audit_logs', '*', (e) => e.action === 'create' && activity.set((cur) => applyEvent(cur ?? [], e, { limit: 12 })))

  const m = metrics.data
  return (
    <div className="stack">
      <PageHead title="Dashboard" subtitle="How well are we covered, and what should we test next?" actions={<Link to="/matrix" className="btn">Open the matrix</Link>} />
      {metrics.error && <Alert>Coverage metrics are unavailable: {metrics.error}</Alert>}
      {metrics.loading && !m && <Spinner label="Computing coverage…" />}
      {m && (
        <>
          <div className="grid-3 headline">
            <Card>
              <div className="row column-center" data-testid="headline-score">
                <Gauge value={m.score} level={m.level} />
                <LevelBadge level={(m.level as Level) in LEVEL_LABELS ? (m.level as Level) : 'none'} />
              </div>
            </Card>
            <Stat label="Detection rate" value={pct(m.detection_rate)} hint={`${m.outcomes.validated} validated tests`} />
            <Stat label="Prevention rate" value={pct(m.prevention_rate)} hint="blocked or partially blocked" />
            <Stat label="Time to detect" value={m.time_to_detect.samples ? duration(m.time_to_detect.median_seconds * 1000) : '—'} hint={m.time_to_detect.samples ? `median of ${m.time_to_detect.samples}, p90 ${duration(m.time_to_detect.p90_seconds * 1000)}` : 'no detections timed yet'} />
            <Stat label="Open findings" value={String(m.findings.open)} hint={`${m.findings.closed} closed`} />
          </div>
          <div className="grid-2 three-two">
            <Card title="Coverage by tactic">
              {m.coverage_by_tactic.length ? (
                <BarList bars={m.coverage_by_tactic.map((t) => ({ label: t.name, value: t.score, level: t.level }))} />
              ) : (
                <EmptyState title="No ATT&CK data yet">Import ATT&amp;CK to see coverage by tactic.</EmptyState>
              )}
            </Card>
            <div className="stack">
              <Card title="Tests by state">
                <StackedBar segments={STATES.map((s) => ({ label: STATE_LABELS[s] ?? s, value: m.tests_by_state?.[s] ?? 0, color: STATE_COLORS[s] }))} />
              </Card>
              <Card title="Detection outcomes">
                <StackedBar segments={Object.keys(DETECTION_COLORS).map((d) => ({ label: humanize(d), value: m.outcomes.detection?.[d] ?? 0, color: DETECTION_COLORS[d] }))} />
              </Card>
              <Card title="Validation freshness">
                <div className="chips">
                  {Object.entries(m.freshness ?? {}).map(([k, v]) => (
                    <Badge key={k} tone="outline">
                      {humanize(k)}: <b>{v}</b>
                    </Badge>
                  ))}
                </div>
              </Card>
            </div>
          </div>
        </>
      )}
      <div className="grid-2">
        <Card title="What to test next" flush>
          <Table
            columns={[
              {
                key: 't',
                header: 'Technique',
                value: (n: Next) => n.attack_id,
                render: (n: Next) => (
                  <span>
                    <code>{n.attack_id}</code> {n.name}
                    {n.reasons && n.reasons.length > 0 && <span className="faint small d-block">{n.reasons.filter((r) => !r.startsWith('score ')).join('; ')}</span>}
                  </span>
                ),
              },
              { key: 'a', header: 'Actors', width: 70, value: (n: Next) => n.actors, render: (n: Next) => n.actors },
              { key: 's', header: 'Score', width: 120, value: (n: Next) => n.score, render: (n: Next) => <LevelBadge level={(n.level as Level) in LEVEL_LABELS ? (n.level as Level) : 'none'}>{Math.round(n.score)}</LevelBadge> },
            ]}
            rows={next.data ?? []}
            rowKey={(n) => n.id}
            rowHref={(n) => `/techniques/${encodeURIComponent(n.attack_id)}`}
            keyboard={false}
            loading={next.loading}
            empty={<EmptyState title={next.error ? 'Unavailable' : 'Nothing to suggest yet'}>{next.error || 'Import ATT&CK and threat actors first.'}</EmptyState>}
          />
        </Card>
        <Card title="Recent activity" flush>
          <Table
            columns={[
              { key: 'w', header: 'When', width: 120, render: (a: AuditRow) => <span className="faint small">{relativeTime(a.created)}</span> },
              { key: 'a', header: 'Who', render: (a: AuditRow) => a.actor_name || 'system' },
              { key: 'x', header: 'What', render: (a: AuditRow) => <span>{humanize(a.action)} <span className="faint mono small">{a.collection}</span></span> },
            ]}
            rows={activity.data ?? []}
            rowKey={(a) => a.id}
            loading={activity.loading}
            empty={<EmptyState title="No activity yet" />}
          />
        </Card>
      </div>
    </div>
  )
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card>
      <div className="stat p0">
        <div className="l">{label}</div>
        <div className="v">{value}</div>
        {hint && <div className="faint small">{hint}</div>}
      </div>
    </Card>
  )
}
