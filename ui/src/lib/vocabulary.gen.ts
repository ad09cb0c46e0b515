// Code generated from collections/vocabulary.go by `go generate ./collections`; DO NOT EDIT.
// The server's vocabulary: every role, state, action and status, with the words the UI shows.

export const ROLES = ["admin", "red_lead", "red_operator", "blue_lead", "blue_analyst", "viewer"] as const
export const ROLE_LABELS: Record<string, string> = {
  admin: "Admin",
  red_lead: "Red lead",
  red_operator: "Red operator",
  blue_lead: "Blue lead",
  blue_analyst: "Blue analyst",
  viewer: "Viewer",
}
export const ROLE_HINTS: Record<string, string> = {
  admin: "Manages users, integrations, settings and jobs; can do everything.",
  red_lead: "Plans campaigns and tests, assigns operators, reveals blind tests, manages findings.",
  red_operator: "Executes assigned tests and uploads red evidence.",
  blue_lead: "Records outcomes, manages detection rules, tools, controls, scope and findings.",
  blue_analyst: "Records outcomes and uploads blue evidence.",
  viewer: "Reads everything, exports reports.",
}

export const STATES = ["draft", "ready", "executing", "blue_review", "validated", "closed", "cancelled"] as const
export const STATE_LABELS: Record<string, string> = {
  draft: "Draft",
  ready: "Ready",
  executing: "Executing",
  blue_review: "Blue review",
  validated: "Validated",
  closed: "Closed",
  cancelled: "Cancelled",
}

export const TEST_ACTIONS = ["approve", "start", "submit", "record", "rework", "close", "cancel", "reveal", "retest", "confirm"] as const
export const ACTION_LABELS: Record<string, string> = {
  approve: "Approve",
  start: "Start",
  submit: "Submit red result",
  record: "Record outcome",
  rework: "Send back",
  close: "Close",
  cancel: "Cancel",
  reveal: "Reveal to blue",
  retest: "Retest",
  confirm: "Confirm imported outcome",
}
export const ACTION_HINTS: Record<string, string> = {
  confirm: "An outcome read in from a file counts once a blue lead or an admin confirms it.",
}

export const RED_RESULTS = ["executed", "blocked_on_execution", "failed_to_execute"] as const
export const RED_RESULT_LABELS: Record<string, string> = {
  executed: "Executed",
  blocked_on_execution: "Blocked on execution",
  failed_to_execute: "Failed to execute",
}

export const PREVENTION = ["blocked", "partial", "not_blocked"] as const
export const PREVENTION_LABELS: Record<string, string> = {
  blocked: "Blocked",
  partial: "Partial",
  not_blocked: "Not blocked",
}

export const DETECTION = ["technique", "tactic", "general", "telemetry", "none"] as const
export const DETECTION_LABELS: Record<string, string> = {
  technique: "Technique",
  tactic: "Tactic",
  general: "General",
  telemetry: "Telemetry",
  none: "None",
}

export const CAMPAIGN_STATUSES = ["planned", "active", "completed", "archived"] as const
export const CAMPAIGN_STATUS_LABELS: Record<string, string> = {
  planned: "Planned",
  active: "Active",
  completed: "Completed",
  archived: "Archived",
}

export const FINDING_STATUSES = ["open", "in_progress", "resolved", "risk_accepted"] as const
export const FINDING_LABELS: Record<string, string> = {
  open: "Open",
  in_progress: "In progress",
  resolved: "Resolved",
  risk_accepted: "Risk accepted",
}

export const SEVERITIES = ["critical", "high", "medium", "low", "informational"] as const
export const SEVERITY_LABELS: Record<string, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Informational",
}

export const PRIORITIES = ["critical", "high", "medium", "low"] as const
export const PRIORITY_LABELS: Record<string, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
}

export const CONTROL_STATUSES = ["not_assessed", "not_implemented", "planned", "partial", "implemented"] as const
export const CONTROL_STATUS_LABELS: Record<string, string> = {
  not_assessed: "Not assessed",
  not_implemented: "Not implemented",
  planned: "Planned",
  partial: "Partial",
  implemented: "Implemented",
}

export const D3FEND_STATUSES = ["not_implemented", "partial", "implemented"] as const
export const D3FEND_STATUS_LABELS: Record<string, string> = {
  not_implemented: "Not implemented",
  partial: "Partial",
  implemented: "Implemented",
}

export const DEFENSE_TOOL_KINDS = ["edr", "siem", "ndr", "firewall", "email", "other"] as const
export const DEFENSE_TOOL_KIND_LABELS: Record<string, string> = {
  edr: "Edr",
  siem: "Siem",
  ndr: "Ndr",
  firewall: "Firewall",
  email: "Email",
  other: "Other",
}

export const INTEGRATION_KINDS = ["attack", "sigma", "elastic", "atomic", "caldera", "d3fend", "compliance", "intel", "vectr", "vectr-bundle"] as const
export const INTEGRATION_KIND_LABELS: Record<string, string> = {
  attack: "MITRE ATT&CK",
  sigma: "Sigma rules",
  elastic: "Elastic rules",
  atomic: "Atomic Red Team",
  caldera: "CALDERA abilities",
  d3fend: "D3FEND",
  compliance: "Compliance mappings",
  intel: "Threat intel (STIX)",
  vectr: "VECTR test cases (CSV)",
  "vectr-bundle": "VECTR assessment bundle",
}

export const JOB_STATUSES = ["running", "succeeded", "failed", "retrying"] as const
export const JOB_STATUS_LABELS: Record<string, string> = {
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  retrying: "Retrying",
}

export const AUDIT_ACTIONS = ["create", "update", "delete", "login", "login_failed", "role_change", "transition", "import", "setup", "logout_all", "login_locked"] as const
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  create: "Create",
  update: "Update",
  delete: "Delete",
  login: "Login",
  login_failed: "Login failed",
  role_change: "Role change",
  transition: "Transition",
  import: "Import",
  setup: "Setup",
  logout_all: "Logout all",
  login_locked: "Login locked",
}
