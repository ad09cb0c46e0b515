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
