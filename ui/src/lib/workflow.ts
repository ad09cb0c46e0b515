// The validation workflow of DESIGN §4 as the UI sees it: which actions a
// role may offer on a test in a given state, and which fields each needs.
// The server decides; this only avoids offering buttons that would be refused.

import * as V from './vocabulary.gen'

export const { STATES, STATE_LABELS } = V
export const RED_RESULTS: string[] = [...V.RED_RESULTS]
export const PREVENTION: string[] = [...V.PREVENTION]
export const DETECTION: string[] = [...V.DETECTION]
export type Action = (typeof V.TEST_ACTIONS)[number]
export const ACTION_LABELS = V.ACTION_LABELS as Record<Action, string>

export type TestLike = { state: string; red_assignee?: string; revealed?: boolean; outcome_imported?: boolean; outcome_confirmed_by?: string; outcome_confirmed_at?: string }

/** importedUnconfirmed: an outcome read in from a file that does not count
 * until a blue lead or an admin confirms it. */
export function importedUnconfirmed(t: TestLike): boolean {
  return !!t.outcome_imported && !t.outcome_confirmed_by && !t.outcome_confirmed_at
}

const leads = ['admin', 'red_lead']
const blue = ['admin', 'blue_lead', 'blue_analyst']

/** allowedActions lists the actions to offer, in display order. */
export function allowedActions(t: TestLike, role: string, userId: string): Action[] {
  const out: Action[] = []
  const assignedRed = role === 'red_operator' && t.red_assignee === userId
  switch (t.state) {
    case 'draft':
      if (leads.includes(role)) out.push('approve', 'cancel')
      break
    case 'ready':
      if (leads.includes(role) || assignedRed) out.push('start')
      if (leads.includes(role)) out.push('cancel')
      break
    case 'executing':
      if (leads.includes(role) || assignedRed) out.push('submit')
      if (leads.includes(role)) out.push('cancel')
      break
    case 'blue_review':
      if (blue.includes(role)) out.push('record', 'rework')
      break
    case 'validated':
      if (['admin', 'red_lead', 'blue_lead'].includes(role)) out.push('close')
      if (leads.includes(role)) out.push('retest')
      break
    case 'closed':
      if (leads.includes(role)) out.push('retest')
      break
  }
  if (t.revealed === false && leads.includes(role) && t.state !== 'cancelled') out.push('reveal')
  if ((t.state === 'validated' || t.state === 'closed') && importedUnconfirmed(t) && ['admin', 'blue_lead'].includes(role)) out.push('confirm')
  return out
}

/** needsForm tells whether an action asks for fields before it is sent. */
export function needsForm(a: Action): boolean {
  return a === 'approve' || a === 'submit' || a === 'record' || a === 'rework' || a === 'cancel'
}
