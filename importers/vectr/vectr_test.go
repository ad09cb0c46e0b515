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
		if err != nil || p != tc.prevention || d != tc.detection || r != tc.red {
			t.Errorf("%q → %q %q %q %v", tc.in, p, d, r, err)
		}
	}
	if _, _, _, err := vectrtests.MapOutcome("Sort of"); err == nil {
		t.Error("unknown outcome accepted")
	}
}

func TestParseCSV(t *testing.T) {
	f, err := os.Open("testdata/vectr-export.csv")
	require.NoError(t, err)
	defer f.Close()
	rows, bad, err := vectr.ParseCSV(f)
	require.NoError(t, err)
	if len(rows) != 6 || len(bad) != 2 {
		t.Fatalf("rows %d bad %+v", len(rows), bad)
	}
	first := rows[0]
	if first.Campaign != "Credential Access" || first.TechniqueID != "T9003.001" || first.Name != "LSASS dump with a synthetic tool" ||
		first.RedNotes != "ran as admin\nsecond line" || first.Start.UnixMilli() != 1751365800000 || strings.Join(first.Tags, "|") != "windows|edr" {
		t.Fatalf("first row: %+v", first)
	}
	if rows[3].TechniqueID != "T9087" || rows[3].Start.Format("2006-01-02 15:04") != "2025-07-02 09:00" {
		t.Fatalf("row 4: %+v", rows[3])
	}
	if !strings.Contains(bad[0].Error, `unknown outcome "Sort of"`) || !strings.Contains(bad[1].Error, "not an ATT&CK technique") || bad[1].Line != 10 {
		t.Fatalf("bad rows: %+v", bad)
	}
	for name, in := range map[string]string{
		"empty":        "",
		"no technique": "Campaign,Variant\nc,a\n",
		"no name":      "Campaign,Technique ID\nc,T1001\n",
	} {
		if _, _, err := vectr.ParseCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Semicolon-separated exports (European locales) read the same.
	rows, _, err = vectr.ParseCSV(strings.NewReader("Campaign;Variant;MitreID;Outcome\nC;a;T1001;Blocked\n"))
	if err != nil || len(rows) != 1 || rows[0].Outcome != "Blocked" {
		t.Fatalf("semicolons: %v %+v", err, rows)
	}
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
	if rep.Counts["campaigns_created"] != 2 || rep.Counts["tests_created"] != 6 || len(rep.Skipped) != 1 ||
		rep.Skipped[0].Id != "T9999" || rep.Counts["unknown_techniques"] != 1 || len(rep.FileErrors) != 2 ||
		rep.Counts["outcomes_unconfirmed"] != 4 {
		t.Fatalf("report: %+v", rep)
	}
	if !strings.HasPrefix(rep.FileErrors[0].Error, "line 9:") || rep.FileErrors[0].Path != "export.csv" {
		t.Fatalf("file errors: %+v", rep.FileErrors)
	}

	cred, err := app.FindFirstRecordByFilter(collections.Campaigns, "name = 'Credential Access'")
	require.NoError(t, err)
	disc, _ := app.FindFirstRecordByFilter(collections.Campaigns, "name = 'Discovery'")
	if cred.GetString("status") != "completed" || disc.GetString("status") != "active" ||
		cred.GetString("owner") != lead || cred.GetDateTime("start_at").Time().UnixMilli() != 1751365800000 {
		t.Fatalf("campaigns: %v / %v", cred.FieldsData(), disc.FieldsData())
	}
	tests, _ := app.FindRecordsByFilter(collections.Tests, "campaign = {:c}", "created", 0, 0, dbx.Params{"c": cred.Id})
	if len(tests) != 3 {
		t.Fatalf("%d tests in Credential Access", len(tests))
	}
	byDetection := map[string]*core.Record{}
	for _, r := range tests {
		if r.GetString("state") != collections.StateValidated || !r.GetBool("revealed") {
			t.Fatalf("test %v", r.FieldsData())
		}
		byDetection[r.GetString("prevention")+"/"+r.GetString("detection")] = r
	}
	blocked := byDetection["blocked/none"]
	if blocked == nil || blocked.GetString("red_result") != "blocked_on_execution" || blocked.GetString("alert_severity") != "high" ||
		blocked.GetDateTime("executed_at").Time().UnixMilli() != 1751365800000 || blocked.GetString("red_notes") != "ran as admin\nsecond line" {
		t.Fatalf("blocked test: %v", blocked)
	}
	alerted := byDetection["not_blocked/general"]
	if alerted == nil || byDetection["not_blocked/telemetry"] == nil || alerted.GetDateTime("detected_at").IsZero() {
		t.Fatalf("outcomes: %v", byDetection)
	}
	states := map[string]int{}
	all, _ := app.FindAllRecords(collections.Tests)
	for _, r := range all {
		states[r.GetString("state")]++
	}
	if states[collections.StateExecuting] != 1 || states[collections.StateDraft] != 1 || states[collections.StateValidated] != 4 {
		t.Fatalf("states: %v", states)
	}
	waiting, err := app.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9999'")
	if err != nil || waiting.GetString("technique") != "" {
		t.Fatalf("test of an unknown technique: %v %v", err, waiting)
	}
	// A red lead's outcomes are marked as imported by them, not confirmed.
	if !blocked.GetBool("outcome_imported") || blocked.GetString("outcome_imported_by") != lead ||
		blocked.GetString("outcome_confirmed_by") != "" || blocked.GetString("technique_attack_id") != "T9003.001" {
		t.Fatalf("imported marks: %v", blocked.FieldsData())
	}

	again, err := vectr.Import(ctx, app, src, importers.Options{Actor: lead})
	if err != nil || !again.NoChange || again.Unchanged != 8 {
		t.Fatalf("re-import: %v %+v", err, again)
	}
	// A changed outcome updates its test and nothing else.
	changed := strings.Replace(string(data), "In Progress,TBD", "Completed,Not Detected", 1)
	upd, err := vectr.Import(ctx, app, testsrc.Files{"export.csv": changed}, importers.Options{Actor: lead})
	if err != nil || upd.Counts["tests_updated"] != 1 || upd.Counts["campaigns_updated"] != 0 || upd.Created != 0 {
		t.Fatalf("changed import: %v %+v", err, upd)
	}
	if n, _ := app.CountRecords(collections.Tests); n != 6 {
		t.Fatalf("%d tests after re-imports", n)
	}
}

func TestImportRollsBackOnError(t *testing.T) {
	app := testutil.NewApp(t)
	addTechnique(t, app, "T9003")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := vectr.Import(ctx, app, testsrc.Files{"a.csv": "Campaign,Variant,Technique ID\nC,a,T9003\n"}, importers.Options{}); err == nil {
		t.Fatal("cancelled import succeeded")
	}
	if n, _ := app.CountRecords(collections.Campaigns); n != 0 {
		t.Fatalf("%d campaigns left by a failed import", n)
	}
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
			if r.Name == "" || r.Campaign == "" || !strings.HasPrefix(r.TechniqueID, "T") {
				t.Fatalf("invalid row accepted: %+v", r)
			}
		}
	})
}
