// The validation workflow of DESIGN §4 as the UI sees it: labels and the
// fields each action needs. Which actions a user may take on a test is the
// server's answer (GET /api/aegis/tests/{id}/actions, /api/aegis/tests/actions).

import * as V from './vocabulary.gen'

export const { STATES, STATE_LABELS } = V
export type State = (typeof V.STATES)[number]
/** S names each workflow state from the generated vocabulary (S.ready
 *  is "ready"): a state the server drops fails to compile here. */
export const S = Object.fromEntries(V.STATES.map((s) => [s, s])) as { readonly [K in State]: K }
/** STATE_COLORS paints each workflow state in the tests-by-state bars. */
export const STATE_COLORS: Record<string, string> = {
  draft: '#c5ced9',
  ready: '#f2b78f',
  executing: '#e0782f',
  blue_review: '#6d8fe0',
  validated: '#2e8b57',
  closed: '#1d5a3a',
  cancelled: '#b3b3b3',
}
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

/** ServerActions is GET /api/aegis/tests/actions: per visible test, the
 *  actions the server allows the caller now. The UI keeps no copy of the
 *  state machine: it offers exactly these. */
export type ServerActions = Record<string, { actions: Action[]; revision: number; state: string }>

/** needsForm tells whether an action asks for fields before it is sent. */
export function needsForm(a: Action): boolean {
  return a === 'approve' || a === 'submit' || a === 'record' || a === 'rework' || a === 'cancel'
}
