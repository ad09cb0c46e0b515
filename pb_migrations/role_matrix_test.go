package migrations_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// The expected role matrix, written by hand from DESIGN §3. Where the design
// is silent (who may create catalogue entries, delete job runs…), the
// migrations' choice is the spec. Role codes: A admin, RL red_lead,
// RO red_operator, BL blue_lead, BA blue_analyst, V viewer. Anonymous callers
// are denied everything. "update" and "delete" target a record the caller
// does not own; "*_own" ops target one the caller owns.
const everyone = "A RL RO BL BA V"

var matrix = map[string]map[string]string{
	// read everything except other users' private data; only admins manage users
	collections.Users: {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},

	// the ATT&CK catalogue is imported; admins correct it by hand
	collections.Tactics:             {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.Techniques:          {"list": everyone, "view": everyone, "create": "A", "update": "A BL", "delete": "A"}, // scope and priority: blue lead
	collections.Mitigations:         {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.DataComponents:      {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.DetectionStrategies: {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.AttackReleases:      {"list": everyone, "view": everyone, "create": "", "update": "", "delete": "A"},
	collections.ThreatActors:        {"list": everyone, "view": everyone, "create": "A RL", "update": "A RL", "delete": "A"},
	collections.ActorTechniques:     {"list": everyone, "view": everyone, "create": "A RL", "update": "A RL", "delete": "A"},
	collections.Software:            {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.AttackCampaigns:     {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},

	// create/plan campaigns and tests: admin, red lead
	collections.TestTemplates: {"list": everyone, "view": everyone, "create": "A RL", "update": "A RL", "delete": "A RL"},
	collections.Campaigns:     {"list": everyone, "view": everyone, "create": "A RL", "update": "A RL", "delete": "A RL"},
	collections.Tests: {"list": everyone, "view": everyone, "create": "A RL",
		"update": "A RL RO BL BA", // each team its own fields; workflow fields only via /transition
		"delete": "A RL"},
	// outcomes are written only by the workflow (transition endpoint) and by
	// imports, both from Go: the records API refuses every role
	collections.TestOutcomes: {"list": everyone, "view": everyone, "create": "", "update": "", "delete": ""},
	// manage findings: admin, red lead, blue lead
	collections.Findings: {"list": everyone, "view": everyone, "create": "A RL BL", "update": "A RL BL", "delete": "A"},
	// red evidence by red, blue evidence by blue; only the uploader edits, admins may delete
	collections.Evidence: {"list": everyone, "view": everyone, "create": "A RL RO BL BA",
		"update": "", "delete": "A", "update_own": "A RL RO BL BA", "delete_own": "A RL RO BL BA"},
	collections.TestComments: {"list": everyone, "view": everyone, "create": "A RL RO BL BA",
		"update": "", "delete": "A", "update_own": "A RL RO BL BA", "delete_own": "A RL RO BL BA"},

	// detection rules, defense tools, control and D3FEND status: admin, blue lead
	collections.DefenseTools:         {"list": everyone, "view": everyone, "create": "A BL", "update": "A BL", "delete": "A BL"},
	collections.DetectionRules:       {"list": everyone, "view": everyone, "create": "A BL", "update": "A BL", "delete": "A BL"},
	collections.D3fendTechniques:     {"list": everyone, "view": everyone, "create": "A", "update": "A BL", "delete": "A"},
	collections.D3fendMappings:       {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.ComplianceFrameworks: {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.ComplianceControls:   {"list": everyone, "view": everyone, "create": "A", "update": "A BL", "delete": "A"},
	collections.ControlMappings:      {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	collections.IntelReports:         {"list": everyone, "view": everyone, "create": "A", "update": "A", "delete": "A"},
	// scores imported from DeTT&CT: written by the importer, blue leads may correct
	collections.TechniqueAssessments: {"list": everyone, "view": everyone, "create": "A BL", "update": "A BL", "delete": "A BL"},
	// references to ATT&CK ids not in the catalogue yet: written by importers only
	collections.PendingAttackRefs: {"list": everyone, "view": everyone, "create": "", "update": "", "delete": "A"},

	// computed or written by Aegis itself
	collections.CoverageSnapshots: {"list": everyone, "view": everyone, "create": "", "update": "", "delete": "A"},
	collections.JobRuns:           {"list": everyone, "view": everyone, "create": "", "update": "", "delete": "A"},
	collections.AuditLogs:         {"list": everyone, "view": everyone, "create": "", "update": "", "delete": ""},
	// a user's own notifications only, and only their read flag
	collections.Notifications: {"list": "", "view": "", "create": "", "update": "", "delete": "",
		"list_own": everyone, "view_own": everyone, "update_own": everyone, "delete_own": everyone},

	// manage users, integrations, settings: admin (integrations may hold tokens)
	collections.Integrations: {"list": "A", "view": "A", "create": "A", "update": "A", "delete": "A"},
	collections.Settings:     {"list": everyone, "view": everyone, "create": "", "update": "A", "delete": ""},
}

var roleCodes = map[string]collections.Role{
	"A": collections.RoleAdmin, "RL": collections.RoleRedLead, "RO": collections.RoleRedOperator,
	"BL": collections.RoleBlueLead, "BA": collections.RoleBlueAnalyst, "V": collections.RoleViewer,
}

func allowedRoles(codes string) []collections.Role {
	var out []collections.Role
	for _, c := range strings.Fields(codes) {
		out = append(out, roleCodes[c])
	}
	return out
}

// world holds the records other records point at.
type world struct {
	t         *testing.T
	app       core.App
	users     map[collections.Role]testutil.User
	n         int
	technique *core.Record
	campaign  *core.Record
	test      *core.Record
	framework *core.Record
	stranger  *core.Record // owns the records no caller owns
}

func (w *world) next() int { w.n++; return w.n }

func (w *world) save(collection string, data map[string]any) *core.Record {
	w.t.Helper()
	col, err := w.app.FindCollectionByNameOrId(collection)
	require.NoError(w.t, err, "find the collection")
	r := core.NewRecord(col)
	for k, v := range data {
		r.Set(k, v)
	}
	require.NoError(w.t, w.app.Save(r), "seed %s %v", collection, data)
	return r
}

func stix(kind string, n int) string {
	return fmt.Sprintf("%s--%08d-0000-4000-8000-000000000000", kind, n)
}

// body returns a valid record body for collection; role picks fields the
// role is meant to edit and owner the user a record belongs to. The same
// data seeds records from Go and is sent to the API for creates.
func (w *world) body(collection string, role collections.Role, owner string) map[string]any {
	n := w.next()
	switch collection {
	case collections.Users:
		return map[string]any{"email": fmt.Sprintf("user%d@aegis.test", n), "password": "a-long-password",
			"passwordConfirm": "a-long-password", "role": collections.RoleViewer, "name": "U", "active": true}
	case collections.Tactics:
		return map[string]any{"stix_id": stix("x-mitre-tactic", n), "attack_id": fmt.Sprintf("TA9%03d", n),
			"name": "Tactic", "shortname": fmt.Sprintf("tactic-%d", n), "domain": "enterprise-attack"}
	case collections.Techniques:
		return map[string]any{"stix_id": stix("attack-pattern", n), "attack_id": fmt.Sprintf("T9%03d", n),
			"name": "Technique", "domain": "enterprise-attack", "in_scope": true}
	case collections.Mitigations:
		return map[string]any{"stix_id": stix("course-of-action", n), "attack_id": fmt.Sprintf("M9%03d", n), "name": "Mitigation"}
	case collections.DataComponents:
		return map[string]any{"stix_id": stix("x-mitre-data-component", n), "name": "Component"}
	case collections.DetectionStrategies:
		return map[string]any{"stix_id": stix("x-mitre-detection-strategy", n), "attack_id": fmt.Sprintf("DET9%03d", n), "name": "Strategy"}
	case collections.AttackReleases:
		return map[string]any{"domain": "enterprise-attack", "version": fmt.Sprintf("18.%d", n)}
	case collections.ThreatActors:
		return map[string]any{"stix_id": stix("intrusion-set", n), "attack_id": fmt.Sprintf("G9%03d", n), "name": fmt.Sprintf("Actor %d", n), "source": "manual"}
	case collections.ActorTechniques:
		actor := w.save(collections.ThreatActors, w.body(collections.ThreatActors, "", ""))
		return map[string]any{"actor": actor.Id, "technique": w.technique.Id, "procedure": "uses it"}
	case collections.Software:
		return map[string]any{"stix_id": stix("malware", n), "attack_id": fmt.Sprintf("S9%03d", n), "name": "Malware", "kind": "malware"}
	case collections.AttackCampaigns:
		return map[string]any{"stix_id": stix("campaign", n), "attack_id": fmt.Sprintf("C9%03d", n), "name": "Operation"}
	case collections.TestTemplates:
		return map[string]any{"source": "manual", "source_id": fmt.Sprintf("tpl-%d", n), "name": "Template", "technique": w.technique.Id}
	case collections.Campaigns:
		return map[string]any{"name": fmt.Sprintf("Campaign %d", n), "status": "planned"}
	case collections.DefenseTools:
		return map[string]any{"name": fmt.Sprintf("Tool %d", n), "kind": "edr"}
	case collections.Tests:
		return map[string]any{"name": fmt.Sprintf("Test %d", n), "technique": w.technique.Id, "campaign": w.campaign.Id}
	case collections.TestOutcomes:
		tool := w.save(collections.DefenseTools, w.body(collections.DefenseTools, "", ""))
		return map[string]any{"test": w.test.Id, "defense_tool": tool.Id, "notes": "seen"}
	case collections.Findings:
		return map[string]any{"title": fmt.Sprintf("Finding %d", n), "technique": w.technique.Id, "severity": "high", "status": "open"}
	case collections.Evidence:
		team := "red"
		if collections.IsBlue(role) {
			team = "blue"
		}
		return map[string]any{"test": w.test.Id, "team": team, "uploaded_by": owner, "note": "capture"}
	case collections.TestComments:
		return map[string]any{"test": w.test.Id, "author": owner, "body": "looks good"}
	case collections.DetectionRules:
		return map[string]any{"source": "custom", "source_rule_id": fmt.Sprintf("rule-%d", n), "title": "Rule", "enabled": true}
	case collections.D3fendTechniques:
		return map[string]any{"d3fend_id": fmt.Sprintf("D3-T%d", n), "name": "Countermeasure", "tactic": "harden"}
	case collections.D3fendMappings:
		d3 := w.save(collections.D3fendTechniques, w.body(collections.D3fendTechniques, "", ""))
		return map[string]any{"technique": w.technique.Id, "d3fend": d3.Id, "via": "Process"}
	case collections.ComplianceFrameworks:
		return map[string]any{"name": fmt.Sprintf("Framework %d", n), "version": "5"}
	case collections.ComplianceControls:
		return map[string]any{"framework": w.framework.Id, "control_id": fmt.Sprintf("AC-%d", n), "title": "Control"}
	case collections.ControlMappings:
		ctl := w.save(collections.ComplianceControls, w.body(collections.ComplianceControls, "", ""))
		return map[string]any{"control": ctl.Id, "technique": w.technique.Id, "mapping_type": "mitigates"}
	case collections.IntelReports:
		return map[string]any{"external_id": fmt.Sprintf("report-%d", n), "title": "Report", "source": "manual"}
	case collections.TechniqueAssessments:
		return map[string]any{"source": "dettect", "attack_id": "T1059", "kind": collections.AssessmentDetection,
			"applicable_to": fmt.Sprintf("all-%d", n), "score": 3}
	case collections.PendingAttackRefs:
		return map[string]any{"kind": collections.RefControlMapping, "attack_id": "T9999", "owner": "control1", "detail": fmt.Sprint(n)}
	case collections.CoverageSnapshots:
		return map[string]any{"trigger": "manual", "label": "snap"}
	case collections.JobRuns:
		return map[string]any{"job": "coverage_snapshot", "status": "succeeded", "trigger": "manual"}
	case collections.AuditLogs:
		// An entry about no hidden test (audit.Write sets revealed; an entry
		// about an unrevealed blind test is hidden from blue roles, which
		// blind_audit_test.go checks).
		return map[string]any{"action": "create", "actor_kind": "system", "revealed": true}
	case collections.Notifications:
		return map[string]any{"user": owner, "title": "Hello", "kind": "info"}
	case collections.Integrations:
		return map[string]any{"kind": "sigma", "name": fmt.Sprintf("Integration %d", n), "enabled": false,
			"source": map[string]any{"spec": "github:SigmaHQ/sigma@master/rules"}}
	case collections.Settings:
		return map[string]any{"key": fmt.Sprintf("extra-%d", n)}
	}
	require.FailNow(w.t, "no request body for "+collection)
	return nil
}

// updateBody is a change the role would legitimately make on collection.
func updateBody(collection string, role collections.Role) map[string]any {
	switch collection {
	case collections.Users:
		return map[string]any{"name": "Renamed"}
	case collections.Techniques:
		return map[string]any{"in_scope": false, "priority": "high"}
	case collections.Tests:
		switch {
		case collections.IsRed(role) && role != collections.RoleRedLead:
			return map[string]any{"red_notes": "ran it"}
		case collections.IsBlue(role):
			return map[string]any{"blue_notes": "saw it"}
		}
		return map[string]any{"procedure": "step 1"}
	case collections.TestOutcomes:
		return map[string]any{"notes": "updated"}
	case collections.Findings:
		return map[string]any{"status": "in_progress"}
	case collections.Evidence:
		return map[string]any{"note": "annotated"}
	case collections.TestComments:
		return map[string]any{"body": "edited"}
	case collections.D3fendTechniques, collections.ComplianceControls:
		return map[string]any{"status": "implemented"}
	case collections.Notifications:
		return map[string]any{"read": true}
	case collections.Settings:
		return map[string]any{"intel_keywords": []string{"ransomware"}}
	case collections.AuditLogs:
		return map[string]any{"action": "tampered"}
	case collections.Integrations:
		return map[string]any{"enabled": true}
	}
	return map[string]any{"description": "edited", "notes": "edited", "version": "2"}
}

// seed saves a record of collection owned by owner (when it has an owner).
func (w *world) seed(collection, owner string) *core.Record {
	w.t.Helper()
	data := w.body(collection, collections.RoleAdmin, owner)
	if collection == collections.Users {
		col, _ := w.app.FindCollectionByNameOrId(collections.Users)
		u := core.NewRecord(col)
		u.SetEmail(data["email"].(string))
		u.SetPassword("a-long-password")
		u.Set("role", collections.RoleViewer)
		u.Set("active", true)
		require.NoError(w.t, w.app.Save(u), "save a user")
		return u
	}
	if collection == collections.Tests {
		data["revealed"] = true
		data["red_assignee"] = w.users[collections.RoleRedOperator].Id
		data["blue_assignee"] = w.users[collections.RoleBlueAnalyst].Id
	}
	if collection == collections.Evidence {
		f, err := filesystem.NewFileFromBytes([]byte("evidence bytes\n"), "capture.txt")
		require.NoError(w.t, err, "make the evidence file")
		data["file"] = f
	}
	return w.save(collection, data)
}

func newWorld(t *testing.T, app core.App) *world {
	w := &world{t: t, app: app, users: testutil.Users(t)}
	w.technique = w.save(collections.Techniques, w.body(collections.Techniques, "", ""))
	w.campaign = w.save(collections.Campaigns, w.body(collections.Campaigns, "", ""))
	w.test = w.save(collections.Tests, map[string]any{"name": "Seeded test", "technique": w.technique.Id,
		"campaign": w.campaign.Id, "revealed": true,
		"red_assignee": w.users[collections.RoleRedOperator].Id, "blue_assignee": w.users[collections.RoleBlueAnalyst].Id})
	w.framework = w.save(collections.ComplianceFrameworks, w.body(collections.ComplianceFrameworks, "", ""))
	w.stranger = w.seed(collections.Users, "")
	return w
}

type errBody struct {
	Status  int
	Message string
	Data    map[string]any
}

// denied reports whether r is a refusal (not a validation failure).
func denied(r testutil.Response) bool {
	if r.Status != http.StatusBadRequest && r.Status != http.StatusUnauthorized &&
		r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		return false
	}
	var e errBody
	if json.Unmarshal(r.Body, &e) != nil {
		return false
	}
	return e.Status == r.Status && len(e.Data) == 0
}

func TestRoleMatrix(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	w := newWorld(t, ta)
	users := testutil.Users(t)
	callers := append(slices.Clone(collections.Roles), "anonymous")
	token := func(role collections.Role) string {
		if role == "anonymous" {
			return ""
		}
		return users[role].Token
	}
	userId := func(role collections.Role) string {
		if role == "anonymous" {
			return ""
		}
		return users[role].Id
	}
	otherOwner := func(collections.Role) string { return w.stranger.Id } // someone else's record

	require.Len(t, matrix, len(collections.All), "the matrix covers %d collections, Aegis has %d", len(matrix), len(collections.All))
	for _, name := range collections.All {
		ops, ok := matrix[name]
		if !assert.True(t, ok, "collection %s missing from the matrix", name) {
			continue
		}
		base := srv.URL + "/api/collections/" + name + "/records"
		shared := w.seed(name, otherOwner(collections.RoleAdmin))
		if name == collections.Settings {
			shared, _ = ta.FindFirstRecordByData(collections.Settings, "key", "default")
		}
		t.Run(name, func(t *testing.T) {
			for _, role := range callers {
				for _, op := range []string{"list", "view", "create", "update", "delete",
					"list_own", "view_own", "update_own", "delete_own"} {
					codes, has := ops[op]
					if !has {
						continue
					}
					want := role != "anonymous" && slices.Contains(allowedRoles(codes), role)
					target := shared
					switch op {
					case "delete":
						target = w.seed(name, otherOwner(role))
					case "list_own", "view_own", "update_own", "delete_own":
						owner := userId(role)
						if owner == "" {
							owner = otherOwner(role)
						}
						target = w.seed(name, owner)
					}
					var r testutil.Response
					switch op {
					case "list", "list_own":
						r = testutil.Do(t, http.MethodGet, base+"?perPage=500&skipTotal=1", token(role), nil)
					case "view", "view_own":
						r = testutil.Do(t, http.MethodGet, base+"/"+target.Id, token(role), nil)
					case "create":
						if name == collections.Evidence {
							// Evidence is uploaded through its streaming route
							// (the CRUD create is refused to everyone); the
							// team follows the uploader's role.
							r = testutil.DoMultipart(t, http.MethodPost, srv.URL+"/api/aegis/tests/"+w.test.Id+"/evidence",
								token(role), map[string]string{"note": "capture"},
								testutil.File{Field: "file", Name: "capture.txt", Content: []byte("evidence bytes\n")})
							break
						}
						r = testutil.Do(t, http.MethodPost, base, token(role), w.body(name, role, userId(role)))
					case "update", "update_own":
						r = testutil.Do(t, http.MethodPatch, base+"/"+target.Id, token(role), updateBody(name, role))
					case "delete", "delete_own":
						r = testutil.Do(t, http.MethodDelete, base+"/"+target.Id, token(role), nil)
					}

					got := r.Status >= 200 && r.Status < 300
					if got && (op == "list" || op == "list_own") {
						got = strings.Contains(string(r.Body), `"id":"`+target.Id+`"`)
					}
					if want {
						assert.True(t, got, "%s %s as %s: want allowed, got %d %s", op, name, role, r.Status, clip(r.Body))
					} else if assert.False(t, got, "%s %s as %s: want denied, got %d", op, name, role, r.Status) && r.Status >= 300 {
						assert.True(t, denied(r), "%s %s as %s: denial should be a plain 400/401/403/404 JSON error, got %d %s",
							op, name, role, r.Status, clip(r.Body))
					}
				}
			}
		})
	}
}

// TestBlindCampaignsHideTestsFromBlue: blue roles see a test (and what hangs
// off it) only once it is revealed.
func TestBlindCampaignsHideTestsFromBlue(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	w := newWorld(t, ta)
	users := testutil.Users(t)
	blind := w.save(collections.Campaigns, map[string]any{"name": "Blind", "blind": true})
	hidden := w.save(collections.Tests, map[string]any{"name": "Hidden", "technique": w.technique.Id, "campaign": blind.Id})
	for _, role := range collections.Roles {
		r := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records/"+hidden.Id, users[role].Token, nil)
		visible := r.Status == http.StatusOK
		assert.NotEqual(t, collections.IsBlue(role), visible, "unrevealed test as %s: status %d", role, r.Status)
	}
	// Blue cannot attach outcomes or evidence to it either.
	for _, role := range collections.BlueRoles {
		tool := w.save(collections.DefenseTools, w.body(collections.DefenseTools, "", ""))
		r := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/test_outcomes/records", users[role].Token,
			map[string]any{"test": hidden.Id, "defense_tool": tool.Id})
		assert.GreaterOrEqual(t, r.Status, 400, "%s recorded an outcome on an unrevealed test", role)
		ev := testutil.DoMultipart(t, http.MethodPost, srv.URL+"/api/collections/evidence/records", users[role].Token,
			map[string]string{"test": hidden.Id, "team": "blue"}, testutil.File{Field: "file", Name: "a.txt", Content: []byte("x\n")})
		assert.GreaterOrEqual(t, ev.Status, 400, "%s uploaded evidence to an unrevealed test", role)
	}
}

// TestEvidenceBelongsToItsTeam: red evidence comes from red roles and blue
// evidence from blue roles, nobody uploads in someone else's name, and the
// uploader may annotate but not move a file.
func TestEvidenceBelongsToItsTeam(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	w := newWorld(t, ta)
	users := testutil.Users(t)
	url := srv.URL + "/api/collections/evidence/records"
	file := testutil.File{Field: "file", Name: "a.txt", Content: []byte("x\n")}
	for _, c := range []struct {
		role        collections.Role
		asked, want string
	}{
		{collections.RoleRedOperator, "blue", "red"},
		{collections.RoleBlueAnalyst, "red", "blue"},
		{collections.RoleBlueLead, "red", "blue"},
	} {
		t.Run(string(c.role)+" asking for "+c.asked+" evidence", func(t *testing.T) {
			r := testutil.DoMultipart(t, http.MethodPost, srv.URL+"/api/aegis/tests/"+w.test.Id+"/evidence?team="+c.asked,
				users[c.role].Token, map[string]string{"team": c.asked, "uploaded_by": users[collections.RoleAdmin].Id}, file)
			var got struct{ Team, Uploaded_by string }
			require.Equal(t, http.StatusOK, r.Status, "%s upload: %s", c.role, r.Body)
			r.JSON(t, &got)
			assert.Equal(t, c.want, got.Team, "the evidence is stored as the uploader's team")
			assert.Equal(t, users[c.role].Id, got.Uploaded_by, "the evidence is stored as uploaded by the caller")
		})
	}
	// The generic create cannot bypass the upload route, whatever the fields.
	for _, role := range []collections.Role{collections.RoleAdmin, collections.RoleRedOperator} {
		fields := map[string]string{"test": w.test.Id, "team": "red", "uploaded_by": users[role].Id}
		r := testutil.DoMultipart(t, http.MethodPost, url, users[role].Token, fields, file)
		assert.GreaterOrEqual(t, r.Status, 400, "%s created evidence through the CRUD API: %d", role, r.Status)
	}
	own := w.seed(collections.Evidence, users[collections.RoleRedOperator].Id)
	other := w.save(collections.Tests, map[string]any{"name": "Other", "technique": w.technique.Id, "revealed": true})
	for _, body := range []map[string]any{{"test": other.Id}, {"team": "blue"}, {"uploaded_by": users[collections.RoleAdmin].Id}} {
		r := testutil.Do(t, http.MethodPatch, url+"/"+own.Id, users[collections.RoleRedOperator].Token, body)
		assert.GreaterOrEqual(t, r.Status, 400, "uploader changed %v", body)
	}
	r := testutil.Do(t, http.MethodPatch, url+"/"+own.Id, users[collections.RoleRedOperator].Token, map[string]any{"note": "ok"})
	assert.Equal(t, http.StatusOK, r.Status, "uploader could not annotate: %d %s", r.Status, r.Body)
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
