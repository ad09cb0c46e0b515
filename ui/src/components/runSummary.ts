// Import and job results as a person reads them: one sentence, then the
// skipped items and failed files as tables (never raw keys or JSON).

export type Skip = { id: string; reason: string }
export type FileError = { path: string; error: string }
export type ImportStats = {
  kind?: string
  source?: string
  version?: string
  created?: number
  updated?: number
  unchanged?: number
  removed?: number
  revoked?: number
  deprecated?: number
  skipped?: Skip[] | number
  files?: number
  file_errors?: FileError[]
  counts?: Record<string, number>
  seconds?: number
  no_change?: boolean
  [k: string]: unknown
}

const n = (x: number) => x.toLocaleString('en-US')
const plural = (k: number, one: string, many = `${one}s`) => `${n(k)} ${k === 1 ? one : many}`

/** NOUNS names what each importer brings in, for the sentence. */
const NOUNS: Record<string, [string, string]> = {
  sigma: ['rule', 'rules'],
  elastic: ['rule', 'rules'],
  attack: ['object', 'objects'],
  atomic: ['template', 'templates'],
  caldera: ['ability', 'abilities'],
  d3fend: ['mapping', 'mappings'],
  compliance: ['control mapping', 'control mappings'],
  intel: ['report', 'reports'],
  navigator: ['technique', 'techniques'],
  vectr: ['test', 'tests'],
}

/** summarizeRun turns an import report (a job run's stats) into a sentence. */
export function summarizeRun(s: ImportStats | null | undefined): string {
  if (!s || typeof s !== 'object') return ''
  const skipped = Array.isArray(s.skipped) ? s.skipped.length : typeof s.skipped === 'number' ? s.skipped : 0
  const created = s.created ?? 0
  const updated = s.updated ?? 0
  const unchanged = s.unchanged ?? 0
  const removed = s.removed ?? 0
  const hasImport = ['created', 'updated', 'unchanged'].some((k) => typeof s[k] === 'number')
  if (!hasImport) {
    // Another job: name its numbers in words.
    const parts = Object.entries(s)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => `${n(v as number)} ${k.replace(/_/g, ' ')}`)
    return parts.length ? parts.join(', ') + '.' : ''
  }
  const [one, many] = NOUNS[s.kind ?? ''] ?? ['item', 'items']
  const total = s.counts?.[many] ?? created + updated + unchanged + skipped
  const parts = [created && `${n(created)} new`, updated && `${n(updated)} updated`, unchanged && `${n(unchanged)} unchanged`, removed && `${n(removed)} removed upstream`, skipped && `${n(skipped)} skipped`].filter(Boolean)
  let out = `${plural(total, one, many)}${s.version ? ` (release ${s.version})` : ''}: ${parts.length ? parts.join(', ') : 'nothing to do'}`
  if (s.no_change) out = `${plural(total, one, many)}: already up to date`
  const fe = s.file_errors?.length ?? 0
  if (fe) out += `; ${plural(fe, 'file')} could not be read`
  if (s.files) out += ` — from ${plural(s.files, 'file')}`
  return out + '.'
}

/** skipReasons groups skipped items by reason, most frequent first. */
export function skipReasons(s: ImportStats | null | undefined): { reason: string; count: number; example: string }[] {
  if (!s || !Array.isArray(s.skipped)) return []
  const by = new Map<string, { count: number; example: string }>()
  for (const k of s.skipped) {
    // Reasons often start with the file path: group by what follows it.
    const reason = k.reason.replace(/^[^:]*\.(ya?ml|toml|json|csv):\s*/i, '').replace(/"T[0-9.]+"/, '"T…"')
    const e = by.get(reason)
    if (e) e.count++
    else by.set(reason, { count: 1, example: k.id })
  }
  return [...by.entries()].map(([reason, v]) => ({ reason, ...v })).sort((a, b) => b.count - a.count)
}
