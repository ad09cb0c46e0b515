package atomiclog_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomiclog"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestParse(t *testing.T) {
	f, _ := os.Open("testdata/execution-log.csv")
	defer f.Close()
	execs, bad, err := atomiclog.Parse(f)
	require.NoError(t, err)
	require.Lenf(t, execs, 4, "execs %d bad %+v", len(execs), bad)
	require.Lenf(t, bad, 1, "execs %d bad %+v", len(execs), bad)
	require.Truef(t, strings.Contains(bad[0].Error, "unrecognised time"), "execs %d bad %+v", len(execs), bad)
	require.Falsef(t, bad[0].Where != "line 6", "execs %d bad %+v", len(execs), bad)
	e := execs[2]
	require.EqualValuesf(t, "T9002.001", e.Technique, "third: %+v", e)
	require.EqualValuesf(t, "", e.GUID, "third: %+v", e)
	require.Falsef(t, e.TestName != "PowerShell marker", "third: %+v", e)
	require.NotNilf(t, e.ExitCode, "third: %+v", e)
	require.Falsef(t, *e.ExitCode != 1, "third: %+v", e)
	j, _ := os.Open("testdata/attire-log.json")
	defer j.Close()
	execs, bad, err = atomiclog.Parse(j)
	require.NoErrorf(t, err, "attire: %v %+v %+v", err, execs, bad)
	require.Lenf(t, execs, 1, "attire: %v %+v %+v", err, execs, bad)
	require.Lenf(t, bad, 1, "attire: %v %+v %+v", err, execs, bad)
	require.EqualValuesf(t, "11111111-2222-4333-8444-555555555502", execs[0].GUID, "attire: %v %+v %+v", err, execs, bad)
	require.EqualValuesf(t, "WS02", execs[0].Host, "attire: %v %+v %+v", err, execs, bad)
	require.Falsef(t, execs[0].Start.Format("15:04") != "08:00", "attire: %v %+v %+v", err, execs, bad)
	require.EqualValuesf(t, 2, execs[0].TestNumber, "attire: %v %+v %+v", err, execs, bad)
	// The old default logger had fewer columns, and JSON lists of its records exist too.
	old := "\"Execution Time (UTC)\",\"Execution Time (Local)\",\"Technique\",\"Test Number\",\"Test Name\",\"Hostname\",\"Username\",\"GUID\"\n" +
		"\"2025-07-01T10:00:00Z\",\"x\",\"T1001\",\"1\",\"n\",\"h\",\"u\",\"11111111-2222-4333-8444-555555555501\"\n"
	execs, _, err = atomiclog.Parse(strings.NewReader(old))
	require.NoErrorf(t, err, "old csv: %v", err)
	require.Lenf(t, execs, 1, "old csv: %v", err)
	list := `[{"Execution Time (UTC)":"2025-07-01T10:00:00Z","Technique":"T1001","Test Number":1,"Test Name":"n","GUID":"11111111-2222-4333-8444-555555555501"}]`
	execs, _, err = atomiclog.Parse(strings.NewReader(list))
	require.NoErrorf(t, err, "json list: %v %+v", err, execs)
	require.Lenf(t, execs, 1, "json list: %v %+v", err, execs)
	require.EqualValuesf(t, 1, execs[0].TestNumber, "json list: %v %+v", err, execs)
	for name, in := range map[string]string{"empty": "  ", "not a log": "a,b\n1,2\n", "bad json": "{", "other json": `{"x":1}`} {
		_, _, err := atomiclog.Parse(strings.NewReader(in))
		assert.NotNilf(t, err, "%s: accepted", name)
	}
}

type fixture struct {
	app                       core.App
	marker, manual, sub, done string
}

func save(t *testing.T, app core.App, collection string, fields map[string]any) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	require.NoError(t, err)
	r := core.NewRecord(col)
	for k, v := range fields {
		r.Set(k, v)
	}
	require.NoError(t, app.Save(r), "save %s", collection)
	return r.Id
}

func setup(t *testing.T) fixture {
	app := testutil.NewApp(t)
	tech := map[string]string{}
	for _, id := range []string{"T9001", "T9002.001"} {
		tech[id] = save(t, app, collections.Techniques, map[string]any{"stix_id": "attack-pattern--" + id, "attack_id": id, "name": id, "in_scope": true})
	}
	tplMarker := save(t, app, collections.TestTemplates, map[string]any{"source": "atomic", "source_id": "11111111-2222-4333-8444-555555555501",
		"technique": tech["T9001"], "technique_attack_id": "T9001", "name": "Print a marker"})
	tplManual := save(t, app, collections.TestTemplates, map[string]any{"source": "atomic", "source_id": "11111111-2222-4333-8444-555555555502",
		"technique": tech["T9001"], "technique_attack_id": "T9001", "name": "Manual review"})
	camp := save(t, app, collections.Campaigns, map[string]any{"name": "Log import", "status": "active"})
	test := func(name, technique, template, state, red string) string {
		return save(t, app, collections.Tests, map[string]any{"name": name, "technique": tech[technique], "template": template,
			"campaign": camp, "state": state, "red_result": red, "revealed": true})
	}
	return fixture{app: app,
		marker: test("Marker on WS01", "T9001", tplMarker, collections.StateExecuting, ""),
		manual: test("Manual review", "T9001", tplManual, collections.StateReady, ""),
		sub:    test("PowerShell marker", "T9002.001", "", collections.StateDraft, ""),
		done:   test("Already validated", "T9001", tplMarker, collections.StateValidated, "failed_to_execute"),
	}
}

func TestImport(t *testing.T) {
	fx := setup(t)
	csvLog, _ := os.ReadFile("testdata/execution-log.csv")
	attire, _ := os.ReadFile("testdata/attire-log.json")
	src := testsrc.Files{"logs/run1.csv": string(csvLog), "logs/run2.json": string(attire), "logs/readme.txt": "ignored"}
	ctx := context.Background()

	rep, err := atomiclog.Import(ctx, fx.app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 3, rep.Updated, "report: %+v", rep)
	require.EqualValuesf(t, 2, rep.Files, "report: %+v", rep)
	require.EqualValuesf(t, 5, rep.Counts["executions"], "report: %+v", rep)
	require.Lenf(t, rep.FileErrors, 2, "report: %+v", rep)
	require.EqualValuesf(t, 1, rep.Counts["kept_validated"], "report: %+v", rep)
	require.EqualValuesf(t, 1, rep.Counts["nonzero_exit"], "report: %+v", rep)
	require.Lenf(t, rep.Skipped, 1, "unmatched: %+v", rep.Skipped)
	require.Containsf(t, rep.Skipped[0].Reason, "11111111-2222-4333-8444-555555555599", "unmatched: %+v", rep.Skipped)
	require.Truef(t, strings.HasPrefix(rep.Skipped[0].Id, "logs/run1.csv line 5"), "unmatched: %+v", rep.Skipped)
	check := func(id, executed string, revision int) {
		t.Helper()
		r, err := fx.app.FindRecordById(collections.Tests, id)
		require.NoError(t, err)
		require.EqualValuesf(t, "executed", r.GetString("red_result"), "test %s: %v", r.GetString("name"), r.FieldsData())
		require.Falsef(t, r.GetDateTime("executed_at").Time().Format("2006-01-02 15:04") != executed, "test %s: %v", r.GetString("name"), r.FieldsData())
		require.EqualValuesf(t, revision, r.GetInt("revision"), "test %s: %v", r.GetString("name"), r.FieldsData())
	}
	check(fx.marker, "2025-07-01 11:30", 1) // latest of two runs, by GUID
	check(fx.manual, "2025-07-02 08:00", 1) // ATTiRe, by GUID
	check(fx.sub, "2025-07-01 10:05", 1)    // no GUID: technique + test name
	done, _ := fx.app.FindRecordById(collections.Tests, fx.done)
	require.EqualValuesf(t, "failed_to_execute", done.GetString("red_result"), "validated test changed: %v", done.FieldsData())
	require.Falsef(t, !done.GetDateTime("executed_at").IsZero(), "validated test changed: %v", done.FieldsData())

	again, err := atomiclog.Import(ctx, fx.app, src, importers.Options{})
	require.NoErrorf(t, err, "re-import: %v %+v", err, again)
	require.Truef(t, again.NoChange, "re-import: %v %+v", err, again)
	require.EqualValuesf(t, 0, again.Updated, "re-import: %v %+v", err, again)
	check(fx.marker, "2025-07-01 11:30", 1)
}

func FuzzParseAtomicLog(f *testing.F) {
	for _, p := range []string{"testdata/execution-log.csv", "testdata/attire-log.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		execs, _, err := atomiclog.Parse(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, e := range execs {
			require.NotEmptyf(t, e.Technique, "invalid execution accepted: %+v", e)
			require.Falsef(t, e.Start.IsZero(), "invalid execution accepted: %+v", e)
			require.Falsef(t, (e.GUID == "" && e.TestName == ""), "invalid execution accepted: %+v", e)
		}
	})
}
