import { FINDING_LABELS, FINDING_STATUSES, SEVERITIES as SEVERITY_LIST } from './vocabulary.gen'

// Findings and severities: the remediation board's columns, moves, tones and due dates.

/** FINDING_COLUMNS is the remediation board, left to right. */
export const FINDING_COLUMNS = FINDING_STATUSES
export { FINDING_LABELS }
export const SEVERITIES: string[] = [...SEVERITY_LIST]

/** nextFindingStates lists where a finding may move from its current column. */
export function nextFindingStates(status: string): string[] {
  const s = status || 'open'
  return FINDING_COLUMNS.filter((c) => c !== s)
}

/**
 * splitBoard fills the board's columns from one read of the newest findings
 * (perPage of them, every column's limit added up): a column takes its newest
 * rows from it, and is full when more of its rows are known or may exist.
 * When that read came back short it held every finding, so no column needs
 * more; otherwise a column it left short of its limit is listed in `short`,
 * to be read on its own. A small organisation's board is one request, and
 * columns with nothing in them send no request that comes back empty.
 */
export function splitBoard<T extends { status: string }>(items: T[], perPage: number, limitOf: (s: string) => number) {
  const complete = items.length < perPage
  const cols: Record<string, T[]> = {}
  const full: Record<string, boolean> = {}
  const short: string[] = []
  for (const s of FINDING_COLUMNS) {
    const rows = items.filter((f) => (f.status || 'open') === s)
    const limit = limitOf(s)
    if (rows.length < limit && !complete) {
      short.push(s)
      continue
    }
    cols[s] = rows.slice(0, limit)
    full[s] = rows.length > limit || (!complete && rows.length >= limit)
  }
  return { cols, full, short }
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
