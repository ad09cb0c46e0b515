package atomic_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// readDir loads a fixture folder as an in-memory source.
func readDir(t *testing.T, dir string) testsrc.Files {
	t.Helper()
	files := testsrc.Files{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	require.NoError(t, err)
	return files
}

func addTechnique(t *testing.T, app core.App, attackID string) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collections.Techniques)
	require.NoError(t, err)
	r := core.NewRecord(col)
	r.Set("stix_id", "attack-pattern--"+strings.ToLower(attackID))
	r.Set("attack_id", attackID)
	r.Set("name", "Technique "+attackID)
	r.Set("in_scope", true)
	require.NoError(t, app.Save(r))
	return r.Id
}

func TestImportFixtures(t *testing.T) {
	app := testutil.NewApp(t)
	techID := addTechnique(t, app, "T9001")
	src := readDir(t, "testdata")
	ctx := context.Background()

	rep, err := atomic.Import(ctx, app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 3, rep.Created, "report: %+v", rep)
	require.EqualValuesf(t, 3, rep.Files, "report: %+v", rep)
	require.Falsef(t, rep.NoChange, "report: %+v", rep)
	errs := map[string]string{}
	for _, fe := range rep.FileErrors {
		errs[fe.Path] += fe.Error
	}
	require.Containsf(t, errs["atomics/T9002.001/T9002.001.yaml"], "missing auto_generated_guid", "file errors: %+v", rep.FileErrors)
	require.Containsf(t, errs["atomics/T9003/T9003.yaml"], "yaml", "file errors: %+v", rep.FileErrors)
	require.Lenf(t, errs, 2, "file errors: %+v", rep.FileErrors)
	require.Lenf(t, rep.Skipped, 1, "unknown techniques: %+v", rep.Skipped)
	require.EqualValuesf(t, "T9002.001", rep.Skipped[0].Id, "unknown techniques: %+v", rep.Skipped)

	linked, err := app.FindFirstRecordByFilter(collections.TestTemplates, "source_id = {:id}",
		dbx.Params{"id": "11111111-2222-4333-8444-555555555501"})
	require.NoError(t, err)
	var exec map[string]any
	require.NoError(t, linked.UnmarshalJSONField("executor", &exec))
	require.EqualValuesf(t, techID, linked.GetString("technique"), "template: %v exec %v", linked.FieldsData(), exec)
	require.EqualValuesf(t, "atomic", linked.GetString("source"), "template: %v exec %v", linked.FieldsData(), exec)
	require.EqualValuesf(t, "sh", exec["name"], "template: %v exec %v", linked.FieldsData(), exec)
	require.Containsf(t, exec["command"].(string), "#{marker}", "template: %v exec %v", linked.FieldsData(), exec)
	require.EqualValuesf(t, "atomics/T9001/T9001.yaml", linked.GetString("path"), "template: %v exec %v", linked.FieldsData(), exec)
	require.NotEmptyf(t, linked.GetString("content_hash"), "template: %v exec %v", linked.FieldsData(), exec)
	unlinked, _ := app.FindFirstRecordByFilter(collections.TestTemplates, "technique_attack_id = 'T9002.001'")
	require.NotNil(t, unlinked, "T9002.001 template should be stored without a link")
	require.EqualValues(t, "", unlinked.GetString("technique"), "T9002.001 template should be stored without a link")
	before := linked.GetString("updated")

	again, err := atomic.Import(ctx, app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 0, again.Created, "re-import: %+v", again)
	require.EqualValuesf(t, 0, again.Updated, "re-import: %+v", again)
	require.EqualValuesf(t, 3, again.Unchanged, "re-import: %+v", again)
	require.Truef(t, again.NoChange, "re-import: %+v", again)
	linked, _ = app.FindRecordById(collections.TestTemplates, linked.Id)
	require.EqualValues(t, before, linked.GetString("updated"), "unchanged template was rewritten")
	audits, _ := app.CountRecords("audit_logs", dbx.HashExp{"action": "import", "collection": collections.TestTemplates})
	require.EqualValuesf(t, 1, audits, "audit entries %d, want 1 (the no-op run writes none)", audits)

	// Once the technique exists, the next import links the template.
	subID := addTechnique(t, app, "T9002.001")
	linkRun, err := atomic.Import(ctx, app, src, importers.Options{})
	require.NoError(t, err)
	unlinked, _ = app.FindRecordById(collections.TestTemplates, unlinked.Id)
	require.EqualValuesf(t, 1, linkRun.Updated, "link run %+v, technique %q", linkRun, unlinked.GetString("technique"))
	require.EqualValuesf(t, subID, unlinked.GetString("technique"), "link run %+v, technique %q", linkRun, unlinked.GetString("technique"))

	// A changed command updates exactly that template.
	src["atomics/T9001/T9001.yaml"] = strings.Replace(src["atomics/T9001/T9001.yaml"], "echo done", "echo finished", 1)
	changed, err := atomic.Import(ctx, app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 1, changed.Updated, "changed: %+v", changed)
	require.EqualValuesf(t, 2, changed.Unchanged, "changed: %+v", changed)
}

func TestImportCancelledLeavesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := atomic.Import(ctx, app, readDir(t, "testdata"), importers.Options{})
	require.NotNil(t, err, "cancelled import succeeded")
	n, _ := app.CountRecords(collections.TestTemplates)
	require.EqualValuesf(t, 0, n, "%d templates written by a failed import", n)
}

// corpus loads the shared Atomic Red Team archive into memory.
func corpus(t *testing.T) testsrc.Files {
	t.Helper()
	path := filepath.Join(testutil.SharedData(t), "atomic-red-team-atomics.tar.gz")
	files := testsrc.Files{}
	err := testsrc.TarGz(path).Walk(context.Background(), func(e sourceEntry) error {
		b, err := readAll(e)
		files[e.Path] = string(b)
		return err
	})
	require.NoError(t, err)
	return files
}

func TestImportSharedCorpus(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t), "atomic-red-team-atomics.tar.gz")
	app := testutil.NewApp(t)
	addTechnique(t, app, "T1003.001")
	ctx := context.Background()

	rep, err := atomic.Import(ctx, app, testsrc.TarGz(path), importers.Options{})
	require.NoError(t, err)
	t.Logf("first import: %d created in %.2fs", rep.Created, rep.Seconds)
	require.Lenf(t, rep.FileErrors, 0, "file errors: %+v", rep.FileErrors)
	want := map[string]int{
		"tests": 1145, "techniques": 196,
		"executor:powershell": 440, "executor:command_prompt": 394, "executor:sh": 221,
		"executor:bash": 78, "executor:manual": 12,
		"platform:windows": 821, "platform:linux": 240, "platform:macos": 145, "platform:azure-ad": 14,
		"platform:containers": 8, "platform:iaas:aws": 5, "platform:iaas:gcp": 4, "platform:iaas:azure": 3,
		"platform:office-365": 3, "platform:google-workspace": 1,
		"with_input_arguments": 671, "with_cleanup": 573, "with_dependencies": 461, "with_elevation_required": 346,
	}
	for k, v := range want {
		assert.EqualValuesf(t, v, rep.Counts[k], "count %s = %d, want %d", k, rep.Counts[k], v)
	}
	require.EqualValuesf(t, 196, rep.Files, "files %d created %d", rep.Files, rep.Created)
	require.EqualValuesf(t, 1145, rep.Created, "files %d created %d", rep.Files, rep.Created)

	// Tests per technique in the database match an independent decode of
	// each file.
	perFile := map[string]int{}
	for p, body := range corpus(t) {
		if !strings.HasSuffix(p, ".yaml") {
			continue
		}
		var doc struct {
			Technique string           `yaml:"attack_technique"`
			Tests     []map[string]any `yaml:"atomic_tests"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(body), &doc))
		perFile[doc.Technique] += len(doc.Tests)
	}
	var rows []struct {
		Technique string `db:"technique_attack_id"`
		N         int    `db:"n"`
	}
	require.NoError(t, app.DB().NewQuery("SELECT technique_attack_id, count(*) AS n FROM test_templates WHERE source = 'atomic' GROUP BY technique_attack_id").All(&rows))
	require.EqualValuesf(t, len(perFile), len(rows), "%d techniques in db, %d in files", len(rows), len(perFile))
	require.Lenf(t, rows, 196, "%d techniques in db, %d in files", len(rows), len(perFile))
	for _, r := range rows {
		assert.EqualValuesf(t, r.N, perFile[r.Technique], "%s: %d templates, file has %d", r.Technique, r.N, perFile[r.Technique])
	}
	var linked int
	_ = app.DB().NewQuery("SELECT count(*) FROM test_templates WHERE technique != ''").Row(&linked)
	require.EqualValuesf(t, perFile["T1003.001"], linked, "linked %d, unknown techniques %d", linked, len(rep.Skipped))
	require.Lenf(t, rep.Skipped, 195, "linked %d, unknown techniques %d", linked, len(rep.Skipped))

	again, err := atomic.Import(ctx, app, testsrc.TarGz(path), importers.Options{})
	require.NoError(t, err)
	t.Logf("re-import: %d unchanged in %.2fs", again.Unchanged, again.Seconds)
	require.Truef(t, again.NoChange, "re-import: %+v", again)
	require.EqualValuesf(t, 1145, again.Unchanged, "re-import: %+v", again)
	require.Falsef(t, again.Created+again.Updated != 0, "re-import: %+v", again)
}

func TestImportCorpusWithBadFiles(t *testing.T) {
	files := corpus(t)
	bomb := "attack_technique: T1001\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		bomb += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
		prev = n
	}
	files["atomics/T9101/T9101.yaml"] = "attack_technique: T9101\natomic_tests:\n- name: x\n\tbad: tab\n"
	files["atomics/T9102/T9102.yaml"] = bomb
	files["atomics/T9103/T9103.yaml"] = "attack_technique: T9103\ndisplay_name: " + strings.Repeat("y", atomic.MaxFileSize+10) + "\n"
	files["atomics/T9104/T9104.yaml"] = "just a string\n"

	app := testutil.NewApp(t)
	rep, err := atomic.Import(context.Background(), app, files, importers.Options{})
	require.NoError(t, err)
	got := map[string]string{}
	for _, fe := range rep.FileErrors {
		got[fe.Path] = fe.Error
	}
	for path, want := range map[string]string{
		"atomics/T9101/T9101.yaml": "yaml", "atomics/T9102/T9102.yaml": "alias expansion",
		"atomics/T9103/T9103.yaml": "too large", "atomics/T9104/T9104.yaml": "yaml",
	} {
		assert.Falsef(t, !strings.Contains(got[path], want), "%s: error %q, want %q", path, got[path], want)
	}
	require.Lenf(t, rep.FileErrors, 4, "created %d, errors %+v", rep.Created, rep.FileErrors)
	require.EqualValuesf(t, 1145, rep.Created, "created %d, errors %+v", rep.Created, rep.FileErrors)
}
