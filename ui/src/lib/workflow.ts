// The validation workflow of DESIGN §4 as the UI sees it: labels and the
// fields each action needs. Which actions a user may take on a test is the
// server's answer (GET /api/aegis/tests/{id}/actions, /api/aegis/tests/actions).

export const STATES = ['draft', 'ready', 'executing', 'blue_review', 'validated', 'closed', 'cancelled'] as const
export const STATE_LABELS: Record<string, string> = {
  draft: 'Draft',
  ready: 'Ready',
  executing: 'Executing',
  blue_review: 'Blue review',
  validated: 'Validated',
  closed: 'Closed',
  cancelled: 'Cancelled',
}

export type Action = 'approve' | 'start' | 'submit' | 'record' | 'rework' | 'close' | 'cancel' | 'reveal' | 'retest'

export const ACTION_LABELS: Record<Action, string> = {
  approve: 'Approve',
  start: 'Start',
  submit: 'Submit red result',
  record: 'Record outcome',
  rework: 'Send back',
  close: 'Close',
  cancel: 'Cancel',
  reveal: 'Reveal to blue',
  retest: 'Retest',
}

export const RED_RESULTS = ['executed', 'blocked_on_execution', 'failed_to_execute']
export const PREVENTION = ['blocked', 'partial', 'not_blocked']
export const DETECTION = ['technique', 'tactic', 'general', 'telemetry', 'none']

/** ServerActions is GET /api/aegis/tests/actions: per visible test, the
 *  actions the server allows the caller now. The UI keeps no copy of the
 *  state machine: it offers exactly these. */
export type ServerActions = Record<string, { actions: Action[]; revision: number; state: string }>

/** needsForm tells whether an action asks for fields before it is sent. */
export function needsForm(a: Action): boolean {
  return a === 'approve' || a === 'submit' || a === 'record' || a === 'rework' || a === 'cancel'
}
