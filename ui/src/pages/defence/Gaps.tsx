import { api } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { levelFor, type Level } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { Alert, Badge, Card, EmptyState, FilterBar, Icon, LevelBadge, ListError, PageHead, Select, Spinner, Table } from '../../ds'
import { useFrameworks } from './Compliance'

// Compliance gap analysis: controls ranked by a gap score from their mapped
// techniques (coverage, priority, actors using them, how recently
// validated), with the techniques pulling each down and the actions that
// would raise it most.

export type GapAction = { kind: 'run_test' | 'plan_test' | 'write_test' | 'enable_rule'; technique: string; attack_id: string; id?: string; name: string; gain: number }
export type Pull = { id: string; attack_id: string; name: string; score: number; level: string; weight: number; deficit: number; actors: number; priority: string; reasons: string[]; raise?: number; actions?: GapAction[] }
export type RankedControl = { id: string; control_id: string; title: string; status: string; framework: string; score: number; level: string; gap_score: number; rank: number; techniques: number; why: Pull[]; raise: GapAction[] }
type Answer = { framework: string; controls: number; items: RankedControl[] }

const ACTION_VERB: Record<GapAction['kind'], string> = {
  run_test: 'Run test',
  plan_test: 'Plan a test from',
  write_test: 'Write a test',
  enable_rule: 'Enable rule',
}

/** actionLink is where an action is done: the test, the template in the library, the rule, or the technique. */
export function actionLink(a: GapAction): string {
  switch (a.kind) {
    case 'run_test':
      return `/tests/${a.id}`
    case 'plan_test':
      return `/library?q=${encodeURIComponent(a.name)}`
    case 'enable_rule':
      return `/rules/${a.id}`
  }
  return `/techniques/${encodeURIComponent(a.attack_id)}`
}

export function ActionList({ actions }: { actions: GapAction[] }) {
  if (actions.length === 0) return <span className="faint small">Nothing to raise it with yet: no open test, template or disabled rule.</span>
  return (
    <ol className="small m0 indent-18" data-testid="raise-actions">
      {actions.map((a, i) => (
        <li key={i}>
          {ACTION_VERB[a.kind]}{' '}
          <Link to={actionLink(a)} data-kind={a.kind}>
            {a.kind === 'write_test' ? a.attack_id : a.name}
          </Link>{' '}
          <span className="faint">
            ({a.attack_id}) +{a.gain.toFixed(1)} pts
          </span>
        </li>
      ))}
    </ol>
  )
}

export function PullList({ pulls }: { pulls: Pull[] }) {
  if (pulls.length === 0) return <span className="faint small">Nothing pulls it down.</span>
  return (
    <ul className="small m0 indent-18" data-testid="gap-why">
      {pulls.map((p) => (
        <li key={p.id}>
          <Link to={`/techniques/${encodeURIComponent(p.attack_id)}`}>
            <code>{p.attack_id}</code> {p.name}
          </Link>{' '}
          <span className="faint">{p.reasons.join(' · ')}</span>
        </li>
      ))}
    </ul>
  )
}

export default function GapsPage() {
  const { query } = useLocation()
  const fws = useFrameworks()
  const framework = query.get('framework') || fws.data?.[0]?.id || ''
  const selected = query.get('control') ?? ''
  const rep = useLoad(() => (framework ? api<Answer>(`/api/aegis/coverage/control-gaps/${encodeURIComponent(framework)}?limit=200`) : Promise.resolve(null)), [framework])
  const sel = rep.data?.items.find((c) => c.id === selected)
  if (fws.loading && !fws.data) return <Spinner />
  return (
    <div className="stack">
      <PageHead
        title="Compliance gaps"
        subtitle="Controls ranked by what to do first: a gap score from their techniques' coverage, priority, the actors using them and how recently they were validated."
        actions={<Link to={`/compliance${framework ? `?framework=${framework}` : ''}`}>← Controls</Link>}
      />
      {fws.error && <Alert>{fws.error}</Alert>}
      {fws.data && fws.data.length === 0 && (
        <Card>
          <EmptyState icon="§" title="No frameworks yet">Import a compliance framework from Integrations & jobs first.</EmptyState>
        </Card>
      )}
      {sel && (
        <Card title={`${sel.control_id} ${sel.title}`} actions={<Link to={`/compliance/gaps?framework=${framework}`}>Close</Link>}>
          <div className="grid-2" data-testid="gap-detail">
            <div className="stack tight">
              <b>Why it ranks #{sel.rank} (gap {sel.gap_score.toFixed(1)}, coverage {Math.round(sel.score)})</b>
              <PullList pulls={sel.why} />
            </div>
            <div className="stack tight">
              <b>What would raise it most</b>
              <ActionList actions={sel.raise} />
            </div>
          </div>
        </Card>
      )}
      {fws.data && fws.data.length > 0 && (
        <Card flush>
          <FilterBar>
            <Select label="Framework" options={fws.data.map((f) => ({ value: f.id, label: f.name }))} value={framework} onChange={(e) => setQuery({ framework: e.target.value, control: null })} />
            {rep.data && <span className="faint small">{rep.data.controls} controls, most urgent first</span>}
          </FilterBar>
          <ListError error={rep.error} />
          <Table
            caption="Compliance gaps"
            columns={[
              { key: 'r', header: '#', width: 50, render: (g: RankedControl) => <span className="mono">{g.rank}</span> },
              { key: 'c', header: 'Control', width: 100, render: (g: RankedControl) => <code>{g.control_id}</code> },
              { key: 'n', header: 'Title', render: (g: RankedControl) => <b>{g.title}</b> },
              { key: 'g', header: 'Gap', width: 80, render: (g: RankedControl) => <Badge tone={g.gap_score >= 70 ? 'danger' : g.gap_score >= 30 ? 'warning' : 'success'}>{g.gap_score.toFixed(0)}</Badge> },
              { key: 's', header: 'Coverage', width: 100, render: (g: RankedControl) => <LevelBadge level={(g.level as Level) || levelFor(g.score)}>{Math.round(g.score)}</LevelBadge> },
              { key: 'w', header: 'Pulled down by', render: (g: RankedControl) => <span className="small">{g.why.slice(0, 3).map((p) => p.attack_id).join(', ') || '—'}</span> },
              { key: 'a', header: 'Best next step', render: (g: RankedControl) => (g.raise[0] ? <span className="small">{ACTION_VERB[g.raise[0].kind]} {g.raise[0].kind === 'write_test' ? g.raise[0].attack_id : g.raise[0].name} (+{g.raise[0].gain.toFixed(1)})</span> : <span className="faint">—</span>) },
            ]}
            rows={rep.data?.items ?? []}
            rowKey={(g) => g.id}
            loading={rep.loading}
            onRowClick={(g) => setQuery({ control: g.id })}
            empty={<EmptyState icon={<Icon name="check" size={28} />} title="No controls">This framework has no controls.</EmptyState>}
          />
        </Card>
      )}
    </div>
  )
}

type ActorRaise = { id: string; attack_id: string; name: string; score: number; level: string; techniques: number; top: Pull[] }

/** RaiseCard: coverage against an actor (or ATT&CK campaign) and the techniques that would raise it most. */
export function RaiseCard({ actor }: { actor: string }) {
  const r = useLoad(() => api<ActorRaise>(`/api/aegis/coverage/actors/${encodeURIComponent(actor)}/raise?limit=5`), [actor])
  if (r.error) return null
  const d = r.data
  return (
    <Card title={d ? `Coverage against ${d.name}: ${Math.round(d.score)} %` : 'Coverage'}>
      {!d && <Spinner />}
      {d && (
        <div className="stack tight" data-testid="actor-raise">
          <span className="small">
            Over {d.techniques} in-scope technique{d.techniques === 1 ? '' : 's'}. {d.top.length > 0 ? `The ${d.top.length} that would raise it most:` : 'Nothing left to raise it with: no open test, template or disabled rule.'}
          </span>
          <ol className="small m0 indent-18">
            {d.top.map((p) => (
              <li key={p.id}>
                <Link to={`/techniques/${encodeURIComponent(p.attack_id)}`}>
                  <code>{p.attack_id}</code> {p.name}
                </Link>{' '}
                <Badge tone="primary">+{(p.raise ?? 0).toFixed(1)} pts</Badge>
                <div className="faint">{p.reasons.join(' · ')}</div>
                {p.actions && p.actions.length > 0 && <ActionList actions={p.actions} />}
              </li>
            ))}
          </ol>
        </div>
      )}
    </Card>
  )
}
