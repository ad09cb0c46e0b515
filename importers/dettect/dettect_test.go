package dettect_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/dettect"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.SharedData(t), "dettect", name))
	require.NoError(t, err)
	return b
}

func run(t *testing.T, app core.App, path string) *importers.Report {
	t.Helper()
	rep, err := dettect.Import(context.Background(), app, contenttest.Open(t, path), importers.Options{})
	require.NoError(t, err)
	return rep
}

// TestSamples imports the public DeTT&CT samples before ATT&CK: the
// technique administration file's 342 techniques are stored with every
// detection and visibility entry, the other file types are listed as
// skipped, a re-import writes nothing, and the ATT&CK import links them.
func TestSamples(t *testing.T) {
	app := testutil.NewApp(t)
	dir := filepath.Join(testutil.SharedData(t), "dettect")
	rep := run(t, app, dir)
	require.EqualValuesf(t, 3, rep.Files, "files %d errors %v", rep.Files, rep.FileErrors)
	require.Lenf(t, rep.FileErrors, 0, "files %d errors %v", rep.Files, rep.FileErrors)
	require.EqualValuesf(t, 342, rep.Counts["techniques"], "techniques %d, want 342", rep.Counts["techniques"])
	skippedTypes := 0
	for _, s := range rep.Skipped {
		if strings.Contains(s.Reason, "not a DeTT&CT technique administration file") {
			skippedTypes++
		}
	}
	require.EqualValuesf(t, 2, skippedTypes, "data source and group files not listed as skipped: %v", rep.Skipped)
	f, err := dettect.Parse(sample(t, "techniques-administration-endpoints.yaml"))
	require.NoError(t, err)
	det, vis := 0, 0
	for _, x := range f.Techniques {
		det += len(x.Detection)
		vis += len(x.Visibility)
	}
	if rep.Created != det+vis || rep.Counts[collections.AssessmentDetection] != det || rep.Counts[collections.AssessmentVisibility] != vis {
		t.Fatalf("created %d (detection %d, visibility %d), file has %d + %d", rep.Created,
			rep.Counts[collections.AssessmentDetection], rep.Counts[collections.AssessmentVisibility], det, vis)
	}
	t.Logf("DeTT&CT sample: %d techniques, %d detection and %d visibility entries", len(f.Techniques), det, vis)
	require.EqualValuesf(t, 342, rep.Counts["unknown_techniques"], "before ATT&CK every id is unknown: %d", rep.Counts["unknown_techniques"])
	again := run(t, app, dir)
	require.Truef(t, again.NoChange, "re-import: %+v", again)
	require.Falsef(t, again.Unchanged != det+vis, "re-import: %+v", again)

	contenttest.SeedEnterprise(t, app)
	unlinked, _ := app.CountRecords(collections.TechniqueAssessments, dbx.HashExp{"technique": ""})
	var known int
	_ = app.DB().NewQuery(`SELECT COUNT(DISTINCT a.attack_id) FROM technique_assessments a JOIN techniques t ON t.attack_id = a.attack_id`).Row(&known)
	require.Falsef(t, known < 300, "only %d sample ids in ATT&CK 18.1", known)
	var stillUnknown int
	_ = app.DB().NewQuery(`SELECT COUNT(*) FROM technique_assessments WHERE technique = '' AND attack_id IN (SELECT attack_id FROM techniques)`).Row(&stillUnknown)
	require.EqualValuesf(t, 0, stillUnknown, "%d rows not linked although ATT&CK has their id", stillUnknown)
	t.Logf("after ATT&CK 18.1: %d ids known, %d rows still unlinked (ids 18.1 lacks)", known, unlinked)
	again = run(t, app, dir)
	require.Truef(t, again.NoChange, "re-import after linking changed %d rows", again.Updated)
}

// TestExportRoundTrip: what Aegis exports parses back to the same
// techniques, entries and logbooks as the sample it imported.
func TestExportRoundTrip(t *testing.T) {
	app := testutil.NewApp(t)
	path := filepath.Join(testutil.SharedData(t), "dettect", "techniques-administration-endpoints.yaml")
	run(t, app, path)
	var buf bytes.Buffer
	require.NoError(t, dettect.Export(app, &buf, dettect.ExportOptions{Name: "example"}))
	got, err := dettect.Parse(buf.Bytes())
	require.NoErrorf(t, err, "export does not parse: %v\n%s", err, buf.String()[:min(500, buf.Len())])
	want, err := dettect.Parse(sample(t, "techniques-administration-endpoints.yaml"))
	require.NoError(t, err)
	require.EqualValuesf(t, len(want.Techniques), len(got.Techniques), "exported %d techniques, imported %d", len(got.Techniques), len(want.Techniques))
	norm := func(f *dettect.File) map[string]dettect.Technique {
		out := map[string]dettect.Technique{}
		for _, x := range f.Techniques {
			x.Name = ""
			for _, es := range [][]dettect.Entry{x.Detection, x.Visibility} {
				for i := range es {
					es[i].ApplicableTo = dettect.Systems(es[i].ApplicableTo)
					if es[i].Location != nil && len(*es[i].Location) == 0 {
						es[i].Location = nil
					}
				}
				// Entry order is not meaningful; the export sorts by systems.
				sort.Slice(es, func(i, j int) bool {
					return dettect.ApplicableKey(es[i].ApplicableTo) < dettect.ApplicableKey(es[j].ApplicableTo)
				})
			}
			out[x.ID] = x
		}
		return out
	}
	g, w := norm(got), norm(want)
	for id, x := range w {
		require.Falsef(t, !reflect.DeepEqual(g[id], x), "%s round-trips as\n%+v\nwant\n%+v", id, g[id], x)
	}
	// Importing the export into a fresh appliance stores the same rows.
	out := filepath.Join(t.TempDir(), "export.yaml")
	require.NoError(t, os.WriteFile(out, buf.Bytes(), 0o600))
	other := testutil.NewApp(t)
	rep := run(t, other, out)
	a, _ := app.CountRecords(collections.TechniqueAssessments)
	require.EqualValuesf(t, a, int64(rep.Created), "re-imported export created %d rows, the original has %d", rep.Created, a)
	// And the export of Aegis's state over the export is itself unchanged.
	rep = run(t, app, out)
	require.Truef(t, rep.NoChange, "importing the export back into its source changed %d rows", rep.Updated)
}

// TestMalformedFiles: each bad file is named with its reason; the good one
// imports.
func TestMalformedFiles(t *testing.T) {
	app := testutil.NewApp(t)
	dir := t.TempDir()
	good := string(sample(t, "techniques-administration-endpoints.yaml"))
	head := "version: 1.2\nfile_type: technique-administration\nname: bad\ntechniques:\n"
	entry := func(id, det, vis string) string {
		return "- technique_id: " + id + "\n  detection:\n  - applicable_to: [all]\n    score_logbook:\n    - date: 2024-01-02\n      score: " + det +
			"\n  visibility:\n  - applicable_to: [all]\n    score_logbook:\n    - date: 2024-01-02\n      score: " + vis + "\n"
	}
	files := map[string]string{
		"good.yaml":        good,
		"score.yaml":       head + entry("T1059", "7", "2"),
		"visibility.yaml":  head + entry("T1059", "2", "-1"),
		"id.yaml":          head + entry("X1059", "2", "2"),
		"twice.yaml":       head + entry("T1059", "2", "2") + entry("t1059", "1", "1"),
		"date.yaml":        strings.Replace(head+entry("T1059", "2", "2"), "2024-01-02", "yesterday", 1),
		"broken.yaml":      "version: 1.2\nfile_type: technique-administration\ntechniques: [unclosed\n",
		"empty.yaml":       "version: 1.2\nfile_type: technique-administration\ntechniques: []\n",
		"bomb.yaml":        "file_type: technique-administration\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
		"notes/readme.txt": "not yaml",
	}
	contenttest.WriteFiles(t, dir, files)
	rep := run(t, app, dir)
	want := map[string]string{
		"score.yaml":      "detection[0] score_logbook[0]: score 7 out of range -1..5",
		"visibility.yaml": "visibility[0] score_logbook[0]: score -1 out of range 0..4",
		"id.yaml":         `technique_id "X1059" is not an ATT&CK technique id`,
		"twice.yaml":      "technique listed twice",
		"date.yaml":       `date "yesterday" is not YYYY-MM-DD`,
		"broken.yaml":     "not readable YAML",
		"empty.yaml":      "lists no techniques",
		"bomb.yaml":       "alias expansion",
	}
	got := map[string]string{}
	for _, fe := range rep.FileErrors {
		got[filepath.Base(fe.Path)] = fe.Error
	}
	for name, msg := range want {
		assert.Falsef(t, !strings.Contains(got[name], msg), "%s: error %q, want it to say %q", name, got[name], msg)
	}
	assert.EqualValuesf(t, len(want), len(rep.FileErrors), "file errors %v", rep.FileErrors)
	require.EqualValuesf(t, 342, rep.Counts["techniques"], "the good file did not import: %+v", rep.Counts)
	require.NotEqualValuesf(t, 0, rep.Created, "the good file did not import: %+v", rep.Counts)
}
