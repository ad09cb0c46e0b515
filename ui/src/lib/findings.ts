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

export function severityTone(s: string): 'danger' | 'warning' | 'info' | 'default' {
  return s === 'critical' || s === 'high' ? 'danger' : s === 'medium' ? 'warning' : s === 'low' ? 'info' : 'default'
}

/** isOverdue tells whether a due date lies before now for an unfinished item. */
export function isOverdue(due: string | undefined | null, status: string, now = new Date()): boolean {
  if (!due || status === 'resolved' || status === 'risk_accepted') return false
  const d = new Date(due.replace(' ', 'T'))
  return !isNaN(d.getTime()) && d.getTime() < now.getTime()
}
