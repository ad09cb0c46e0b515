import { api } from '../../lib/pb'
import { useLoad } from '../../lib/data'
import { levelFor, type Level } from '../../lib/format'
import { Link, setQuery, useLocation } from '../../lib/router'
import { Alert, Badge, Card, Checkbox, EmptyState, FilterBar, Icon, LevelBadge, PageHead, Select, Spinner, Table } from '../../ds'
import { useFrameworks } from './Compliance'

// Compliance gap analysis: controls whose techniques are weakly covered or
// were never validated.

export type ControlGap = { id: string; name: string; score: number; level: string; techniques: number; validated: number; control_id: string; family?: string; never_validated: string[] | null; weak_techniques: string[] | null; gap: boolean }
type GapAnswer = { framework: string; controls: number; gaps: number; items: ControlGap[] }

export default function GapsPage() {
  const { query } = useLocation()
  const fws = useFrameworks()
  const framework = query.get('framework') || fws.data?.[0]?.id || ''
  const onlyGaps = query.get('all') !== '1'
  const rep = useLoad(() => (framework ? api<GapAnswer>(`/api/aegis/coverage/compliance/${encodeURIComponent(framework)}${onlyGaps ? '?gaps=1' : ''}`) : Promise.resolve(null)), [framework, onlyGaps])
  if (fws.loading && !fws.data) return <Spinner />
  return (
    <div className="stack">
      <PageHead title="Compliance gaps" subtitle="Controls with a mapped in-scope technique below the low threshold or never validated." actions={<Link to={`/compliance${framework ? `?framework=${framework}` : ''}`}>← Controls</Link>} />
      {fws.error && <Alert>{fws.error}</Alert>}
      {fws.data && fws.data.length === 0 && (
        <Card>
          <EmptyState icon="§" title="No frameworks yet">Import a compliance framework from Integrations & jobs first.</EmptyState>
        </Card>
      )}
      {fws.data && fws.data.length > 0 && (
        <Card flush>
          <FilterBar>
            <Select label="Framework" options={fws.data.map((f) => ({ value: f.id, label: f.name }))} value={framework} onChange={(e) => setQuery({ framework: e.target.value })} />
            <Checkbox label="Only gaps" checked={onlyGaps} onChange={(e) => setQuery({ all: e.target.checked ? null : '1' })} />
            {rep.data && (
              <span className="row">
                <Badge tone="danger">{rep.data.gaps} gaps</Badge> <span className="faint small">of {rep.data.controls} controls</span>
              </span>
            )}
          </FilterBar>
          {rep.error && <div className="pad"><Alert>{rep.error}</Alert></div>}
          <Table
            caption="Compliance gaps"
            columns={[
              { key: 'c', header: 'Control', width: 100, render: (g: ControlGap) => <code>{g.control_id}</code> },
              { key: 'n', header: 'Title', render: (g: ControlGap) => <b>{g.name}</b> },
              { key: 's', header: 'Score', width: 110, render: (g: ControlGap) => <LevelBadge level={(g.level as Level) || levelFor(g.score)}>{Math.round(g.score)}</LevelBadge> },
              { key: 't', header: 'Techniques', width: 100, render: (g: ControlGap) => `${g.validated}/${g.techniques}` },
              { key: 'w', header: 'Weak', render: (g: ControlGap) => <TechList ids={g.weak_techniques} /> },
              { key: 'v', header: 'Never validated', render: (g: ControlGap) => <TechList ids={g.never_validated} /> },
            ]}
            rows={rep.data?.items ?? []}
            rowKey={(g) => g.id}
            loading={rep.loading}
            empty={<EmptyState icon={<Icon name="check" size={28} />} title={onlyGaps ? 'No gaps' : 'No controls'}>{onlyGaps ? 'Every mapped technique is covered and validated.' : 'This framework has no controls.'}</EmptyState>}
          />
        </Card>
      )}
    </div>
  )
}

function TechList({ ids }: { ids: string[] | null }) {
  const xs = ids ?? []
  if (xs.length === 0) return <span className="faint">—</span>
  return (
    <span className="small">
      {xs.slice(0, 8).map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <Link to={`/techniques/${id}`}>{id}</Link>
        </span>
      ))}
      {xs.length > 8 && <span className="faint"> +{xs.length - 8}</span>}
    </span>
  )
}
