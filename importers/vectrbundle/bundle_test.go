package vectrbundle_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/importers/vectrbundle"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// sharedBundle opens the published Iranian TTP bundle (skips when the
// shared data folder is absent).
func sharedBundle(t *testing.T) string {
	t.Helper()
	return filepath.Join(testutil.SharedData(t), "vectr", "Iranian_TTP_Bundle_010920.json.gz")
}

func importAttack(t *testing.T, app core.App) {
	t.Helper()
	contenttest.SeedEnterprise(t, app)
}

func importFile(t *testing.T, app core.App, path, actor string) *importers.Report {
	t.Helper()
	src, err := source.Open(path, source.Options{})
	require.NoError(t, err)
	rep, err := vectrbundle.Import(context.Background(), app, src, importers.Options{Actor: actor})
	require.NoError(t, err)
	return rep
}

func readShared(t *testing.T, path string) *vectrbundle.Bundle {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	b, err := vectrbundle.Parse(zr, vectrbundle.DefaultLimits)
	require.NoError(t, err)
	return b
}

// testRow is what a round trip must keep of a test.
type testRow struct {
	Key        string `db:"key"`
	Campaign   string `db:"campaign"`
	Name       string `db:"name"`
	Technique  string `db:"technique"`
	State      string `db:"state"`
	Prevention string `db:"prevention"`
	Detection  string `db:"detection"`
	Severity   string `db:"severity"`
	Procedure  string `db:"procedure"`
	Notes      string `db:"notes"`
	Tags       string `db:"tags"`
}

func snapshot(t *testing.T, app core.App) (campaigns []string, tests []testRow) {
	t.Helper()
	var cs []struct {
		Name string `db:"name"`
		Tags string `db:"tags"`
	}
	require.NoError(t, app.DB().NewQuery("SELECT name, tags FROM campaigns ORDER BY name").All(&cs))
	for _, c := range cs {
		campaigns = append(campaigns, c.Name+" "+c.Tags)
	}
	require.NoError(t, app.DB().NewQuery(`SELECT x.import_key AS key, c.name AS campaign, x.name AS name,
		ifnull(t.attack_id, '') AS technique, x.state AS state, x.prevention AS prevention, x.detection AS detection,
		x.alert_severity AS severity, x.procedure AS procedure, x.blue_notes AS notes, x.tags AS tags
		FROM tests x JOIN campaigns c ON c.id = x.campaign LEFT JOIN techniques t ON t.id = x.technique
		ORDER BY x.import_key`).All(&tests))
	return campaigns, tests
}

// TestSharedBundle imports the published bundle over ATT&CK v18.1: seven
// campaigns kept together by their assessment group, 162 tests on the
// techniques the test cases name (revoked ids on their successor), the
// phase as tactic; a re-import writes nothing; an export imports into a
// fresh appliance as the same campaigns, tests and outcomes.
func TestSharedBundle(t *testing.T) {
	path := sharedBundle(t)
	b := readShared(t, path)
	require.Len(t, b.Campaigns, 7)
	require.Len(t, b.TestCases, 162)
	require.Len(t, b.Phases, 20)
	assert.Equal(t, 3, b.Counts[vectrbundle.TypeKillChain])
	assert.Empty(t, b.Unknown)

	app := testutil.NewApp(t)
	importAttack(t, app)
	admin := testutil.Users(t)[collections.RoleAdmin].Id
	rep := importFile(t, app, path, admin)
	t.Logf("import of the published bundle: %.2f s", rep.Seconds)
	assert.Equal(t, 7, rep.Counts["campaigns_created"])
	assert.Equal(t, 162, rep.Counts["tests_created"])
	assert.Equal(t, 162, rep.Counts["state:draft"], "every test case is NotPerformed")
	assert.Zero(t, rep.Counts["unknown_techniques"], "%+v", rep.Skipped)
	assert.Zero(t, rep.Counts["unknown_objects"])
	assert.Equal(t, 162, rep.Counts["objects:"+vectrbundle.TypeTestCase])

	names := map[string]bool{}
	camps, err := app.FindAllRecords(collections.Campaigns)
	require.NoError(t, err)
	for _, c := range camps {
		names[c.GetString("name")] = true
		assert.JSONEq(t, `["vectr", "Iranian TTP Bundle"]`, c.GetString("tags"), c.GetString("name"))
		assert.Equal(t, "planned", c.GetString("status"))
	}
	for _, n := range []string{"OilRig (APT34)", "APT33", "APT39", "CopyKittens", "MuddyWater", "Magic Hound",
		"Collection of Iranian TTPs from US-CERT AA20-006A"} {
		assert.True(t, names[n], n)
	}

	// Techniques by id, and tactics from the phases.
	type row struct {
		Key       string `db:"key"`
		Name      string `db:"name"`
		AttackID  string `db:"attackid"`
		Raw       string `db:"raw"`
		Revoked   string `db:"revoked"`
		Tactics   string `db:"tactics"`
		Tags      string `db:"tags"`
		Procedure string `db:"procedure"`
	}
	var rows []row
	require.NoError(t, app.DB().NewQuery(`SELECT x.import_key AS key, x.name AS name, t.attack_id AS attackid,
		x.technique_attack_id AS raw, ifnull(r.attack_id, '') AS revoked, t.tactics AS tactics, x.tags AS tags, x.procedure AS procedure
		FROM tests x JOIN techniques t ON t.id = x.technique
		LEFT JOIN techniques r ON r.revoked_by = t.id AND r.attack_id = x.technique_attack_id`).All(&rows))
	require.Len(t, rows, 162)
	tacticShort := map[string]string{}
	var tacs []struct {
		ID        string `db:"id"`
		Shortname string `db:"shortname"`
	}
	require.NoError(t, app.DB().NewQuery("SELECT id, shortname FROM tactics").All(&tacs))
	for _, ta := range tacs {
		tacticShort[ta.ID] = ta.Shortname
	}
	byTC := map[string]vectrbundle.TestCase{}
	for _, tc := range b.TestCases {
		byTC[tc.VectrID] = tc
	}
	moved, withTactic := 0, 0
	for _, r := range rows {
		tc := byTC[r.Key[strings.LastIndexByte(r.Key, ':')+1:]]
		require.NotEmpty(t, tc.VectrID, r.Key)
		assert.Equal(t, tc.RedTeam.MitreID, r.Raw)
		assert.Equal(t, tc.RedTeam.Variant, r.Name)
		assert.True(t, strings.HasPrefix(r.Procedure, strings.TrimSpace(tc.RedTeam.Objective)), r.Key)
		if r.AttackID != tc.RedTeam.MitreID {
			// Only a revoked id may land elsewhere: on its successor.
			assert.Equal(t, tc.RedTeam.MitreID, r.Revoked, "test %s on %s", r.Key, r.AttackID)
			moved++
		}
		var tags, tactics []string
		require.NoError(t, json.Unmarshal([]byte(r.Tags), &tags))
		require.NoError(t, json.Unmarshal([]byte(r.Tactics), &tactics))
		for _, tag := range tags {
			if s, ok := strings.CutPrefix(tag, vectrbundle.TagTactic); ok {
				withTactic++
				found := false
				for _, id := range tactics {
					found = found || tacticShort[id] == s
				}
				assert.True(t, found, "tactic %s of %s is one of %s's tactics", s, r.Key, r.AttackID)
				assert.Contains(t, b.Phases[tc.PhaseID].MitreTactics, vectrbundle.MitreTactic(s))
			}
		}
	}
	assert.Greater(t, moved, 0, "revoked ids (T1086, T1002…) resolve to their successors")
	assert.Greater(t, withTactic, 140, "most phases name a tactic of the technique")
	t.Logf("162 tests: %d on a revoked id's successor, %d with the phase's tactic", moved, withTactic)
	var powershell int
	require.NoError(t, app.DB().NewQuery(`SELECT count(*) FROM tests x JOIN techniques t ON t.id = x.technique
		WHERE x.technique_attack_id = 'T1086' AND t.attack_id = 'T1059.001'`).Row(&powershell))
	assert.Equal(t, 6, powershell, "T1086 PowerShell is T1059.001 today")

	// Re-import: nothing written, not even an audit entry.
	audits, _ := app.CountRecords(collections.AuditLogs)
	again := importFile(t, app, path, admin)
	t.Logf("re-import: %.2f s", again.Seconds)
	assert.True(t, again.NoChange)
	assert.Zero(t, again.Created+again.Updated)
	assert.Equal(t, 169, again.Unchanged)
	after, _ := app.CountRecords(collections.AuditLogs)
	assert.Equal(t, audits, after)

	// Export → import into a fresh appliance.
	var buf bytes.Buffer
	require.NoError(t, vectrbundle.Export(context.Background(), app, vectrbundle.ExportOptions{}, &buf))
	exported, err := vectrbundle.Parse(bytes.NewReader(buf.Bytes()), vectrbundle.DefaultLimits)
	require.NoError(t, err)
	assert.Len(t, exported.Campaigns, 7)
	assert.Len(t, exported.TestCases, 162)
	assert.Empty(t, exported.Unknown)

	fresh := testutil.NewApp(t)
	importAttack(t, fresh)
	file := filepath.Join(t.TempDir(), "export.json")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o600))
	rt := importFile(t, fresh, file, admin)
	assert.Equal(t, 162, rt.Counts["tests_created"])
	c1, t1 := snapshot(t, app)
	c2, t2 := snapshot(t, fresh)
	assert.Equal(t, c1, c2)
	require.Equal(t, len(t1), len(t2))
	for i := range t1 {
		assert.Equal(t, t1[i], t2[i])
	}
}

// outcomeBundle is a small synthetic bundle with performed test cases.
func outcomeBundle(status, outcome, alert, severity string) string {
	return `{"type":"bundle","id":"b1","spec_version":"2.0","objects":[
	{"type":"x-vectr-io-assessmentgroup","id":"x-vectr-io-assessmentgroup--g1","vectrId":"g1","name":"Q3 purple","assessmentIds":["c1"]},
	{"type":"x-vectr-io-campaign","id":"x-vectr-io-campaign--c1","vectrId":"c1","name":"Credential theft","description":null,"testCaseIds":["t1","t2","t3"]},
	{"type":"x-vectr-io-phase","id":"x-vectr-io-phase--p1","vectrId":"p1","name":"Credential Access","mitreTactics":["CREDENTIAL_ACCESS"]},
	{"type":"x-vectr-io-redproduct","id":"x-vectr-io-redproduct--r1","vectrId":"r1","name":"Mimikatz"},
	{"type":"x-vectr-io-expecteddetectionlayer","id":"x-vectr-io-expecteddetectionlayer--l1","vectrId":"l1","name":"EDR"},
	{"type":"x-vectr-io-testcase","id":"x-vectr-io-testcase--t1","vectrId":"t1","phaseId":"p1",
	 "redTeam":{"status":"` + status + `","method":"LSASS Memory","variant":"Dump LSASS","objective":"Read **LSASS**.","command":"procdump -ma lsass.exe","mitreId":"T9003.001","references":["https://example.org/lsass"],"redTeamProductIds":["r1"]},
	 "blueTeam":{"outcomes":["` + outcome + `"],"alertTriggered":"` + alert + `","activityLogged":"Yes","alertSeverity":"` + severity + `","outcomeNotes":"EDR said so","detections":[{"name":"EDR alert 42"}],"expectedDetectionLayerIds":["l1"]}},
	{"type":"x-vectr-io-testcase","id":"x-vectr-io-testcase--t2","vectrId":"t2","phaseId":"p1",
	 "redTeam":{"status":"NotPerformed","method":"Registry","mitreId":"T9003"},
	 "blueTeam":{"outcomes":["Blocked"],"alertTriggered":"Yes"}},
	{"type":"x-vectr-io-testcase","id":"x-vectr-io-testcase--t3","vectrId":"t3","phaseId":"p1",
	 "redTeam":{"status":"Completed","variant":"Future technique","mitreId":"T9999"},
	 "blueTeam":{"outcomes":["TBD"]}},
	{"type":"x-vectr-io-futurething","id":"x-vectr-io-futurething--f","vectrId":"f","colour":"red"}
	]}`
}

// addTechnique adds a technique of the tactic credential-access.
func addTechnique(t *testing.T, app core.App, attackID string) string {
	t.Helper()
	tactic, err := app.FindFirstRecordByFilter(collections.Tactics, "shortname = 'credential-access'")
	if err != nil {
		tcol, err := app.FindCollectionByNameOrId(collections.Tactics)
		require.NoError(t, err)
		tactic = core.NewRecord(tcol)
		tactic.Set("stix_id", "x-mitre-tactic--ca")
		tactic.Set("attack_id", "TA0006")
		tactic.Set("name", "Credential Access")
		tactic.Set("shortname", "credential-access")
		tactic.Set("domain", "enterprise-attack")
		require.NoError(t, app.Save(tactic))
	}
	col, err := app.FindCollectionByNameOrId(collections.Techniques)
	require.NoError(t, err)
	r := core.NewRecord(col)
	r.Set("tactics", []string{tactic.Id})
	r.Set("stix_id", "attack-pattern--"+strings.ToLower(attackID))
	r.Set("attack_id", attackID)
	r.Set("name", "Technique "+attackID)
	r.Set("in_scope", true)
	require.NoError(t, app.Save(r))
	return r.Id
}

// TestOutcomesAndTrust maps a performed test case's blue side onto the
// outcome model, keeps TBD and not-performed cases unrecorded, stores an
// unknown technique's id for later, and counts a red lead's imported
// outcome only once a blue lead confirms it (or imports it).
func TestOutcomesAndTrust(t *testing.T) {
	app := testutil.NewApp(t)
	lsass := addTechnique(t, app, "T9003.001")
	addTechnique(t, app, "T9003")
	users := testutil.Users(t)
	red, blue := users[collections.RoleRedLead], users[collections.RoleBlueLead]

	src := testsrc.Files{"q3.json": outcomeBundle("Completed", "Alerted", "Yes", "High")}
	rep, err := vectrbundle.Import(context.Background(), app, src, importers.Options{Actor: red.Id})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Counts["tests_created"])
	assert.Equal(t, 1, rep.Counts["unknown_objects"])
	assert.Equal(t, 1, rep.Counts["unknown_type:x-vectr-io-futurething"])
	assert.Equal(t, 1, rep.Counts["unknown_techniques"])
	assert.Equal(t, 1, rep.Counts["outcomes_unconfirmed"])

	t1, err := app.FindFirstRecordByFilter(collections.Tests, "technique = {:t}", dbx.Params{"t": lsass})
	require.NoError(t, err)
	assert.Equal(t, "Dump LSASS", t1.GetString("name"))
	assert.Equal(t, collections.StateValidated, t1.GetString("state"))
	assert.Equal(t, "not_blocked", t1.GetString("prevention"))
	assert.Equal(t, "general", t1.GetString("detection"))
	assert.Equal(t, "high", t1.GetString("alert_severity"))
	assert.Equal(t, "EDR said so\nDetection: EDR alert 42", t1.GetString("blue_notes"))
	assert.Equal(t, "Read **LSASS**.\n\nprocdump -ma lsass.exe\n\nReferences:\n\n- https://example.org/lsass", t1.GetString("procedure"))
	var tags []string
	require.NoError(t, json.Unmarshal([]byte(t1.GetString("tags")), &tags))
	assert.Equal(t, []string{"vectr", "expected:EDR", "red-tool:Mimikatz", "tactic:credential-access"}, tags)
	assert.True(t, t1.GetBool("outcome_imported"))
	assert.Equal(t, red.Id, t1.GetString("outcome_imported_by"))
	assert.Empty(t, t1.GetString("outcome_confirmed_by"))

	t2, err := app.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9003'")
	require.NoError(t, err)
	assert.Equal(t, collections.StateDraft, t2.GetString("state"), "not performed: the outcome is not recorded")
	assert.Empty(t, t2.GetString("prevention"))
	t3, err := app.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9999'")
	require.NoError(t, err)
	assert.Empty(t, t3.GetString("technique"), "stored, waiting for a catalogue that has T9999")
	assert.Equal(t, collections.StateBlueReview, t3.GetString("state"), "performed, outcome TBD")

	// The red lead's outcome is shown, not counted.
	counted := func() bool {
		d, err := coverage.Load(app)
		require.NoError(t, err)
		for x := range d.AllTests() {
			if x.ID == t1.Id {
				return x.Validated()
			}
		}
		t.Fatal("test not loaded")
		return false
	}
	assert.False(t, counted())

	// A red lead cannot confirm; a blue lead can, once.
	redActor := workflow.Actor{Id: red.Id, Role: collections.RoleRedLead}
	blueActor := workflow.Actor{Id: blue.Id, Role: collections.RoleBlueLead}
	rev := t1.GetInt("revision")
	_, err = workflow.Transition(app, redActor, t1.Id, workflow.Input{Action: workflow.ActionConfirm, Revision: &rev})
	require.Error(t, err)
	assert.NotContains(t, workflow.Allowed(redActor, t1), workflow.ActionConfirm)
	assert.Contains(t, workflow.Allowed(blueActor, t1), workflow.ActionConfirm)
	confirmed, err := workflow.Transition(app, blueActor, t1.Id, workflow.Input{Action: workflow.ActionConfirm, Revision: &rev})
	require.NoError(t, err)
	assert.Equal(t, blue.Id, confirmed.GetString("outcome_confirmed_by"))
	assert.True(t, counted())
	rev = confirmed.GetInt("revision")
	_, err = workflow.Transition(app, blueActor, t1.Id, workflow.Input{Action: workflow.ActionConfirm, Revision: &rev})
	require.Error(t, err, "nothing left to confirm")
	entry, err := app.FindFirstRecordByFilter(collections.AuditLogs, "record_id = {:id} && action = 'transition'", dbx.Params{"id": t1.Id})
	require.NoError(t, err)
	assert.Contains(t, entry.GetString("details"), `"confirm"`)

	// Re-importing the same bundle keeps the confirmation and writes nothing.
	again, err := vectrbundle.Import(context.Background(), app, src, importers.Options{Actor: red.Id})
	require.NoError(t, err)
	assert.True(t, again.NoChange, "%+v", again.Counts)
	assert.True(t, counted())

	// A changed outcome from the red lead waits again; the blue lead's import counts at once.
	changed := testsrc.Files{"q3.json": outcomeBundle("Completed", "Blocked", "No", "TBD")}
	upd, err := vectrbundle.Import(context.Background(), app, changed, importers.Options{Actor: red.Id})
	require.NoError(t, err)
	assert.Equal(t, 1, upd.Counts["tests_updated"])
	assert.False(t, counted())
	byBlue, err := vectrbundle.Import(context.Background(), app, changed, importers.Options{Actor: blue.Id})
	require.NoError(t, err)
	assert.Equal(t, 1, byBlue.Updated, "the blue lead's import confirms the waiting outcome, and changes nothing else")
	camp, err := app.FindFirstRecordByFilter(collections.Campaigns, "name = 'Credential theft'")
	require.NoError(t, err)
	assert.Equal(t, red.Id, camp.GetString("owner"), "the first importer owns the campaign")
	assert.True(t, counted())
	t1, _ = app.FindRecordById(collections.Tests, t1.Id)
	assert.Equal(t, "blocked", t1.GetString("prevention"))
	assert.Equal(t, red.Id, t1.GetString("outcome_imported_by"))
	assert.Equal(t, blue.Id, t1.GetString("outcome_confirmed_by"))
}

// TestHostileBundles refuses malformed and oversized bundles with a clear
// error and writes nothing.
func TestHostileBundles(t *testing.T) {
	app := testutil.NewApp(t)
	addTechnique(t, app, "T9003.001")
	addTechnique(t, app, "T9003")
	big := &repeat{prefix: `{"type":"bundle","objects":[{"type":"x-vectr-io-campaign","vectrId":"c","name":"`, n: 100 << 20,
		suffix: `"}]}`}
	cases := []struct {
		name string
		src  source.Source
		want error
		msg  string
	}{
		{"deep nesting", testsrc.Files{"a.json": `{"type":"bundle","objects":[` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `]}`},
			vectrbundle.ErrLimit, "nesting deeper than 32"},
		{"100 MB string", source.Reader(big, "big.json", source.Options{}), vectrbundle.ErrLimit, "larger than"},
		{"objects not an array", testsrc.Files{"a.json": `{"type":"bundle","objects":"all of them"}`}, vectrbundle.ErrNotBundle, "must be an array"},
		{"redTeam a number", testsrc.Files{"a.json": strings.Replace(outcomeBundle("Completed", "Blocked", "Yes", "High"),
			`"redTeam":{"status":"NotPerformed","method":"Registry","mitreId":"T9003"}`, `"redTeam":42`, 1)}, vectrbundle.ErrNotBundle, "t2"},
		{"mitreId a number", testsrc.Files{"a.json": strings.Replace(outcomeBundle("Completed", "Blocked", "Yes", "High"),
			`"mitreId":"T9003"`, `"mitreId":9003`, 1)}, vectrbundle.ErrNotBundle, "must be a string"},
		{"outcomes not a list", testsrc.Files{"a.json": strings.Replace(outcomeBundle("Completed", "Blocked", "Yes", "High"),
			`"outcomes":["TBD"]`, `"outcomes":{"a":1}`, 1)}, vectrbundle.ErrNotBundle, "must be an array"},
		{"type a number", testsrc.Files{"a.json": `{"type":"bundle","objects":[{"type":7}]}`}, vectrbundle.ErrNotBundle, "type must be a string"},
		{"not JSON", testsrc.Files{"a.json": `{"type":"bundle","objects":[`}, vectrbundle.ErrNotBundle, "unexpected end"},
		{"an ATT&CK bundle", testsrc.Files{"a.json": `{"type":"bundle","objects":[{"type":"attack-pattern","id":"x"}]}`}, vectrbundle.ErrNotBundle, "no x-vectr-io"},
		{"a second bundle broken", testsrc.Files{"a.json": outcomeBundle("Completed", "Blocked", "Yes", "High"), "b.json": `[]`}, vectrbundle.ErrNotBundle, "b.json"},
	}
	audits, err := app.CountRecords(collections.AuditLogs)
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vectrbundle.Import(context.Background(), app, tc.src, importers.Options{})
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "%v", err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), "nothing was imported")
			for _, col := range []string{collections.Campaigns, collections.Tests} {
				n, err := app.CountRecords(col)
				require.NoError(t, err)
				assert.Zero(t, n, col)
			}
			n, err := app.CountRecords(collections.AuditLogs)
			require.NoError(t, err)
			assert.Equal(t, audits, n)
		})
	}
}

// repeat streams prefix, n bytes of 'a', suffix without holding them.
type repeat struct {
	prefix, suffix string
	n, done        int
	stage          int
}

func (r *repeat) Read(p []byte) (int, error) {
	switch {
	case r.stage == 0:
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		if r.prefix == "" {
			r.stage = 1
		}
		return n, nil
	case r.stage == 1:
		n := min(len(p), r.n-r.done)
		for i := 0; i < n; i++ {
			p[i] = 'a'
		}
		r.done += n
		if r.done == r.n {
			r.stage = 2
		}
		return n, nil
	case r.suffix != "":
		n := copy(p, r.suffix)
		r.suffix = r.suffix[n:]
		return n, nil
	}
	return 0, io.EOF
}

// TestExportSelection exports a chosen campaign, refuses an unknown one, and
// maps Aegis outcomes to VECTR's names with the exact values in metadata.
func TestExportSelection(t *testing.T) {
	app := testutil.NewApp(t)
	addTechnique(t, app, "T9003.001")
	addTechnique(t, app, "T9003")
	src := testsrc.Files{"q3.json": outcomeBundle("Completed", "Blocked", "Yes", "High")}
	_, err := vectrbundle.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err)
	c, err := app.FindFirstRecordByFilter(collections.Campaigns, "name = 'Credential theft'")
	require.NoError(t, err)

	err = vectrbundle.Export(context.Background(), app, vectrbundle.ExportOptions{Campaigns: []string{"nope"}}, io.Discard)
	require.ErrorIs(t, err, vectrbundle.ErrNoCampaign)

	var buf bytes.Buffer
	require.NoError(t, vectrbundle.Export(context.Background(), app, vectrbundle.ExportOptions{Campaigns: []string{c.Id}}, &buf))
	b, err := vectrbundle.Parse(&buf, vectrbundle.DefaultLimits)
	require.NoError(t, err)
	require.Len(t, b.Campaigns, 1)
	assert.Equal(t, "c1", b.Campaigns[0].VectrID, "the imported vectrId is kept")
	require.Len(t, b.TestCases, 3)
	ids := []string{}
	for _, tc := range b.TestCases {
		ids = append(ids, tc.VectrID)
		if tc.VectrID == "t1" {
			assert.Equal(t, []string{"Blocked"}, tc.BlueTeam.Outcomes)
			assert.Equal(t, "High", tc.BlueTeam.AlertSeverity)
			assert.Equal(t, "Yes", tc.BlueTeam.AlertTriggered)
			assert.Equal(t, "blocked", vectrbundle.Meta(tc.BlueTeam.Metadata, vectrbundle.MetaPrevention))
			assert.Equal(t, "Completed", tc.RedTeam.Status)
			assert.Equal(t, "T9003.001", tc.RedTeam.MitreID)
			assert.Equal(t, []string{"CREDENTIAL_ACCESS"}, b.Phases[tc.PhaseID].MitreTactics)
			assert.Len(t, tc.RedTeam.RedTeamProductIDs, 1)
		}
		if tc.VectrID == "t3" {
			assert.Equal(t, "T9999", tc.RedTeam.MitreID, "an unresolved id is exported as imported")
			assert.Equal(t, []string{"TBD"}, tc.BlueTeam.Outcomes)
		}
	}
	sort.Strings(ids)
	assert.Equal(t, []string{"t1", "t2", "t3"}, ids)
	assert.Equal(t, map[string]string{"x": "Mimikatz"}["x"], firstValue(b.RedProducts))
}

func firstValue(m map[string]string) string {
	for _, v := range m {
		return v
	}
	return ""
}

// TestFolderOfBundles reads every bundle of a folder (also one without a
// .json name, with a byte-order mark) and skips the other files beside them.
func TestFolderOfBundles(t *testing.T) {
	app := testutil.NewApp(t)
	addTechnique(t, app, "T9003.001")
	second := strings.NewReplacer(`"c1"`, `"c9"`, `"g1"`, `"g9"`, `"t1"`, `"t91"`, `"t2"`, `"t92"`, `"t3"`, `"t93"`,
		"Credential theft", "Second campaign").Replace(outcomeBundle("Completed", "Blocked", "Yes", "High"))
	src := testsrc.Files{
		"plans/q3.json":   outcomeBundle("Completed", "Blocked", "Yes", "High"),
		"plans/second":    "\xef\xbb\xbf\n " + second,
		"plans/README.md": "# Our VECTR plans\n",
	}
	rep, err := vectrbundle.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Files)
	assert.Equal(t, 1, rep.Counts["files_skipped"])
	assert.Equal(t, 2, rep.Counts["campaigns_created"])
	assert.Equal(t, 6, rep.Counts["tests_created"])
}
