package collections

import "slices"

// Role is a user's role (DESIGN §3). Records store it as a string: read it
// with AsUser(r).Role() or RoleOf, never by casting a field.
type Role string

const (
	RoleAdmin       Role = "admin"
	RoleRedLead     Role = "red_lead"
	RoleRedOperator Role = "red_operator"
	RoleBlueLead    Role = "blue_lead"
	RoleBlueAnalyst Role = "blue_analyst"
	RoleViewer      Role = "viewer"
)

// Roles lists every role, most privileged first.
var Roles = []Role{RoleAdmin, RoleRedLead, RoleRedOperator, RoleBlueLead, RoleBlueAnalyst, RoleViewer}

// RedRoles and BlueRoles group the roles by team.
var (
	RedRoles  = []Role{RoleRedLead, RoleRedOperator}
	BlueRoles = []Role{RoleBlueLead, RoleBlueAnalyst}
)

// IsRole reports whether s names a known role.
func IsRole(s string) bool { return slices.Contains(Roles, Role(s)) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// RoleOf is the role of a users record (empty for nil or another collection):
// the one place a stored role string becomes a Role.
func RoleOf(r interface{ GetString(string) string }) Role {
	if r == nil {
		return ""
	}
	return Role(r.GetString(FieldRole))
}

// RoleNames lists the roles as strings, for messages and select fields.
func RoleNames() []string { return Strings(Roles) }

// Strings turns a list of vocabulary values into plain strings.
func Strings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// IsBlue reports whether the role belongs to the blue team.
func IsBlue(r Role) bool { return slices.Contains(BlueRoles, r) }

// IsRed reports whether the role belongs to the red team.
func IsRed(r Role) bool { return slices.Contains(RedRoles, r) }

// Test workflow states (DESIGN §4).
const (
	StateDraft      = "draft"
	StateReady      = "ready"
	StateExecuting  = "executing"
	StateBlueReview = "blue_review"
	StateValidated  = "validated"
	StateClosed     = "closed"
	StateCancelled  = "cancelled"
)

// TestStates lists the workflow states in their natural order.
var TestStates = []string{StateDraft, StateReady, StateExecuting, StateBlueReview, StateValidated, StateClosed, StateCancelled}

// Red results.
var RedResults = []string{"executed", "blocked_on_execution", "failed_to_execute"}

// Prevention outcomes, best first.
var PreventionOutcomes = []string{"blocked", "partial", "not_blocked"}

// Detection outcomes: the ATT&CK Evaluations categories, best first.
var DetectionOutcomes = []string{"technique", "tactic", "general", "telemetry", "none"}

// Campaign statuses.
const (
	CampaignPlanned   = "planned"
	CampaignActive    = "active"
	CampaignCompleted = "completed"
	CampaignArchived  = "archived"
)

// CampaignStatuses lists the campaign statuses in their natural order.
var CampaignStatuses = []string{CampaignPlanned, CampaignActive, CampaignCompleted, CampaignArchived}

// Finding statuses.
const (
	FindingOpen         = "open"
	FindingInProgress   = "in_progress"
	FindingResolved     = "resolved"
	FindingRiskAccepted = "risk_accepted"
)

// Job run statuses (job_runs.status).
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobRetrying  = "retrying"
)

// Audit actions (audit_logs.action).
const (
	AuditCreate      = "create"
	AuditUpdate      = "update"
	AuditDelete      = "delete"
	AuditLogin       = "login"
	AuditLoginFailed = "login_failed"
	AuditRoleChange  = "role_change"
	AuditTransition  = "transition"
	AuditImport      = "import"
	AuditSetup       = "setup"
	AuditLogoutAll   = "logout_all"
	AuditLoginLocked = "login_locked"
)

// Finding statuses and severities.
var (
	FindingStatuses  = []string{FindingOpen, FindingInProgress, FindingResolved, FindingRiskAccepted}
	Severities       = []string{"critical", "high", "medium", "low", "informational"}
	DefenseToolKinds = []string{"edr", "siem", "ndr", "firewall", "email", "other"}
	EvidenceTeams    = []string{"red", "blue"}
	TemplateSources  = []string{"atomic", "caldera", "manual"}
	RuleSources      = []string{"sigma", "elastic", "splunk", "custom"}
	ActorSources     = []string{"attack", "intel", "manual"}
	SoftwareKinds    = []string{"malware", "tool"}
	D3fendTactics    = []string{"model", "harden", "detect", "isolate", "deceive", "evict", "restore"}
	D3fendStatuses   = []string{"not_implemented", "partial", "implemented"}
	ControlStatuses  = []string{"not_assessed", "not_implemented", "planned", "partial", "implemented"}
	MappingTypes     = []string{"mitigates", "protects", "detects", "related"}
	AttackDomains    = []string{"enterprise-attack", "mobile-attack", "ics-attack"}
	ActorKinds       = []string{"user", "superuser", "system"}
	JobTriggers      = []string{"schedule", "manual", "startup"}
	SnapshotTriggers = []string{SnapshotManual, SnapshotSchedule, SnapshotStartup, SnapshotImport}
	JobStatuses      = []string{JobRunning, JobSucceeded, JobFailed, JobRetrying}
	IntegrationKinds = []string{"attack", "sigma", "elastic", "atomic", "caldera", "d3fend", "compliance", "intel", "vectr", "vectr-bundle"}
	Priorities       = []string{"critical", "high", "medium", "low"}
	AuditActions     = []string{AuditCreate, AuditUpdate, AuditDelete, AuditLogin, AuditLoginFailed, AuditRoleChange, AuditTransition, AuditImport, AuditSetup, AuditLogoutAll, AuditLoginLocked}
)

// Snapshot triggers: what took a coverage snapshot (coverage_snapshots.trigger).
const (
	SnapshotManual   = "manual"
	SnapshotSchedule = "schedule"
	SnapshotStartup  = "startup"
	SnapshotImport   = "import" // after an import or sync that changed something
)

// Kinds of pending_attack_refs: a mapping or a planned test that names an
// ATT&CK id the catalogue does not have yet, created when an import brings it.
const (
	RefControlMapping = "control_mapping"
	RefD3fendMapping  = "d3fend_mapping"
	RefCampaignTest   = "campaign_test"
)

// PendingRefKinds lists the kinds of pending_attack_refs.
var PendingRefKinds = []string{RefControlMapping, RefD3fendMapping, RefCampaignTest}

// Kinds of technique_assessments (DeTT&CT's two scores).
const (
	AssessmentDetection  = "detection"
	AssessmentVisibility = "visibility"
)

// AssessmentKinds lists the kinds of technique_assessments.
var AssessmentKinds = []string{AssessmentDetection, AssessmentVisibility}
