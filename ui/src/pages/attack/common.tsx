import type { RecordModel } from 'pocketbase'
import { Link } from '../../lib/router'
import { Alert, Badge, Card, Spinner } from '../../ds'
import { asArray } from '../../lib/format'

export type Tactic = RecordModel & { stix_id: string; attack_id: string; name: string; shortname: string; domain: string; matrix_order: number; description?: string; url?: string }
export type Technique = RecordModel & {
  attack_id: string
  name: string
  description?: string
  detection?: string
  domain: string
  tactics: string[]
  platforms: unknown
  is_subtechnique: boolean
  parent: string
  revoked: boolean
  deprecated: boolean
  revoked_by?: string
  in_scope: boolean
  priority: string
  url?: string
  version?: string
  modified?: string
}
export type Actor = RecordModel & {
  attack_id: string
  name: string
  aliases: unknown
  description?: string
  target_sectors: unknown
  target_regions: unknown
  references: unknown
  source: string
  domain?: string
  url?: string
  revoked?: boolean
  deprecated?: boolean
}

export const DOMAINS = [
  { value: 'enterprise-attack', label: 'Enterprise' },
  { value: 'mobile-attack', label: 'Mobile' },
  { value: 'ics-attack', label: 'ICS' },
]

export function domainLabel(d: string | undefined): string {
  return DOMAINS.find((x) => x.value === d)?.label ?? d ?? '—'
}

export function TechniqueLink({ t }: { t: { attack_id: string; name: string } }) {
  return (
    <Link to={`/techniques/${encodeURIComponent(t.attack_id)}`}>
      <code>{t.attack_id}</code> {t.name}
    </Link>
  )
}

/** MappedTechniques lists the techniques a mapping table links a record to
 *  (a control, a countermeasure), loading and failing in words, each with a
 *  short note on how it is mapped. */
export function MappedTechniques<M extends { id: string; expand?: { technique?: { attack_id: string; name: string } } }>({ maps, note }: { maps: { data: M[] | null; loading: boolean; error: string }; note: (m: M) => string }) {
  return (
    <>
      {maps.loading && <Spinner />}
      {maps.error && <Alert>{maps.error}</Alert>}
      {maps.data && maps.data.length === 0 && <p className="faint">No mapped technique.</p>}
      <div className="stack tight">
        {(maps.data ?? []).map((m) =>
          m.expand?.technique ? (
            <span key={m.id}>
              <TechniqueLink t={m.expand.technique} />
              {note(m) && <span className="faint small"> {note(m)}</span>}
            </span>
          ) : null,
        )}
      </div>
    </>
  )
}

export function Chips({ values, tone = 'outline' as const }: { values: unknown; tone?: 'outline' | 'primary' | 'info' }) {
  const xs = asArray<string>(values).filter((x) => typeof x === 'string' && x)
  if (!xs.length) return <span className="faint">—</span>
  return (
    <span className="chips">
      {xs.map((x) => (
        <Badge key={x} tone={tone}>
          {x}
        </Badge>
      ))}
    </span>
  )
}

/** Text renders ATT&CK prose: paragraphs, with "(Citation: …)" markers quietened. */
export function Prose({ text }: { text?: string }) {
  if (!text) return <span className="faint">No description.</span>
  const parts = text.split(/(\(Citation: [^)]*\))/g)
  return (
    <div className="prose">
      {parts.map((p, i) =>
        p.startsWith('(Citation:') ? (
          <sup key={i} className="faint" title={p.slice(1, -1)}>
            [{p.slice(11, -1)}]
          </sup>
        ) : (
          <span key={i}>
            {p
              .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
              .split(/<code>(.*?)<\/code>/g)
              .map((q, j) => (j % 2 ? <code key={j}>{q}</code> : q))}
          </span>
        ),
      )}
    </div>
  )
}

export type CoverageCell = { id: string; attack_id: string; score: number; level: string; V: number | null; R: number | null; M: number | null; subtechniques?: CoverageCell[] }
export type CoverageMatrix = { domain: string; score: number; level: string; in_scope?: number; scope?: string; tactics: { attack_id: string; name: string; score: number; level: string; techniques: CoverageCell[] }[] }

/** indexCoverage maps ATT&CK ids to their scores from /coverage/matrix. */
export function indexCoverage(m: CoverageMatrix | null): Map<string, CoverageCell> {
  const out = new Map<string, CoverageCell>()
  if (!m?.tactics) return out
  for (const t of m.tactics)
    for (const c of t.techniques ?? []) {
      out.set(c.attack_id, c)
      for (const s of c.subtechniques ?? []) out.set(s.attack_id, s)
    }
  return out
}

/** References lists an ATT&CK object's external references (the first 25 with a URL). */
export function References({ refs }: { refs: unknown }) {
  const list = asArray<{ url?: string; source_name?: string }>(refs).filter((r) => r && r.url)
  if (list.length === 0) return null
  return (
    <Card title="References">
      <ul className="m0 indent-18">
        {list.slice(0, 25).map((r, i) => (
          <li key={i}>
            <a href={r.url} target="_blank" rel="noreferrer">
              {r.source_name || r.url}
            </a>
          </li>
        ))}
      </ul>
    </Card>
  )
}
