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
	if len(ts) != 2 || len(notes) != 1 || ts[0].Tactic != "detect" || ts[0].Name != "Process Spawn Analysis" ||
		!strings.Contains(ts[0].Definition, "multi-line") || ts[1].Level1 != "Passive Certificate Analysis" {
		t.Fatalf("%+v %v", ts, notes)
	}
	if _, _, err := d3fend.ParseCSV([]byte("a,b\n1,2\n")); err == nil {
		t.Fatal("a CSV without D3FEND columns must fail")
	}
	ts, notes, err = d3fend.ParseCSV([]byte(csv + "D3-PCA,Detect,,,Passive Certificate Analysis,other wording\n"))
	if err != nil || len(ts) != 2 || ts[1].Definition != "x" || len(notes) != 2 || !strings.Contains(notes[1], "different content") {
		t.Fatalf("first row must win: %+v %v %v", ts, notes, err)
	}
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
	if rep.Counts["pairs"] != 2 || rep.Counts["techniques"] != 2 || len(rep.FileErrors) != 0 {
		t.Fatalf("report %+v", rep)
	}
	m, err := app.FindAllRecords(collections.D3fendMappings)
	if err != nil || len(m) != 2 {
		t.Fatalf("mappings %d %v", len(m), err)
	}
	restore, err := app.FindFirstRecordByData(collections.D3fendTechniques, "name", "Restore File")
	if err != nil || restore.GetString("tactic") != "restore" {
		t.Fatalf("restore technique: %v", err)
	}
	psa, _ := app.FindFirstRecordByData(collections.D3fendTechniques, "name", "Process Spawn Analysis")
	mp, _ := app.FindFirstRecordByFilter(collections.D3fendMappings, "d3fend = {:d}", dbx.Params{"d": psa.Id})
	if mp.GetString("via") != "Process, Process Image" {
		t.Fatalf("via = %q", mp.GetString("via"))
	}
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
	if len(rep.FileErrors) != 1 || !strings.HasSuffix(rep.FileErrors[0].Path, "T9.json") {
		t.Fatalf("file errors %+v", rep.FileErrors)
	}
	// No technique in the catalogue: both pairs are reported, none stored.
	if rep.Counts["pairs_without_technique"] != 2 {
		t.Fatalf("report %+v", rep)
	}
	found := false
	for _, s := range rep.Skipped {
		found = found || s.Id == "T1003" && strings.Contains(s.Reason, "not in the catalogue")
	}
	if !found {
		t.Fatalf("skipped %+v", rep.Skipped)
	}
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
	if len(rep.FileErrors) != 0 {
		t.Fatalf("file errors %v", rep.FileErrors)
	}
	if rep.Counts["pairs"] != 3754 || rep.Counts["mapped_d3fend_techniques"] != 119 {
		t.Fatalf("pairs %d (README 3754), mapped %d (README 119)", rep.Counts["pairs"], rep.Counts["mapped_d3fend_techniques"])
	}
	listed, _ := app.CountRecords(collections.D3fendTechniques, dbx.NewExp("d3fend_id LIKE 'D3-%'"))
	if listed != 181 {
		t.Fatalf("listed techniques %d, want 181 ids from 182 rows", listed)
	}
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
		if want[x.Tactic] != x.N {
			t.Fatalf("tactic %s = %d, want %d", x.Tactic, x.N, want[x.Tactic])
		}
	}

	psa, err := app.FindFirstRecordByData(collections.D3fendTechniques, "d3fend_id", "D3-PSA")
	require.NoError(t, err)
	psa.Set("status", "implemented")
	require.NoError(t, app.Save(psa))
	again, err := d3fend.Import(ctx, app, contenttest.Shared(t, "d3fend-0.14.0-attack-mappings.tar.gz"), importers.Options{})
	require.NoError(t, err)
	if !again.NoChange {
		t.Fatalf("re-import %+v", again)
	}
	psa, _ = app.FindRecordById(collections.D3fendTechniques, psa.Id)
	if psa.GetString("status") != "implemented" {
		t.Fatal("status must survive a re-import")
	}
}
