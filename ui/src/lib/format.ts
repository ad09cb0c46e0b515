// Formatting helpers shared by the pages.

/** PocketBase dates are "2026-11-30 04:33:00.000Z"; browsers want a "T". */
export function parseDate(v: string | undefined | null): Date | null {
  if (!v) return null
  const d = new Date(v.replace(' ', 'T'))
  return isNaN(d.getTime()) ? null : d
}

export function formatDate(v: string | undefined | null): string {
  const d = parseDate(v)
  if (!d) return '—'
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
}

export function relativeTime(v: string | undefined | null, now: Date = new Date()): string {
  const d = parseDate(v)
  if (!d) return '—'
  const s = Math.round((now.getTime() - d.getTime()) / 1000)
  const abs = Math.abs(s)
  const units: [number, string][] = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
    [Infinity, 'year'],
  ]
  let n = abs
  for (const [size, name] of units) {
    if (n < size) {
      const v2 = Math.max(1, Math.floor(n))
      if (name === 'second' && abs < 45) return s >= 0 ? 'just now' : 'in a moment'
      const txt = `${v2} ${name}${v2 === 1 ? '' : 's'}`
      return s >= 0 ? `${txt} ago` : `in ${txt}`
    }
    n = n / size
  }
  return formatDate(v)
}

/** duration formats milliseconds as "1.2 s" or "3 min 4 s". */
export function duration(ms: number): string {
  if (!isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const m = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${m} min ${s} s`
}

export function plural(n: number, word: string, many = word + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`
}

/** humanize turns "blue_review" into "Blue review". */
export function humanize(v: string | undefined | null): string {
  if (!v) return '—'
  const s = v.replace(/[_-]+/g, ' ').trim()
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** asArray reads a JSON field that should hold an array. */
export function asArray<T = string>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[]
  if (typeof v === 'string' && v.startsWith('[')) {
    try {
      const p = JSON.parse(v)
      return Array.isArray(p) ? p : []
    } catch {
      return []
    }
  }
  return []
}

/** Coverage levels of DESIGN §5, from a 0–100 score. */
export type Level = 'none' | 'low' | 'partial' | 'good' | 'validated'
export const LEVELS: Level[] = ['none', 'low', 'partial', 'good', 'validated']
export const LEVEL_LABELS: Record<Level, string> = {
  none: 'None',
  low: 'Low (<30)',
  partial: 'Partial (<70)',
  good: 'Good (≥70)',
  validated: 'Validated',
}

export function levelFor(score: number | null | undefined, validated = false): Level {
  if (validated) return 'validated'
  if (score == null || score <= 0) return 'none'
  if (score < 30) return 'low'
  if (score < 70) return 'partial'
  return 'good'
}

/** compareAttackId sorts T1003 < T1003.001 < T1059. */
export function compareAttackId(a: string, b: string): number {
  const pa = a.split('.')
  const pb = b.split('.')
  if (pa[0] !== pb[0]) return pa[0] < pb[0] ? -1 : 1
  return (Number(pa[1] ?? -1) || 0) - (Number(pb[1] ?? -1) || 0) || (pa.length - pb.length)
}

/** signed formats a score change with its sign. */
export function signed(n: number, digits = 1): string {
  const r = Math.round(n * 10 ** digits) / 10 ** digits
  return (r > 0 ? '+' : r < 0 ? '−' : '±') + Math.abs(r).toFixed(digits)
}
