package vectr_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/importers/internal/vectrtests"
	"github.com/aegis-sec/aegis/importers/vectr"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestMapOutcome(t *testing.T) {
	tests := []struct{ in, prevention, detection, red string }{
		{"Blocked", "blocked", "none", "blocked_on_execution"},
		{"Partially Blocked", "partial", "none", "executed"},
		{"Alerted", "not_blocked", "general", "executed"},
		{"detected", "not_blocked", "general", "executed"},
		{"Logged - Centrally Logged", "not_blocked", "telemetry", "executed"},
		{"Logged – Locally Logged", "not_blocked", "telemetry", "executed"},
		{"None", "not_blocked", "none", "executed"},
		{"Not Detected", "not_blocked", "none", "executed"},
		{"TBD", "", "", ""},
		{"", "", "", ""},
	}
	for _, tc := range tests {
		p, d, r, err := vectrtests.MapOutcome(tc.in)
		assert.NoErrorf(t, err, "%q → %q %q %q %v", tc.in, p, d, r, err)
		assert.EqualValuesf(t, tc.prevention, p, "%q → %q %q %q %v", tc.in, p, d, r, err)
		assert.EqualValuesf(t, tc.detection, d, "%q → %q %q %q %v", tc.in, p, d, r, err)
		assert.EqualValuesf(t, tc.red, r, "%q → %q %q %q %v", tc.in, p, d, r, err)
	}
	_, _, _, err := vectrtests.MapOutcome("Sort of")
	assert.NotNil(t, err, "unknown outcome accepted")
}

func TestParseCSV(t *testing.T) {
	f, err := os.Open("testdata/vectr-export.csv")
	require.NoError(t, err)
	defer f.Close()
	rows, bad, err := vectr.ParseCSV(f)
	require.NoError(t, err)
	require.Lenf(t, rows, 6, "rows %d bad %+v", len(rows), bad)
	require.Lenf(t, bad, 2, "rows %d bad %+v", len(rows), bad)
	first := rows[0]
	require.Falsef(t, first.Campaign != "Credential Access", "first row: %+v", first)
	require.EqualValuesf(t, "T9003.001", first.TechniqueID, "first row: %+v", first)
	require.Falsef(t, first.Name != "LSASS dump with a synthetic tool", "first row: %+v", first)
	require.Falsef(t, first.RedNotes != "ran as admin\nsecond line", "first row: %+v", first)
	require.EqualValuesf(t, 1751365800000, first.Start.UnixMilli(), "first row: %+v", first)
	require.Falsef(t, strings.Join(first.Tags, "|") != "windows|edr", "first row: %+v", first)
	require.EqualValuesf(t, "T9087", rows[3].TechniqueID, "row 4: %+v", rows[3])
	require.Falsef(t, rows[3].Start.Format("2006-01-02 15:04") != "2025-07-02 09:00", "row 4: %+v", rows[3])
	require.Truef(t, strings.Contains(bad[0].Error, `unknown outcome "Sort of"`), "bad rows: %+v", bad)
	require.Truef(t, strings.Contains(bad[1].Error, "not an ATT&CK technique"), "bad rows: %+v", bad)
	require.EqualValuesf(t, 10, bad[1].Line, "bad rows: %+v", bad)
	for name, in := range map[string]string{
		"empty":        "",
		"no technique": "Campaign,Variant\nc,a\n",
		"no name":      "Campaign,Technique ID\nc,T1001\n",
	} {
		_, _, err := vectr.ParseCSV(strings.NewReader(in))
		assert.NotNilf(t, err, "%s: accepted", name)
	}
	// Semicolon-separated exports (European locales) read the same.
	rows, _, err = vectr.ParseCSV(strings.NewReader("Campaign;Variant;MitreID;Outcome\nC;a;T1001;Blocked\n"))
	require.NoErrorf(t, err, "semicolons: %v %+v", err, rows)
	require.Lenf(t, rows, 1, "semicolons: %v %+v", err, rows)
	require.EqualValuesf(t, "Blocked", rows[0].Outcome, "semicolons: %v %+v", err, rows)
}

func addTechnique(t *testing.T, app core.App, attackID string) string {
	t.Helper()
	col, _ := app.FindCollectionByNameOrId(collections.Techniques)
	r := core.NewRecord(col)
	r.Set("stix_id", "attack-pattern--"+strings.ToLower(attackID))
	r.Set("attack_id", attackID)
	r.Set("name", "Technique "+attackID)
	r.Set("in_scope", true)
	require.NoError(t, app.Save(r))
	return r.Id
}

func TestImport(t *testing.T) {
	app := testutil.NewApp(t)
	for _, id := range []string{"T9003", "T9003.001", "T9087"} {
		addTechnique(t, app, id)
	}
	data, _ := os.ReadFile("testdata/vectr-export.csv")
	src := testsrc.Files{"export.csv": string(data)}
	ctx := context.Background()
	lead := testutil.Users(t)[collections.RoleRedLead].Id

	rep, err := vectr.Import(ctx, app, src, importers.Options{Actor: lead})
	require.NoError(t, err)
	// The T9999 row is stored without a technique, its id kept for later.
	require.EqualValuesf(t, 2, rep.Counts["campaigns_created"], "report: %+v", rep)
	require.EqualValuesf(t, 6, rep.Counts["tests_created"], "report: %+v", rep)
	require.Lenf(t, rep.Skipped, 1, "report: %+v", rep)
	require.EqualValuesf(t, "T9999", rep.Skipped[0].Id, "report: %+v", rep)
	require.EqualValuesf(t, 1, rep.Counts["unknown_techniques"], "report: %+v", rep)
	require.Lenf(t, rep.FileErrors, 2, "report: %+v", rep)
	require.EqualValuesf(t, 4, rep.Counts["outcomes_unconfirmed"], "report: %+v", rep)
	require.Truef(t, strings.HasPrefix(rep.FileErrors[0].Error, "line 9:"), "file errors: %+v", rep.FileErrors)
	require.EqualValuesf(t, "export.csv", rep.FileErrors[0].Path, "file errors: %+v", rep.FileErrors)

	cred, err := app.FindFirstRecordByFilter(collections.Campaigns, "name = 'Credential Access'")
	require.NoError(t, err)
	disc, _ := app.FindFirstRecordByFilter(collections.Campaigns, "name = 'Discovery'")
	require.EqualValuesf(t, "completed", cred.GetString("status"), "campaigns: %v / %v", cred.FieldsData(), disc.FieldsData())
	require.EqualValuesf(t, "active", disc.GetString("status"), "campaigns: %v / %v", cred.FieldsData(), disc.FieldsData())
	require.EqualValuesf(t, lead, cred.GetString("owner"), "campaigns: %v / %v", cred.FieldsData(), disc.FieldsData())
	require.EqualValuesf(t, 1751365800000, cred.GetDateTime("start_at").Time().UnixMilli(), "campaigns: %v / %v", cred.FieldsData(), disc.FieldsData())
	tests, _ := app.FindRecordsByFilter(collections.Tests, "campaign = {:c}", "created", 0, 0, dbx.Params{"c": cred.Id})
	require.Lenf(t, tests, 3, "%d tests in Credential Access", len(tests))
	byDetection := map[string]*core.Record{}
	for _, r := range tests {
		require.EqualValuesf(t, collections.StateValidated, r.GetString("state"), "test %v", r.FieldsData())
		require.Truef(t, r.GetBool("revealed"), "test %v", r.FieldsData())
		byDetection[r.GetString("prevention")+"/"+r.GetString("detection")] = r
	}
	blocked := byDetection["blocked/none"]
	require.NotNilf(t, blocked, "blocked test: %v", blocked)
	require.EqualValuesf(t, "blocked_on_execution", blocked.GetString("red_result"), "blocked test: %v", blocked)
	require.EqualValuesf(t, "high", blocked.GetString("alert_severity"), "blocked test: %v", blocked)
	require.EqualValuesf(t, 1751365800000, blocked.GetDateTime("executed_at").Time().UnixMilli(), "blocked test: %v", blocked)
	require.Falsef(t, blocked.GetString("red_notes") != "ran as admin\nsecond line", "blocked test: %v", blocked)
	alerted := byDetection["not_blocked/general"]
	require.NotNilf(t, alerted, "outcomes: %v", byDetection)
	require.Falsef(t, byDetection["not_blocked/telemetry"] == nil, "outcomes: %v", byDetection)
	require.Falsef(t, alerted.GetDateTime("detected_at").IsZero(), "outcomes: %v", byDetection)
	states := map[string]int{}
	all, _ := app.FindAllRecords(collections.Tests)
	for _, r := range all {
		states[r.GetString("state")]++
	}
	require.EqualValuesf(t, 1, states[collections.StateExecuting], "states: %v", states)
	require.EqualValuesf(t, 1, states[collections.StateDraft], "states: %v", states)
	require.EqualValuesf(t, 4, states[collections.StateValidated], "states: %v", states)
	waiting, err := app.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9999'")
	require.NoErrorf(t, err, "test of an unknown technique: %v %v", err, waiting)
	require.EqualValuesf(t, "", waiting.GetString("technique"), "test of an unknown technique: %v %v", err, waiting)
	// A red lead's outcomes are marked as imported by them, not confirmed.
	require.Truef(t, blocked.GetBool("outcome_imported"), "imported marks: %v", blocked.FieldsData())
	require.EqualValuesf(t, lead, blocked.GetString("outcome_imported_by"), "imported marks: %v", blocked.FieldsData())
	require.EqualValuesf(t, "", blocked.GetString("outcome_confirmed_by"), "imported marks: %v", blocked.FieldsData())
	require.EqualValuesf(t, "T9003.001", blocked.GetString("technique_attack_id"), "imported marks: %v", blocked.FieldsData())

	again, err := vectr.Import(ctx, app, src, importers.Options{Actor: lead})
	require.NoErrorf(t, err, "re-import: %v %+v", err, again)
	require.Truef(t, again.NoChange, "re-import: %v %+v", err, again)
	require.EqualValuesf(t, 8, again.Unchanged, "re-import: %v %+v", err, again)
	// A changed outcome updates its test and nothing else.
	changed := strings.Replace(string(data), "In Progress,TBD", "Completed,Not Detected", 1)
	upd, err := vectr.Import(ctx, app, testsrc.Files{"export.csv": changed}, importers.Options{Actor: lead})
	require.NoErrorf(t, err, "changed import: %v %+v", err, upd)
	require.EqualValuesf(t, 1, upd.Counts["tests_updated"], "changed import: %v %+v", err, upd)
	require.EqualValuesf(t, 0, upd.Counts["campaigns_updated"], "changed import: %v %+v", err, upd)
	require.EqualValuesf(t, 0, upd.Created, "changed import: %v %+v", err, upd)
	n, _ := app.CountRecords(collections.Tests)
	require.EqualValuesf(t, 6, n, "%d tests after re-imports", n)
}

func TestImportRollsBackOnError(t *testing.T) {
	app := testutil.NewApp(t)
	addTechnique(t, app, "T9003")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := vectr.Import(ctx, app, testsrc.Files{"a.csv": "Campaign,Variant,Technique ID\nC,a,T9003\n"}, importers.Options{})
	require.NotNil(t, err, "cancelled import succeeded")
	n, _ := app.CountRecords(collections.Campaigns)
	require.EqualValuesf(t, 0, n, "%d campaigns left by a failed import", n)
}

func FuzzParseVectrCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/vectr-export.csv"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := vectr.ParseCSV(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, r := range rows {
			require.NotEmptyf(t, r.Name, "invalid row accepted: %+v", r)
			require.NotEmptyf(t, r.Campaign, "invalid row accepted: %+v", r)
			require.Truef(t, strings.HasPrefix(r.TechniqueID, "T"), "invalid row accepted: %+v", r)
		}
	})
}
