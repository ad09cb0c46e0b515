package collections

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Field names of the hot collections, used by the typed record proxies below
// and by code that must name a field (filters, change sets).
const (
	FieldActive             = "active"
	FieldAlertSeverity      = "alert_severity"
	FieldAttackId           = "attack_id"
	FieldAttackVersion      = "attack_version"
	FieldBlind              = "blind"
	FieldBlueAssignee       = "blue_assignee"
	FieldBlueNotes          = "blue_notes"
	FieldCampaign           = "campaign"
	FieldDefenseTool        = "defense_tool"
	FieldDeprecated         = "deprecated"
	FieldDescription        = "description"
	FieldDetectedAt         = "detected_at"
	FieldDetection          = "detection"
	FieldDetectionRules     = "detection_rules"
	FieldDueAt              = "due_at"
	FieldEnabled            = "enabled"
	FieldExecutedAt         = "executed_at"
	FieldName               = "name"
	FieldNextRunAt          = "next_run_at"
	FieldNotes              = "notes"
	FieldOutcomeConfirmedAt = "outcome_confirmed_at"
	FieldOutcomeConfirmedBy = "outcome_confirmed_by"
	FieldOutcomeImported    = "outcome_imported"
	FieldOutcomeImportedBy  = "outcome_imported_by"
	FieldOwner              = "owner"
	FieldParent             = "parent"
	FieldPlatform           = "platform"
	FieldPlatforms          = "platforms"
	FieldPrevention         = "prevention"
	FieldPriority           = "priority"
	FieldProcedure          = "procedure"
	FieldReason             = "reason"
	FieldRecommendation     = "recommendation"
	FieldRecurrence         = "recurrence"
	FieldRedAssignee        = "red_assignee"
	FieldRedNotes           = "red_notes"
	FieldRedResult          = "red_result"
	FieldResolvedAt         = "resolved_at"
	FieldResolvedByTest     = "resolved_by_test"
	FieldRetestOf           = "retest_of"
	FieldRevealed           = "revealed"
	FieldRevision           = "revision"
	FieldRevoked            = "revoked"
	FieldRole               = "role"
	FieldRound              = "round"
	FieldSeverity           = "severity"
	FieldSource             = "source"
	FieldSourceId           = "source_id"
	FieldStartAt            = "start_at"
	FieldState              = "state"
	FieldStatus             = "status"
	FieldTags               = "tags"
	FieldTechnique          = "technique"
	FieldTemplate           = "template"
	FieldTest               = "test"
	FieldThreatActor        = "threat_actor"
	FieldTitle              = "title"
	FieldValidatedAt        = "validated_at"
	FieldValidatedBy        = "validated_by"
	FieldAction             = "action"
	FieldActor              = "actor"
	FieldActorKind          = "actor_kind"
	FieldActorName          = "actor_name"
	FieldAttempt            = "attempt"
	FieldAuthor             = "author"
	FieldBody               = "body"
	FieldCollection         = "collection"
	FieldContent            = "content"
	FieldContentHash        = "content_hash"
	FieldDetails            = "details"
	FieldError              = "error"
	FieldFile               = "file"
	FieldFilename           = "filename"
	FieldFinishedAt         = "finished_at"
	FieldIntegration        = "integration"
	FieldIp                 = "ip"
	FieldJob                = "job"
	FieldKind               = "kind"
	FieldLastError          = "last_error"
	FieldLastStatus         = "last_status"
	FieldLastSyncAt         = "last_sync_at"
	FieldLastSyncStats      = "last_sync_stats"
	FieldLink               = "link"
	FieldLog                = "log"
	FieldLogSources         = "log_sources"
	FieldMeta               = "meta"
	FieldMime               = "mime"
	FieldNote               = "note"
	FieldPrivate            = "private"
	FieldProgress           = "progress"
	FieldRead               = "read"
	FieldRecordId           = "record_id"
	FieldReferences         = "references"
	FieldRemoved            = "removed"
	FieldRequestedBy        = "requested_by"
	FieldSchedule           = "schedule"
	FieldSize               = "size"
	FieldSourceRuleId       = "source_rule_id"
	FieldStartedAt          = "started_at"
	FieldStats              = "stats"
	FieldTactics            = "tactics"
	FieldTeam               = "team"
	FieldTechniques         = "techniques"
	FieldTotpEnabled        = "totp_enabled"
	FieldTotpPending        = "totp_pending"
	FieldTotpSecret         = "totp_secret"
	FieldTrigger            = "trigger"
	FieldUnknownTechniques  = "unknown_techniques"
	FieldUploadedBy         = "uploaded_by"
	FieldUser               = "user"
)

// Test is a tests record: one validation of a technique, moved through the workflow states. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type Test struct{ core.BaseRecordProxy }

// AsTest wraps r, which must belong to Tests; nil stays nil.
func AsTest(r *core.Record) *Test {
	if r == nil {
		return nil
	}
	p := &Test{}
	p.SetProxyRecord(r)
	return p
}

// NewTest is a new, unsaved Tests record.
func NewTest(app core.App) (*Test, error) {
	col, err := app.FindCachedCollectionByNameOrId(Tests)
	if err != nil {
		return nil, err
	}
	return AsTest(core.NewRecord(col)), nil
}

// Name is name.
func (p *Test) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *Test) SetName(v string) { p.Set(FieldName, v) }

// State is state.
func (p *Test) State() string { return p.GetString(FieldState) }

// SetState sets state.
func (p *Test) SetState(v string) { p.Set(FieldState, v) }

// Revision is revision.
func (p *Test) Revision() int { return p.GetInt(FieldRevision) }

// SetRevision sets revision.
func (p *Test) SetRevision(v int) { p.Set(FieldRevision, v) }

// Revealed is revealed.
func (p *Test) Revealed() bool { return p.GetBool(FieldRevealed) }

// SetRevealed sets revealed.
func (p *Test) SetRevealed(v bool) { p.Set(FieldRevealed, v) }

// Campaign is campaign.
func (p *Test) Campaign() string { return p.GetString(FieldCampaign) }

// SetCampaign sets campaign.
func (p *Test) SetCampaign(v string) { p.Set(FieldCampaign, v) }

// Technique is technique.
func (p *Test) Technique() string { return p.GetString(FieldTechnique) }

// SetTechnique sets technique.
func (p *Test) SetTechnique(v string) { p.Set(FieldTechnique, v) }

// Template is template.
func (p *Test) Template() string { return p.GetString(FieldTemplate) }

// SetTemplate sets template.
func (p *Test) SetTemplate(v string) { p.Set(FieldTemplate, v) }

// Platform is platform.
func (p *Test) Platform() string { return p.GetString(FieldPlatform) }

// SetPlatform sets platform.
func (p *Test) SetPlatform(v string) { p.Set(FieldPlatform, v) }

// Procedure is procedure.
func (p *Test) Procedure() string { return p.GetString(FieldProcedure) }

// SetProcedure sets procedure.
func (p *Test) SetProcedure(v string) { p.Set(FieldProcedure, v) }

// RetestOf is retest_of.
func (p *Test) RetestOf() string { return p.GetString(FieldRetestOf) }

// SetRetestOf sets retest_of.
func (p *Test) SetRetestOf(v string) { p.Set(FieldRetestOf, v) }

// Reason is reason.
func (p *Test) Reason() string { return p.GetString(FieldReason) }

// SetReason sets reason.
func (p *Test) SetReason(v string) { p.Set(FieldReason, v) }

// RedAssignee is red_assignee.
func (p *Test) RedAssignee() string { return p.GetString(FieldRedAssignee) }

// SetRedAssignee sets red_assignee.
func (p *Test) SetRedAssignee(v string) { p.Set(FieldRedAssignee, v) }

// BlueAssignee is blue_assignee.
func (p *Test) BlueAssignee() string { return p.GetString(FieldBlueAssignee) }

// SetBlueAssignee sets blue_assignee.
func (p *Test) SetBlueAssignee(v string) { p.Set(FieldBlueAssignee, v) }

// DueAt is due_at.
func (p *Test) DueAt() types.DateTime { return p.GetDateTime(FieldDueAt) }

// SetDueAt sets due_at.
func (p *Test) SetDueAt(v types.DateTime) { p.Set(FieldDueAt, v) }

// RedResult is red_result.
func (p *Test) RedResult() string { return p.GetString(FieldRedResult) }

// SetRedResult sets red_result.
func (p *Test) SetRedResult(v string) { p.Set(FieldRedResult, v) }

// ExecutedAt is executed_at.
func (p *Test) ExecutedAt() types.DateTime { return p.GetDateTime(FieldExecutedAt) }

// SetExecutedAt sets executed_at.
func (p *Test) SetExecutedAt(v types.DateTime) { p.Set(FieldExecutedAt, v) }

// RedNotes is red_notes.
func (p *Test) RedNotes() string { return p.GetString(FieldRedNotes) }

// SetRedNotes sets red_notes.
func (p *Test) SetRedNotes(v string) { p.Set(FieldRedNotes, v) }

// Prevention is prevention.
func (p *Test) Prevention() string { return p.GetString(FieldPrevention) }

// SetPrevention sets prevention.
func (p *Test) SetPrevention(v string) { p.Set(FieldPrevention, v) }

// Detection is detection.
func (p *Test) Detection() string { return p.GetString(FieldDetection) }

// SetDetection sets detection.
func (p *Test) SetDetection(v string) { p.Set(FieldDetection, v) }

// DetectedAt is detected_at.
func (p *Test) DetectedAt() types.DateTime { return p.GetDateTime(FieldDetectedAt) }

// SetDetectedAt sets detected_at.
func (p *Test) SetDetectedAt(v types.DateTime) { p.Set(FieldDetectedAt, v) }

// AlertSeverity is alert_severity.
func (p *Test) AlertSeverity() string { return p.GetString(FieldAlertSeverity) }

// SetAlertSeverity sets alert_severity.
func (p *Test) SetAlertSeverity(v string) { p.Set(FieldAlertSeverity, v) }

// DetectionRules is detection_rules.
func (p *Test) DetectionRules() []string { return p.GetStringSlice(FieldDetectionRules) }

// SetDetectionRules sets detection_rules.
func (p *Test) SetDetectionRules(v []string) { p.Set(FieldDetectionRules, v) }

// BlueNotes is blue_notes.
func (p *Test) BlueNotes() string { return p.GetString(FieldBlueNotes) }

// SetBlueNotes sets blue_notes.
func (p *Test) SetBlueNotes(v string) { p.Set(FieldBlueNotes, v) }

// ValidatedBy is validated_by.
func (p *Test) ValidatedBy() string { return p.GetString(FieldValidatedBy) }

// SetValidatedBy sets validated_by.
func (p *Test) SetValidatedBy(v string) { p.Set(FieldValidatedBy, v) }

// ValidatedAt is validated_at.
func (p *Test) ValidatedAt() types.DateTime { return p.GetDateTime(FieldValidatedAt) }

// SetValidatedAt sets validated_at.
func (p *Test) SetValidatedAt(v types.DateTime) { p.Set(FieldValidatedAt, v) }

// OutcomeImported is outcome_imported.
func (p *Test) OutcomeImported() bool { return p.GetBool(FieldOutcomeImported) }

// SetOutcomeImported sets outcome_imported.
func (p *Test) SetOutcomeImported(v bool) { p.Set(FieldOutcomeImported, v) }

// OutcomeImportedBy is outcome_imported_by.
func (p *Test) OutcomeImportedBy() string { return p.GetString(FieldOutcomeImportedBy) }

// SetOutcomeImportedBy sets outcome_imported_by.
func (p *Test) SetOutcomeImportedBy(v string) { p.Set(FieldOutcomeImportedBy, v) }

// OutcomeConfirmedBy is outcome_confirmed_by.
func (p *Test) OutcomeConfirmedBy() string { return p.GetString(FieldOutcomeConfirmedBy) }

// SetOutcomeConfirmedBy sets outcome_confirmed_by.
func (p *Test) SetOutcomeConfirmedBy(v string) { p.Set(FieldOutcomeConfirmedBy, v) }

// OutcomeConfirmedAt is outcome_confirmed_at.
func (p *Test) OutcomeConfirmedAt() types.DateTime { return p.GetDateTime(FieldOutcomeConfirmedAt) }

// SetOutcomeConfirmedAt sets outcome_confirmed_at.
func (p *Test) SetOutcomeConfirmedAt(v types.DateTime) { p.Set(FieldOutcomeConfirmedAt, v) }

// Campaign is a campaigns record: a set of tests, possibly blind, recurring or one round of a family. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type Campaign struct{ core.BaseRecordProxy }

// AsCampaign wraps r, which must belong to Campaigns; nil stays nil.
func AsCampaign(r *core.Record) *Campaign {
	if r == nil {
		return nil
	}
	p := &Campaign{}
	p.SetProxyRecord(r)
	return p
}

// NewCampaign is a new, unsaved Campaigns record.
func NewCampaign(app core.App) (*Campaign, error) {
	col, err := app.FindCachedCollectionByNameOrId(Campaigns)
	if err != nil {
		return nil, err
	}
	return AsCampaign(core.NewRecord(col)), nil
}

// Name is name.
func (p *Campaign) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *Campaign) SetName(v string) { p.Set(FieldName, v) }

// Description is description.
func (p *Campaign) Description() string { return p.GetString(FieldDescription) }

// SetDescription sets description.
func (p *Campaign) SetDescription(v string) { p.Set(FieldDescription, v) }

// ThreatActor is threat_actor.
func (p *Campaign) ThreatActor() string { return p.GetString(FieldThreatActor) }

// SetThreatActor sets threat_actor.
func (p *Campaign) SetThreatActor(v string) { p.Set(FieldThreatActor, v) }

// Owner is owner.
func (p *Campaign) Owner() string { return p.GetString(FieldOwner) }

// SetOwner sets owner.
func (p *Campaign) SetOwner(v string) { p.Set(FieldOwner, v) }

// Blind is blind.
func (p *Campaign) Blind() bool { return p.GetBool(FieldBlind) }

// SetBlind sets blind.
func (p *Campaign) SetBlind(v bool) { p.Set(FieldBlind, v) }

// Platforms is platforms (a JSON list).
func (p *Campaign) Platforms() []string {
	var v []string
	_ = p.UnmarshalJSONField(FieldPlatforms, &v)
	return v
}

// SetPlatforms sets platforms.
func (p *Campaign) SetPlatforms(v []string) { p.Set(FieldPlatforms, v) }

// Tags is tags (a JSON list).
func (p *Campaign) Tags() []string {
	var v []string
	_ = p.UnmarshalJSONField(FieldTags, &v)
	return v
}

// SetTags sets tags.
func (p *Campaign) SetTags(v []string) { p.Set(FieldTags, v) }

// Recurrence is recurrence.
func (p *Campaign) Recurrence() string { return p.GetString(FieldRecurrence) }

// SetRecurrence sets recurrence.
func (p *Campaign) SetRecurrence(v string) { p.Set(FieldRecurrence, v) }

// Status is status.
func (p *Campaign) Status() string { return p.GetString(FieldStatus) }

// SetStatus sets status.
func (p *Campaign) SetStatus(v string) { p.Set(FieldStatus, v) }

// Round is round.
func (p *Campaign) Round() int { return p.GetInt(FieldRound) }

// SetRound sets round.
func (p *Campaign) SetRound(v int) { p.Set(FieldRound, v) }

// Parent is parent.
func (p *Campaign) Parent() string { return p.GetString(FieldParent) }

// SetParent sets parent.
func (p *Campaign) SetParent(v string) { p.Set(FieldParent, v) }

// AttackVersion is attack_version.
func (p *Campaign) AttackVersion() string { return p.GetString(FieldAttackVersion) }

// SetAttackVersion sets attack_version.
func (p *Campaign) SetAttackVersion(v string) { p.Set(FieldAttackVersion, v) }

// NextRunAt is next_run_at.
func (p *Campaign) NextRunAt() types.DateTime { return p.GetDateTime(FieldNextRunAt) }

// SetNextRunAt sets next_run_at.
func (p *Campaign) SetNextRunAt(v types.DateTime) { p.Set(FieldNextRunAt, v) }

// StartAt is start_at.
func (p *Campaign) StartAt() types.DateTime { return p.GetDateTime(FieldStartAt) }

// SetStartAt sets start_at.
func (p *Campaign) SetStartAt(v types.DateTime) { p.Set(FieldStartAt, v) }

// Finding is a findings record: a gap an outcome opened, owned by the blue team. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type Finding struct{ core.BaseRecordProxy }

// AsFinding wraps r, which must belong to Findings; nil stays nil.
func AsFinding(r *core.Record) *Finding {
	if r == nil {
		return nil
	}
	p := &Finding{}
	p.SetProxyRecord(r)
	return p
}

// NewFinding is a new, unsaved Findings record.
func NewFinding(app core.App) (*Finding, error) {
	col, err := app.FindCachedCollectionByNameOrId(Findings)
	if err != nil {
		return nil, err
	}
	return AsFinding(core.NewRecord(col)), nil
}

// Test is test.
func (p *Finding) Test() string { return p.GetString(FieldTest) }

// SetTest sets test.
func (p *Finding) SetTest(v string) { p.Set(FieldTest, v) }

// Technique is technique.
func (p *Finding) Technique() string { return p.GetString(FieldTechnique) }

// SetTechnique sets technique.
func (p *Finding) SetTechnique(v string) { p.Set(FieldTechnique, v) }

// Title is title.
func (p *Finding) Title() string { return p.GetString(FieldTitle) }

// SetTitle sets title.
func (p *Finding) SetTitle(v string) { p.Set(FieldTitle, v) }

// Severity is severity.
func (p *Finding) Severity() string { return p.GetString(FieldSeverity) }

// SetSeverity sets severity.
func (p *Finding) SetSeverity(v string) { p.Set(FieldSeverity, v) }

// Recommendation is recommendation.
func (p *Finding) Recommendation() string { return p.GetString(FieldRecommendation) }

// SetRecommendation sets recommendation.
func (p *Finding) SetRecommendation(v string) { p.Set(FieldRecommendation, v) }

// Owner is owner.
func (p *Finding) Owner() string { return p.GetString(FieldOwner) }

// SetOwner sets owner.
func (p *Finding) SetOwner(v string) { p.Set(FieldOwner, v) }

// Status is status.
func (p *Finding) Status() string { return p.GetString(FieldStatus) }

// SetStatus sets status.
func (p *Finding) SetStatus(v string) { p.Set(FieldStatus, v) }

// DueAt is due_at.
func (p *Finding) DueAt() types.DateTime { return p.GetDateTime(FieldDueAt) }

// SetDueAt sets due_at.
func (p *Finding) SetDueAt(v types.DateTime) { p.Set(FieldDueAt, v) }

// ResolvedAt is resolved_at.
func (p *Finding) ResolvedAt() types.DateTime { return p.GetDateTime(FieldResolvedAt) }

// SetResolvedAt sets resolved_at.
func (p *Finding) SetResolvedAt(v types.DateTime) { p.Set(FieldResolvedAt, v) }

// ResolvedByTest is resolved_by_test.
func (p *Finding) ResolvedByTest() string { return p.GetString(FieldResolvedByTest) }

// SetResolvedByTest sets resolved_by_test.
func (p *Finding) SetResolvedByTest(v string) { p.Set(FieldResolvedByTest, v) }

// TestOutcome is a test_outcomes record: one defense tool's result for a test. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type TestOutcome struct{ core.BaseRecordProxy }

// AsTestOutcome wraps r, which must belong to TestOutcomes; nil stays nil.
func AsTestOutcome(r *core.Record) *TestOutcome {
	if r == nil {
		return nil
	}
	p := &TestOutcome{}
	p.SetProxyRecord(r)
	return p
}

// NewTestOutcome is a new, unsaved TestOutcomes record.
func NewTestOutcome(app core.App) (*TestOutcome, error) {
	col, err := app.FindCachedCollectionByNameOrId(TestOutcomes)
	if err != nil {
		return nil, err
	}
	return AsTestOutcome(core.NewRecord(col)), nil
}

// Test is test.
func (p *TestOutcome) Test() string { return p.GetString(FieldTest) }

// SetTest sets test.
func (p *TestOutcome) SetTest(v string) { p.Set(FieldTest, v) }

// DefenseTool is defense_tool.
func (p *TestOutcome) DefenseTool() string { return p.GetString(FieldDefenseTool) }

// SetDefenseTool sets defense_tool.
func (p *TestOutcome) SetDefenseTool(v string) { p.Set(FieldDefenseTool, v) }

// Prevention is prevention.
func (p *TestOutcome) Prevention() string { return p.GetString(FieldPrevention) }

// SetPrevention sets prevention.
func (p *TestOutcome) SetPrevention(v string) { p.Set(FieldPrevention, v) }

// Detection is detection.
func (p *TestOutcome) Detection() string { return p.GetString(FieldDetection) }

// SetDetection sets detection.
func (p *TestOutcome) SetDetection(v string) { p.Set(FieldDetection, v) }

// DetectedAt is detected_at.
func (p *TestOutcome) DetectedAt() types.DateTime { return p.GetDateTime(FieldDetectedAt) }

// SetDetectedAt sets detected_at.
func (p *TestOutcome) SetDetectedAt(v types.DateTime) { p.Set(FieldDetectedAt, v) }

// Notes is notes.
func (p *TestOutcome) Notes() string { return p.GetString(FieldNotes) }

// SetNotes sets notes.
func (p *TestOutcome) SetNotes(v string) { p.Set(FieldNotes, v) }

// TestTemplate is a test_templates record: an Atomic, Caldera or hand-made procedure. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type TestTemplate struct{ core.BaseRecordProxy }

// AsTestTemplate wraps r, which must belong to TestTemplates; nil stays nil.
func AsTestTemplate(r *core.Record) *TestTemplate {
	if r == nil {
		return nil
	}
	p := &TestTemplate{}
	p.SetProxyRecord(r)
	return p
}

// NewTestTemplate is a new, unsaved TestTemplates record.
func NewTestTemplate(app core.App) (*TestTemplate, error) {
	col, err := app.FindCachedCollectionByNameOrId(TestTemplates)
	if err != nil {
		return nil, err
	}
	return AsTestTemplate(core.NewRecord(col)), nil
}

// Name is name.
func (p *TestTemplate) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *TestTemplate) SetName(v string) { p.Set(FieldName, v) }

// Source is source.
func (p *TestTemplate) Source() string { return p.GetString(FieldSource) }

// SetSource sets source.
func (p *TestTemplate) SetSource(v string) { p.Set(FieldSource, v) }

// SourceId is source_id.
func (p *TestTemplate) SourceId() string { return p.GetString(FieldSourceId) }

// SetSourceId sets source_id.
func (p *TestTemplate) SetSourceId(v string) { p.Set(FieldSourceId, v) }

// Description is description.
func (p *TestTemplate) Description() string { return p.GetString(FieldDescription) }

// SetDescription sets description.
func (p *TestTemplate) SetDescription(v string) { p.Set(FieldDescription, v) }

// User is a users record: an Aegis account with its role. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type User struct{ core.BaseRecordProxy }

// AsUser wraps r, which must belong to Users; nil stays nil.
func AsUser(r *core.Record) *User {
	if r == nil {
		return nil
	}
	p := &User{}
	p.SetProxyRecord(r)
	return p
}

// NewUser is a new, unsaved Users record.
func NewUser(app core.App) (*User, error) {
	col, err := app.FindCachedCollectionByNameOrId(Users)
	if err != nil {
		return nil, err
	}
	return AsUser(core.NewRecord(col)), nil
}

// Name is name.
func (p *User) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *User) SetName(v string) { p.Set(FieldName, v) }

// Role is role.
func (p *User) Role() Role { return RoleOf(p) }

// SetRole sets role.
func (p *User) SetRole(v Role) { p.Set(FieldRole, v) }

// Active is active.
func (p *User) Active() bool { return p.GetBool(FieldActive) }

// SetActive sets active.
func (p *User) SetActive(v bool) { p.Set(FieldActive, v) }

// Technique is a techniques record: an ATT&CK (sub-)technique. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type Technique struct{ core.BaseRecordProxy }

// AsTechnique wraps r, which must belong to Techniques; nil stays nil.
func AsTechnique(r *core.Record) *Technique {
	if r == nil {
		return nil
	}
	p := &Technique{}
	p.SetProxyRecord(r)
	return p
}

// NewTechnique is a new, unsaved Techniques record.
func NewTechnique(app core.App) (*Technique, error) {
	col, err := app.FindCachedCollectionByNameOrId(Techniques)
	if err != nil {
		return nil, err
	}
	return AsTechnique(core.NewRecord(col)), nil
}

// AttackId is attack_id.
func (p *Technique) AttackId() string { return p.GetString(FieldAttackId) }

// SetAttackId sets attack_id.
func (p *Technique) SetAttackId(v string) { p.Set(FieldAttackId, v) }

// Name is name.
func (p *Technique) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *Technique) SetName(v string) { p.Set(FieldName, v) }

// Priority is priority.
func (p *Technique) Priority() string { return p.GetString(FieldPriority) }

// SetPriority sets priority.
func (p *Technique) SetPriority(v string) { p.Set(FieldPriority, v) }

// Revoked is revoked.
func (p *Technique) Revoked() bool { return p.GetBool(FieldRevoked) }

// SetRevoked sets revoked.
func (p *Technique) SetRevoked(v bool) { p.Set(FieldRevoked, v) }

// Deprecated is deprecated.
func (p *Technique) Deprecated() bool { return p.GetBool(FieldDeprecated) }

// SetDeprecated sets deprecated.
func (p *Technique) SetDeprecated(v bool) { p.Set(FieldDeprecated, v) }

// DetectionRule is a detection_rules record: a Sigma, Elastic, Splunk or custom rule. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type DetectionRule struct{ core.BaseRecordProxy }

// AsDetectionRule wraps r, which must belong to DetectionRules; nil stays nil.
func AsDetectionRule(r *core.Record) *DetectionRule {
	if r == nil {
		return nil
	}
	p := &DetectionRule{}
	p.SetProxyRecord(r)
	return p
}

// NewDetectionRule is a new, unsaved DetectionRules record.
func NewDetectionRule(app core.App) (*DetectionRule, error) {
	col, err := app.FindCachedCollectionByNameOrId(DetectionRules)
	if err != nil {
		return nil, err
	}
	return AsDetectionRule(core.NewRecord(col)), nil
}

// Name is name.
func (p *DetectionRule) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *DetectionRule) SetName(v string) { p.Set(FieldName, v) }

// Source is source.
func (p *DetectionRule) Source() string { return p.GetString(FieldSource) }

// SetSource sets source.
func (p *DetectionRule) SetSource(v string) { p.Set(FieldSource, v) }

// Enabled is enabled.
func (p *DetectionRule) Enabled() bool { return p.GetBool(FieldEnabled) }

// SetEnabled sets enabled.
func (p *DetectionRule) SetEnabled(v bool) { p.Set(FieldEnabled, v) }

// JobRun is a job_runs record: one run of a job (sync, import, cleanup…). It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type JobRun struct{ core.BaseRecordProxy }

// AsJobRun wraps r, which must belong to JobRuns; nil stays nil.
func AsJobRun(r *core.Record) *JobRun {
	if r == nil {
		return nil
	}
	p := &JobRun{}
	p.SetProxyRecord(r)
	return p
}

// NewJobRun is a new, unsaved JobRuns record.
func NewJobRun(app core.App) (*JobRun, error) {
	col, err := app.FindCachedCollectionByNameOrId(JobRuns)
	if err != nil {
		return nil, err
	}
	return AsJobRun(core.NewRecord(col)), nil
}

// Job is job.
func (p *JobRun) Job() string { return p.GetString(FieldJob) }

// SetJob sets job.
func (p *JobRun) SetJob(v string) { p.Set(FieldJob, v) }

// Trigger is trigger.
func (p *JobRun) Trigger() string { return p.GetString(FieldTrigger) }

// SetTrigger sets trigger.
func (p *JobRun) SetTrigger(v string) { p.Set(FieldTrigger, v) }

// Status is status.
func (p *JobRun) Status() string { return p.GetString(FieldStatus) }

// SetStatus sets status.
func (p *JobRun) SetStatus(v string) { p.Set(FieldStatus, v) }

// Attempt is attempt.
func (p *JobRun) Attempt() int { return p.GetInt(FieldAttempt) }

// SetAttempt sets attempt.
func (p *JobRun) SetAttempt(v int) { p.Set(FieldAttempt, v) }

// Integration is integration.
func (p *JobRun) Integration() string { return p.GetString(FieldIntegration) }

// SetIntegration sets integration.
func (p *JobRun) SetIntegration(v string) { p.Set(FieldIntegration, v) }

// RequestedBy is requested_by.
func (p *JobRun) RequestedBy() string { return p.GetString(FieldRequestedBy) }

// SetRequestedBy sets requested_by.
func (p *JobRun) SetRequestedBy(v string) { p.Set(FieldRequestedBy, v) }

// ErrorText is error (named so that a run is not an error value).
func (p *JobRun) ErrorText() string { return p.GetString(FieldError) }

// SetErrorText sets error.
func (p *JobRun) SetErrorText(v string) { p.Set(FieldError, v) }

// StartedAt is started_at.
func (p *JobRun) StartedAt() types.DateTime { return p.GetDateTime(FieldStartedAt) }

// SetStartedAt sets started_at.
func (p *JobRun) SetStartedAt(v types.DateTime) { p.Set(FieldStartedAt, v) }

// FinishedAt is finished_at.
func (p *JobRun) FinishedAt() types.DateTime { return p.GetDateTime(FieldFinishedAt) }

// SetFinishedAt sets finished_at.
func (p *JobRun) SetFinishedAt(v types.DateTime) { p.Set(FieldFinishedAt, v) }

// Progress is progress.
func (p *JobRun) Progress() any { return p.Get(FieldProgress) }

// SetProgress sets progress.
func (p *JobRun) SetProgress(v any) { p.Set(FieldProgress, v) }

// Log is log.
func (p *JobRun) Log() any { return p.Get(FieldLog) }

// SetLog sets log.
func (p *JobRun) SetLog(v any) { p.Set(FieldLog, v) }

// Stats is stats.
func (p *JobRun) Stats() any { return p.Get(FieldStats) }

// SetStats sets stats.
func (p *JobRun) SetStats(v any) { p.Set(FieldStats, v) }

// Integration is an integrations record: a source synced on a schedule. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type Integration struct{ core.BaseRecordProxy }

// AsIntegration wraps r, which must belong to Integrations; nil stays nil.
func AsIntegration(r *core.Record) *Integration {
	if r == nil {
		return nil
	}
	p := &Integration{}
	p.SetProxyRecord(r)
	return p
}

// NewIntegration is a new, unsaved Integrations record.
func NewIntegration(app core.App) (*Integration, error) {
	col, err := app.FindCachedCollectionByNameOrId(Integrations)
	if err != nil {
		return nil, err
	}
	return AsIntegration(core.NewRecord(col)), nil
}

// Name is name.
func (p *Integration) Name() string { return p.GetString(FieldName) }

// SetName sets name.
func (p *Integration) SetName(v string) { p.Set(FieldName, v) }

// Kind is kind.
func (p *Integration) Kind() string { return p.GetString(FieldKind) }

// SetKind sets kind.
func (p *Integration) SetKind(v string) { p.Set(FieldKind, v) }

// Enabled is enabled.
func (p *Integration) Enabled() bool { return p.GetBool(FieldEnabled) }

// SetEnabled sets enabled.
func (p *Integration) SetEnabled(v bool) { p.Set(FieldEnabled, v) }

// Schedule is schedule.
func (p *Integration) Schedule() string { return p.GetString(FieldSchedule) }

// SetSchedule sets schedule.
func (p *Integration) SetSchedule(v string) { p.Set(FieldSchedule, v) }

// Source is source, the stored JSON.
func (p *Integration) Source() string { return p.GetString(FieldSource) }

// SetSource sets source.
func (p *Integration) SetSource(v any) { p.Set(FieldSource, v) }

// LastSyncAt is last_sync_at.
func (p *Integration) LastSyncAt() types.DateTime { return p.GetDateTime(FieldLastSyncAt) }

// SetLastSyncAt sets last_sync_at.
func (p *Integration) SetLastSyncAt(v types.DateTime) { p.Set(FieldLastSyncAt, v) }

// LastStatus is last_status.
func (p *Integration) LastStatus() string { return p.GetString(FieldLastStatus) }

// SetLastStatus sets last_status.
func (p *Integration) SetLastStatus(v string) { p.Set(FieldLastStatus, v) }

// LastError is last_error.
func (p *Integration) LastError() string { return p.GetString(FieldLastError) }

// SetLastError sets last_error.
func (p *Integration) SetLastError(v string) { p.Set(FieldLastError, v) }

// LastSyncStats is last_sync_stats.
func (p *Integration) LastSyncStats() any { return p.Get(FieldLastSyncStats) }

// SetLastSyncStats sets last_sync_stats.
func (p *Integration) SetLastSyncStats(v any) { p.Set(FieldLastSyncStats, v) }

// Notification is a notifications record: one message to one user. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type Notification struct{ core.BaseRecordProxy }

// AsNotification wraps r, which must belong to Notifications; nil stays nil.
func AsNotification(r *core.Record) *Notification {
	if r == nil {
		return nil
	}
	p := &Notification{}
	p.SetProxyRecord(r)
	return p
}

// NewNotification is a new, unsaved Notifications record.
func NewNotification(app core.App) (*Notification, error) {
	col, err := app.FindCachedCollectionByNameOrId(Notifications)
	if err != nil {
		return nil, err
	}
	return AsNotification(core.NewRecord(col)), nil
}

// User is user.
func (p *Notification) User() string { return p.GetString(FieldUser) }

// SetUser sets user.
func (p *Notification) SetUser(v string) { p.Set(FieldUser, v) }

// Kind is kind.
func (p *Notification) Kind() string { return p.GetString(FieldKind) }

// SetKind sets kind.
func (p *Notification) SetKind(v string) { p.Set(FieldKind, v) }

// Title is title.
func (p *Notification) Title() string { return p.GetString(FieldTitle) }

// SetTitle sets title.
func (p *Notification) SetTitle(v string) { p.Set(FieldTitle, v) }

// Body is body.
func (p *Notification) Body() string { return p.GetString(FieldBody) }

// SetBody sets body.
func (p *Notification) SetBody(v string) { p.Set(FieldBody, v) }

// Link is link.
func (p *Notification) Link() string { return p.GetString(FieldLink) }

// SetLink sets link.
func (p *Notification) SetLink(v string) { p.Set(FieldLink, v) }

// Read is read.
func (p *Notification) Read() bool { return p.GetBool(FieldRead) }

// SetRead sets read.
func (p *Notification) SetRead(v bool) { p.Set(FieldRead, v) }

// EvidenceFile is an evidence record: a file attached to a test by one team. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type EvidenceFile struct{ core.BaseRecordProxy }

// AsEvidenceFile wraps r, which must belong to Evidence; nil stays nil.
func AsEvidenceFile(r *core.Record) *EvidenceFile {
	if r == nil {
		return nil
	}
	p := &EvidenceFile{}
	p.SetProxyRecord(r)
	return p
}

// NewEvidenceFile is a new, unsaved Evidence record.
func NewEvidenceFile(app core.App) (*EvidenceFile, error) {
	col, err := app.FindCachedCollectionByNameOrId(Evidence)
	if err != nil {
		return nil, err
	}
	return AsEvidenceFile(core.NewRecord(col)), nil
}

// Test is test.
func (p *EvidenceFile) Test() string { return p.GetString(FieldTest) }

// SetTest sets test.
func (p *EvidenceFile) SetTest(v string) { p.Set(FieldTest, v) }

// Team is team.
func (p *EvidenceFile) Team() string { return p.GetString(FieldTeam) }

// SetTeam sets team.
func (p *EvidenceFile) SetTeam(v string) { p.Set(FieldTeam, v) }

// Filename is filename.
func (p *EvidenceFile) Filename() string { return p.GetString(FieldFilename) }

// SetFilename sets filename.
func (p *EvidenceFile) SetFilename(v string) { p.Set(FieldFilename, v) }

// Mime is mime.
func (p *EvidenceFile) Mime() string { return p.GetString(FieldMime) }

// SetMime sets mime.
func (p *EvidenceFile) SetMime(v string) { p.Set(FieldMime, v) }

// Size is size.
func (p *EvidenceFile) Size() int { return p.GetInt(FieldSize) }

// SetSize sets size.
func (p *EvidenceFile) SetSize(v int) { p.Set(FieldSize, v) }

// Note is note.
func (p *EvidenceFile) Note() string { return p.GetString(FieldNote) }

// SetNote sets note.
func (p *EvidenceFile) SetNote(v string) { p.Set(FieldNote, v) }

// UploadedBy is uploaded_by.
func (p *EvidenceFile) UploadedBy() string { return p.GetString(FieldUploadedBy) }

// SetUploadedBy sets uploaded_by.
func (p *EvidenceFile) SetUploadedBy(v string) { p.Set(FieldUploadedBy, v) }

// File is file.
func (p *EvidenceFile) File() any { return p.Get(FieldFile) }

// SetFile sets file.
func (p *EvidenceFile) SetFile(v any) { p.Set(FieldFile, v) }

// AuditLog is an audit_logs record: one audited change or event. It wraps the *core.Record (PocketBase's core.BaseRecordProxy):
// app.Save and record queries accept it; Record is the underlying record.
type AuditLog struct{ core.BaseRecordProxy }

// AsAuditLog wraps r, which must belong to AuditLogs; nil stays nil.
func AsAuditLog(r *core.Record) *AuditLog {
	if r == nil {
		return nil
	}
	p := &AuditLog{}
	p.SetProxyRecord(r)
	return p
}

// NewAuditLog is a new, unsaved AuditLogs record.
func NewAuditLog(app core.App) (*AuditLog, error) {
	col, err := app.FindCachedCollectionByNameOrId(AuditLogs)
	if err != nil {
		return nil, err
	}
	return AsAuditLog(core.NewRecord(col)), nil
}

// Actor is actor.
func (p *AuditLog) Actor() string { return p.GetString(FieldActor) }

// SetActor sets actor.
func (p *AuditLog) SetActor(v string) { p.Set(FieldActor, v) }

// ActorName is actor_name.
func (p *AuditLog) ActorName() string { return p.GetString(FieldActorName) }

// SetActorName sets actor_name.
func (p *AuditLog) SetActorName(v string) { p.Set(FieldActorName, v) }

// ActorKind is actor_kind.
func (p *AuditLog) ActorKind() string { return p.GetString(FieldActorKind) }

// SetActorKind sets actor_kind.
func (p *AuditLog) SetActorKind(v string) { p.Set(FieldActorKind, v) }

// Action is action.
func (p *AuditLog) Action() string { return p.GetString(FieldAction) }

// SetAction sets action.
func (p *AuditLog) SetAction(v string) { p.Set(FieldAction, v) }

// AuditedCollection is collection: the collection of the audited record.
func (p *AuditLog) AuditedCollection() string { return p.GetString(FieldCollection) }

// SetAuditedCollection sets collection.
func (p *AuditLog) SetAuditedCollection(v string) { p.Set(FieldCollection, v) }

// RecordId is record_id.
func (p *AuditLog) RecordId() string { return p.GetString(FieldRecordId) }

// SetRecordId sets record_id.
func (p *AuditLog) SetRecordId(v string) { p.Set(FieldRecordId, v) }

// Details is details.
func (p *AuditLog) Details() any { return p.Get(FieldDetails) }

// SetDetails sets details.
func (p *AuditLog) SetDetails(v any) { p.Set(FieldDetails, v) }

// Private is private.
func (p *AuditLog) Private() any { return p.Get(FieldPrivate) }

// SetPrivate sets private.
func (p *AuditLog) SetPrivate(v any) { p.Set(FieldPrivate, v) }

// Ip is ip.
func (p *AuditLog) Ip() string { return p.GetString(FieldIp) }

// SetIp sets ip.
func (p *AuditLog) SetIp(v string) { p.Set(FieldIp, v) }

// Test is test.
func (p *AuditLog) Test() string { return p.GetString(FieldTest) }

// SetTest sets test.
func (p *AuditLog) SetTest(v string) { p.Set(FieldTest, v) }

// Revealed is revealed.
func (p *AuditLog) Revealed() bool { return p.GetBool(FieldRevealed) }

// SetRevealed sets revealed.
func (p *AuditLog) SetRevealed(v bool) { p.Set(FieldRevealed, v) }

// TotpEnabled is totp_enabled.
func (p *User) TotpEnabled() bool { return p.GetBool(FieldTotpEnabled) }

// SetTotpEnabled sets totp_enabled.
func (p *User) SetTotpEnabled(v bool) { p.Set(FieldTotpEnabled, v) }

// TotpSecret is totp_secret.
func (p *User) TotpSecret() string { return p.GetString(FieldTotpSecret) }

// SetTotpSecret sets totp_secret.
func (p *User) SetTotpSecret(v string) { p.Set(FieldTotpSecret, v) }

// TotpPending is totp_pending.
func (p *User) TotpPending() string { return p.GetString(FieldTotpPending) }

// SetTotpPending sets totp_pending.
func (p *User) SetTotpPending(v string) { p.Set(FieldTotpPending, v) }

// SourceRuleId is source_rule_id.
func (p *DetectionRule) SourceRuleId() string { return p.GetString(FieldSourceRuleId) }

// SetSourceRuleId sets source_rule_id.
func (p *DetectionRule) SetSourceRuleId(v string) { p.Set(FieldSourceRuleId, v) }

// Title is title.
func (p *DetectionRule) Title() string { return p.GetString(FieldTitle) }

// SetTitle sets title.
func (p *DetectionRule) SetTitle(v string) { p.Set(FieldTitle, v) }

// Status is status.
func (p *DetectionRule) Status() string { return p.GetString(FieldStatus) }

// SetStatus sets status.
func (p *DetectionRule) SetStatus(v string) { p.Set(FieldStatus, v) }

// Severity is severity.
func (p *DetectionRule) Severity() string { return p.GetString(FieldSeverity) }

// SetSeverity sets severity.
func (p *DetectionRule) SetSeverity(v string) { p.Set(FieldSeverity, v) }

// Author is author.
func (p *DetectionRule) Author() string { return p.GetString(FieldAuthor) }

// SetAuthor sets author.
func (p *DetectionRule) SetAuthor(v string) { p.Set(FieldAuthor, v) }

// Techniques is techniques.
func (p *DetectionRule) Techniques() []string { return p.GetStringSlice(FieldTechniques) }

// SetTechniques sets techniques.
func (p *DetectionRule) SetTechniques(v []string) { p.Set(FieldTechniques, v) }

// Tactics is tactics.
func (p *DetectionRule) Tactics() []string { return p.GetStringSlice(FieldTactics) }

// SetTactics sets tactics.
func (p *DetectionRule) SetTactics(v []string) { p.Set(FieldTactics, v) }

// Platforms is platforms.
func (p *DetectionRule) Platforms() []string { return p.GetStringSlice(FieldPlatforms) }

// SetPlatforms sets platforms.
func (p *DetectionRule) SetPlatforms(v []string) { p.Set(FieldPlatforms, v) }

// LogSources is log_sources.
func (p *DetectionRule) LogSources() any { return p.Get(FieldLogSources) }

// SetLogSources sets log_sources.
func (p *DetectionRule) SetLogSources(v any) { p.Set(FieldLogSources, v) }

// References is references.
func (p *DetectionRule) References() []string { return p.GetStringSlice(FieldReferences) }

// SetReferences sets references.
func (p *DetectionRule) SetReferences(v []string) { p.Set(FieldReferences, v) }

// Content is content.
func (p *DetectionRule) Content() string { return p.GetString(FieldContent) }

// SetContent sets content.
func (p *DetectionRule) SetContent(v string) { p.Set(FieldContent, v) }

// ContentHash is content_hash.
func (p *DetectionRule) ContentHash() string { return p.GetString(FieldContentHash) }

// SetContentHash sets content_hash.
func (p *DetectionRule) SetContentHash(v string) { p.Set(FieldContentHash, v) }

// Meta is meta.
func (p *DetectionRule) Meta() any { return p.Get(FieldMeta) }

// SetMeta sets meta.
func (p *DetectionRule) SetMeta(v any) { p.Set(FieldMeta, v) }

// UnknownTechniques is unknown_techniques.
func (p *DetectionRule) UnknownTechniques() []string { return p.GetStringSlice(FieldUnknownTechniques) }

// SetUnknownTechniques sets unknown_techniques.
func (p *DetectionRule) SetUnknownTechniques(v []string) { p.Set(FieldUnknownTechniques, v) }

// Removed is removed.
func (p *DetectionRule) Removed() bool { return p.GetBool(FieldRemoved) }

// SetRemoved sets removed.
func (p *DetectionRule) SetRemoved(v bool) { p.Set(FieldRemoved, v) }

// Description is description.
func (p *DetectionRule) Description() string { return p.GetString(FieldDescription) }

// SetDescription sets description.
func (p *DetectionRule) SetDescription(v string) { p.Set(FieldDescription, v) }
