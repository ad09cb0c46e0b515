// Package collections names every Aegis collection, the enums stored in
// them and typed wrappers over their records. It is the vocabulary that the
// migrations, hooks, importers, API and SPA share.
package collections

// Collection names. These are contracts: the SPA, exports and scripts use them.
const (
	Users                = "users"
	Tactics              = "tactics"
	Techniques           = "techniques"
	Mitigations          = "mitigations"
	DataComponents       = "data_components"
	DetectionStrategies  = "detection_strategies"
	AttackReleases       = "attack_releases"
	ThreatActors         = "threat_actors"
	ActorTechniques      = "actor_techniques"
	Software             = "software"
	TestTemplates        = "test_templates"
	Campaigns            = "campaigns"
	DefenseTools         = "defense_tools"
	Tests                = "tests"
	TestOutcomes         = "test_outcomes"
	Findings             = "findings"
	Evidence             = "evidence"
	TestComments         = "test_comments"
	DetectionRules       = "detection_rules"
	D3fendTechniques     = "d3fend_techniques"
	D3fendMappings       = "d3fend_mappings"
	ComplianceFrameworks = "compliance_frameworks"
	ComplianceControls   = "compliance_controls"
	ControlMappings      = "control_mappings"
	IntelReports         = "intel_reports"
	CoverageSnapshots    = "coverage_snapshots"
	Notifications        = "notifications"
	AuditLogs            = "audit_logs"
	Integrations         = "integrations"
	JobRuns              = "job_runs"
	Settings             = "settings"
)

// Domain lists the collections whose changes are written to the audit log.
// Audit logs themselves, notifications and job runs are bookkeeping, not domain
// state, and auditing them would only echo other entries.
var Domain = []string{
	Users, Tactics, Techniques, Mitigations, DataComponents, DetectionStrategies,
	AttackReleases, ThreatActors, ActorTechniques, Software, AttackCampaigns, TestTemplates,
	Campaigns, DefenseTools, Tests, TestOutcomes, Findings, Evidence, TestComments,
	DetectionRules, D3fendTechniques, D3fendMappings, ComplianceFrameworks,
	ComplianceControls, ControlMappings, IntelReports, PendingAttackRefs, TechniqueAssessments, CoverageSnapshots,
	Integrations, Settings,
}

// All lists every collection Aegis defines, in creation order.
var All = append(append([]string{}, Domain...), Notifications, AuditLogs, JobRuns)

// Collections added after the first schema.
const (
	// PendingAttackRefs holds references to ATT&CK ids the catalogue does
	// not have yet (see importers/attackref).
	PendingAttackRefs = "pending_attack_refs"
	// AttackCampaigns are ATT&CK's campaign objects (C0001…).
	AttackCampaigns = "attack_campaigns"
	// TechniqueAssessments are detection and visibility scores kept in
	// another tool (DeTT&CT technique administration), with their logbook.
	TechniqueAssessments = "technique_assessments"
)

// TestCountsTable is a plain table (not a collection) holding the number of
// tests per (state, revealed), kept by triggers on tests in the same
// transaction as each write (pb_migrations/1765001100_list_cursors_and_counts.go).
const TestCountsTable = "aegis_test_counts"

// RecountTestsSQL rebuilds TestCountsTable from the tests, for a bulk load
// that wrote tests with the counting triggers dropped.
var RecountTestsSQL = []string{
	"DELETE FROM `" + TestCountsTable + "`",
	"INSERT INTO `" + TestCountsTable + "` (`state`, `revealed`, `n`) SELECT `state`, CASE WHEN `revealed` THEN 1 ELSE 0 END, COUNT(*) FROM `" + Tests + "` GROUP BY 1, 2",
}
