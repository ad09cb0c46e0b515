package d3fend_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/d3fend"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestParseCSV(t *testing.T) {
	csv := "ID,D3FEND Tactic,D3FEND Technique,D3FEND Technique Level 0,D3FEND Technique Level 1,Definition\n" +
		"D3-PSA,Detect,,Process Spawn Analysis,,\"Analyzing spawn\nevents, multi-line\"\n" +
		"D3-PCA,Detect,,,Passive Certificate Analysis,x\n" +
		"D3-PCA,Detect,,,Passive Certificate Analysis,x\n"
	ts, notes, err := d3fend.ParseCSV([]byte(csv))
	require.NoError(t, err)
	require.Lenf(t, ts, 2, "%+v %v", ts, notes)
	require.Lenf(t, notes, 1, "%+v %v", ts, notes)
	require.EqualValuesf(t, "detect", ts[0].Tactic, "%+v %v", ts, notes)
	require.Falsef(t, ts[0].Name != "Process Spawn Analysis", "%+v %v", ts, notes)
	require.Containsf(t, ts[0].Definition, "multi-line", "%+v %v", ts, notes)
	require.Falsef(t, ts[1].Level1 != "Passive Certificate Analysis", "%+v %v", ts, notes)
	_, _, err = d3fend.ParseCSV([]byte("a,b\n1,2\n"))
	require.NotNil(t, err, "a CSV without D3FEND columns must fail")
	ts, notes, err = d3fend.ParseCSV([]byte(csv + "D3-PCA,Detect,,,Passive Certificate Analysis,other wording\n"))
	require.NoErrorf(t, err, "first row must win: %+v %v %v", ts, notes, err)
	require.Lenf(t, ts, 2, "first row must win: %+v %v %v", ts, notes, err)
	require.EqualValuesf(t, "x", ts[1].Definition, "first row must win: %+v %v %v", ts, notes, err)
	require.Lenf(t, notes, 2, "first row must win: %+v %v %v", ts, notes, err)
	require.Truef(t, strings.Contains(notes[1], "different content"), "first row must win: %+v %v %v", ts, notes, err)
}

const apiAnswer = `{"off_to_def":{"head":{"vars":[]},"results":{"bindings":[
 {"off_tech_id":{"type":"literal","value":"T1003"},"off_artifact_label":{"value":"Process Image"}},
 {"off_tech_id":{"value":"T1003"},"def_tech":{"value":"http://d3fend.mitre.org/ontologies/d3fend.owl#ProcessSpawnAnalysis"},
  "def_tech_label":{"value":"Process Spawn Analysis"},"def_tactic_label":{"value":"Detect"},"def_artifact_label":{"value":"Process"}},
 {"off_tech_id":{"value":"T1003"},"def_tech":{"value":"http://d3fend.mitre.org/ontologies/d3fend.owl#ProcessSpawnAnalysis"},
  "def_tech_label":{"value":"Process Spawn Analysis"},"def_tactic_label":{"value":"Detect"},"def_artifact_label":{"value":"Process Image"}},
 {"off_tech_id":{"value":"T1003"},"def_tech":{"value":"http://d3fend.mitre.org/ontologies/d3fend.owl#RestoreFile"},
  "def_tech_label":{"value":"Restore File"},"def_tactic_label":{"value":"Restore"},"def_artifact_label":{"value":"File"}}
]}},"description":{},"subtechniques":{}}`

// TestImportFromAPIURL serves a D3FEND API answer over loopback HTTP, as
// d3fend.mitre.org/api/offensive-technique/attack/T1003.json does.
func TestImportFromAPIURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/offensive-technique/attack/T1003.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(apiAnswer))
	}))
	defer srv.Close()
	app := testutil.NewApp(t)
	contenttest.SeedTechniques(t, app, "T1003")
	rep, err := d3fend.Import(context.Background(), app,
		contenttest.Open(t, srv.URL+"/api/offensive-technique/attack/T1003.json"), importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 2, rep.Counts["pairs"], "report %+v", rep)
	require.EqualValuesf(t, 2, rep.Counts["techniques"], "report %+v", rep)
	require.Lenf(t, rep.FileErrors, 0, "report %+v", rep)
	m, err := app.FindAllRecords(collections.D3fendMappings)
	require.NoErrorf(t, err, "mappings %d %v", len(m), err)
	require.Lenf(t, m, 2, "mappings %d %v", len(m), err)
	restore, err := app.FindFirstRecordByData(collections.D3fendTechniques, "name", "Restore File")
	require.NoErrorf(t, err, "restore technique: %v", err)
	require.EqualValuesf(t, "restore", restore.GetString("tactic"), "restore technique: %v", err)
	psa, _ := app.FindFirstRecordByData(collections.D3fendTechniques, "name", "Process Spawn Analysis")
	mp, _ := app.FindFirstRecordByFilter(collections.D3fendMappings, "d3fend = {:d}", dbx.Params{"d": psa.Id})
	require.Falsef(t, mp.GetString("via") != "Process, Process Image", "via = %q", mp.GetString("via"))
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	contenttest.WriteFiles(t, dir, map[string]string{
		"api/offensive-technique/attack/T1003.json": apiAnswer,
		"api/offensive-technique/attack/T9.json":    `{"off_to_def": `,
		"api/mappings/other.json":                   `{"@graph": []}`,
	})
	app := testutil.NewApp(t)
	rep, err := d3fend.Import(context.Background(), app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.Lenf(t, rep.FileErrors, 1, "file errors %+v", rep.FileErrors)
	require.Truef(t, strings.HasSuffix(rep.FileErrors[0].Path, "T9.json"), "file errors %+v", rep.FileErrors)
	// No technique in the catalogue: both pairs are reported, none stored.
	require.EqualValuesf(t, 2, rep.Counts["pairs_without_technique"], "report %+v", rep)
	found := false
	for _, s := range rep.Skipped {
		found = found || s.Id == "T1003" && strings.Contains(s.Reason, "not in the catalogue")
	}
	require.Truef(t, found, "skipped %+v", rep.Skipped)
}

// TestSharedData imports the real D3FEND 0.14.0 data and checks the
// README's counts, then that a re-import keeps the organisation's status.
func TestSharedData(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedEnterprise(t, app)
	ctx := context.Background()
	rep, err := d3fend.Import(ctx, app, contenttest.Shared(t, "d3fend-0.14.0-attack-mappings.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("d3fend: %d files, %d bindings, %d pairs, %d stored, %.2fs", rep.Files, rep.Counts["bindings"], rep.Counts["pairs"], rep.Created, rep.Seconds)
	require.Lenf(t, rep.FileErrors, 0, "file errors %v", rep.FileErrors)
	require.EqualValuesf(t, 3754, rep.Counts["pairs"], "pairs %d (README 3754), mapped %d (README 119)", rep.Counts["pairs"], rep.Counts["mapped_d3fend_techniques"])
	require.EqualValuesf(t, 119, rep.Counts["mapped_d3fend_techniques"], "pairs %d (README 3754), mapped %d (README 119)", rep.Counts["pairs"], rep.Counts["mapped_d3fend_techniques"])
	listed, _ := app.CountRecords(collections.D3fendTechniques, dbx.NewExp("d3fend_id LIKE 'D3-%'"))
	require.EqualValuesf(t, 181, listed, "listed techniques %d, want 181 ids from 182 rows", listed)
	stored, _ := app.CountRecords(collections.D3fendMappings)
	// Pairs naming a revoked id and its successor are one mapping.
	if int(stored)+rep.Counts["pairs_without_technique"]+rep.Counts["pairs_merged_into_successor"] != 3754 {
		t.Fatalf("stored %d + reported %d + merged %d != 3754", stored, rep.Counts["pairs_without_technique"],
			rep.Counts["pairs_merged_into_successor"])
	}
	var tact []struct {
		Tactic string `db:"tactic"`
		N      int    `db:"n"`
	}
	app.DB().NewQuery("SELECT tactic, count(*) n FROM d3fend_techniques WHERE d3fend_id LIKE 'D3-%' GROUP BY tactic").All(&tact)
	// The README counts rows: Detect 78 includes D3-PCA's second row.
	want := map[string]int{"detect": 77, "harden": 33, "model": 27, "isolate": 23, "deceive": 11, "evict": 10}
	for _, x := range tact {
		require.EqualValuesf(t, x.N, want[x.Tactic], "tactic %s = %d, want %d", x.Tactic, x.N, want[x.Tactic])
	}

	psa, err := app.FindFirstRecordByData(collections.D3fendTechniques, "d3fend_id", "D3-PSA")
	require.NoError(t, err)
	psa.Set("status", "implemented")
	require.NoError(t, app.Save(psa))
	again, err := d3fend.Import(ctx, app, contenttest.Shared(t, "d3fend-0.14.0-attack-mappings.tar.gz"), importers.Options{})
	require.NoError(t, err)
	require.Falsef(t, !again.NoChange, "re-import %+v", again)
	psa, _ = app.FindRecordById(collections.D3fendTechniques, psa.Id)
	require.EqualValues(t, "implemented", psa.GetString("status"), "status must survive a re-import")
}
