import { pb } from '../lib/pb'
import { FINDING_LABELS, FINDING_STATUSES, SEVERITIES as SEVERITY_LIST } from '../lib/vocabulary.gen'

// Small pure helpers shared by the content, defence, reporting and settings pages.

/** FINDING_COLUMNS is the remediation board, left to right. */
export const FINDING_COLUMNS = FINDING_STATUSES
export { FINDING_LABELS }
export const SEVERITIES: string[] = [...SEVERITY_LIST]

/** nextFindingStates lists where a finding may move from its current column. */
export function nextFindingStates(status: string): string[] {
  const s = status || 'open'
  return FINDING_COLUMNS.filter((c) => c !== s)
}

export function severityTone(s: string): 'danger' | 'warning' | 'info' | 'default' {
  return s === 'critical' || s === 'high' ? 'danger' : s === 'medium' ? 'warning' : s === 'low' ? 'info' : 'default'
}

/** isOverdue tells whether a due date lies before now for an unfinished item. */
export function isOverdue(due: string | undefined | null, status: string, now = new Date()): boolean {
  if (!due || status === 'resolved' || status === 'risk_accepted') return false
  const d = new Date(due.replace(' ', 'T'))
  return !isNaN(d.getTime()) && d.getTime() < now.getTime()
}

/** andFilter joins non-empty PocketBase filter parts with &&. */
export function andFilter(parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' && ')
}

/** ruleLanguage guesses how to highlight a rule's raw content. */
export function ruleLanguage(source: string, content: string): 'yaml' | 'toml' | 'text' {
  if (source === 'sigma') return 'yaml'
  if (source === 'elastic') return 'toml'
  if (/^\s*\[[\w.]+\]\s*$/m.test(content)) return 'toml'
  if (/^\s*[\w-]+:\s/m.test(content)) return 'yaml'
  return 'text'
}

export type Token = { text: string; kind: 'key' | 'string' | 'comment' | 'section' | 'punct' | 'plain' }

/** highlightLine splits one YAML or TOML line into coloured tokens. */
export function highlightLine(line: string, lang: 'yaml' | 'toml' | 'text'): Token[] {
  if (lang === 'text') return [{ text: line, kind: 'plain' }]
  const m = line.match(/^(\s*)(#.*)$/)
  if (m) return [{ text: m[1], kind: 'plain' }, { text: m[2], kind: 'comment' }].filter((t) => t.text)as Token[]
  if (lang === 'toml' && /^\s*\[\[?[^\]]+\]\]?\s*$/.test(line)) return [{ text: line, kind: 'section' }]
  const kv = lang === 'yaml' ? line.match(/^(\s*-?\s*)([\w.|-]+)(:)(\s?.*)$/) : line.match(/^(\s*)([\w.-]+)(\s*=)(\s*.*)$/)
  const out: Token[] = []
  let rest = line
  if (kv) {
    if (kv[1]) out.push({ text: kv[1], kind: 'plain' })
    out.push({ text: kv[2], kind: 'key' }, { text: kv[3], kind: 'punct' })
    rest = kv[4]
  }
  const s = rest.match(/^(\s*)(["'].*["']|'''.*|""".*)(\s*)$/)
  if (s) {
    if (s[1]) out.push({ text: s[1], kind: 'plain' })
    out.push({ text: s[2], kind: 'string' })
    if (s[3]) out.push({ text: s[3], kind: 'plain' })
  } else if (rest) out.push({ text: rest, kind: 'plain' })
  return out
}

export type XY = { x: number; y: number }

/** linePath scales points into a width × height box (y 0..100 upwards). */
export function linePath(values: number[], width: number, height: number, pad = 0): { points: XY[]; d: string } {
  const n = values.length
  const points = values.map((v, i) => ({
    x: pad + (n <= 1 ? (width - 2 * pad) / 2 : (i / (n - 1)) * (width - 2 * pad)),
    y: pad + (1 - Math.max(0, Math.min(100, v)) / 100) * (height - 2 * pad),
  }))
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ')
  return { points, d }
}

/** signed formats a score change with its sign. */
export function signed(n: number, digits = 1): string {
  const r = Math.round(n * 10 ** digits) / 10 ** digits
  return (r > 0 ? '+' : r < 0 ? '−' : '±') + Math.abs(r).toFixed(digits)
}

/** fetchBlob downloads an authenticated route as a blob (links cannot send the token). */
export async function fetchBlob(path: string): Promise<Blob> {
  const res = await fetch(path, { headers: pb.authStore.token ? { Authorization: pb.authStore.token } : {} })
  if (!res.ok) {
    let msg = `Request failed (${res.status})`
    try {
      const j = await res.json()
      if (j?.message) msg = j.message
    } catch {
      /* not JSON */
    }
    throw new Error(msg)
  }
  return res.blob()
}

/** saveBlob hands a blob to the browser as a file download. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
}

/** fileName is the last path segment of an export route. */
export function fileName(path: string): string {
  const p = path.split('?')[0].split('/').pop() || 'download'
  return p === 'navigator' ? 'aegis-navigator-layer.json' : 'aegis-' + p
}

/** parseList reads a comma or newline separated list, trimmed, without blanks or repeats. */
export function parseList(v: string): string[] {
  return [...new Set(v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean))]
}

/** roleMapRows turns a claim→role map into editable rows and back. */
export function roleMapRows(m: Record<string, string> | null | undefined): { claim: string; role: string }[] {
  return Object.entries(m ?? {}).map(([claim, role]) => ({ claim, role }))
}
export function rowsToRoleMap(rows: { claim: string; role: string }[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const r of rows) if (r.claim.trim() && r.role) out[r.claim.trim()] = r.role
  return out
}

/** mfaCode reads PocketBase's MFA answer code from an error response, if any. */
export function mfaCode(err: unknown): string {
  const data = (err as { response?: { data?: { mfa?: { code?: string } } }; data?: { data?: { mfa?: { code?: string } } } })
  return data?.response?.data?.mfa?.code ?? data?.data?.data?.mfa?.code ?? ''
}

/** formatBytes prints a byte count for humans. */
export function formatBytes(n: number): string {
  if (!isFinite(n) || n < 0) return '—'
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`
}
