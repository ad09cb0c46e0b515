// Roles of DESIGN §3 and what each may do in the UI. The server enforces the
// same matrix through API rules; the UI only hides what would be refused.

import { ROLES, ROLE_HINTS, ROLE_LABELS } from './vocabulary.gen'

export { ROLES, ROLE_LABELS }
export type Role = (typeof ROLES)[number]
/** R names each role from the generated vocabulary (R.red_lead is "red_lead"). */
export const R = Object.fromEntries(ROLES.map((r) => [r, r])) as { readonly [K in Role]: K }
export const ROLE_DESCRIPTIONS: Record<string, string> = ROLE_HINTS

export type Capability =
  | 'manage_users'
  | 'manage_integrations'
  | 'manage_settings'
  | 'run_jobs'
  | 'plan_campaigns'
  | 'execute_tests'
  | 'record_outcomes'
  | 'manage_content'
  | 'manage_scope'
  | 'manage_findings'
  | 'reveal_tests'
  | 'export'

const MATRIX: Record<Capability, readonly string[]> = {
  manage_users: [R.admin],
  manage_integrations: [R.admin],
  manage_settings: [R.admin],
  run_jobs: [R.admin],
  plan_campaigns: [R.admin, R.red_lead],
  execute_tests: [R.admin, R.red_lead, R.red_operator],
  record_outcomes: [R.admin, R.blue_lead, R.blue_analyst],
  manage_content: [R.admin, R.blue_lead],
  manage_scope: [R.admin, R.blue_lead],
  manage_findings: [R.admin, R.red_lead, R.blue_lead],
  reveal_tests: [R.admin, R.red_lead],
  export: ROLES,
}

export function can(role: string | undefined | null, cap: Capability): boolean {
  return !!role && MATRIX[cap].includes(role)
}

export function roleLabel(role: string | undefined | null): string {
  return (role && ROLE_LABELS[role]) || role || '—'
}

export function team(role: string | undefined | null): 'red' | 'blue' | 'neutral' {
  if (role === R.red_lead || role === R.red_operator) return 'red'
  if (role === R.blue_lead || role === R.blue_analyst) return 'blue'
  return 'neutral'
}

/** roleTone is the badge colour of a role: its team's colour, or neutral blue. */
export function roleTone(role: string | undefined | null): 'red' | 'blue' | 'primary' {
  const t = team(role)
  return t === 'neutral' ? 'primary' : t
}
