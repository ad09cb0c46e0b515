package caldera_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/caldera"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestParseAbilities(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		platforms string
		variants  int
		technique string
		cleanup   string
		elevated  bool
	}{
		{name: "nested schema, comma-joined keys", file: "aaaaaaaa-0000-4000-8000-000000000001.yml",
			platforms: "linux,macos,windows", variants: 5, technique: "T9083", cleanup: "echo cleaned"},
		{name: "flat schema, padded technique id", file: "aaaaaaaa-0000-4000-8000-000000000002.yml",
			platforms: "windows", variants: 2, technique: "T9564.001", cleanup: "echo one\necho two", elevated: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/data/abilities/discovery/" + tc.file)
			require.NoError(t, err)
			ab, err := caldera.ParseAbilities(tc.file, data)
			require.NoErrorf(t, err, "parse: %v %+v", err, ab)
			require.Lenf(t, ab.Templates, 1, "parse: %v %+v", err, ab)
			require.Lenf(t, ab.Problems, 0, "parse: %v %+v", err, ab)
			tpl := ab.Templates[0]
			require.Falsef(t, strings.Join(tpl.Platforms, ",") != tc.platforms, "template: %+v", tpl)
			require.Lenf(t, tpl.Executor.Variants, tc.variants, "template: %+v", tpl)
			require.EqualValuesf(t, tc.technique, tpl.TechniqueID, "template: %+v", tpl)
			require.EqualValuesf(t, tc.cleanup, tpl.Executor.CleanupCommand, "template: %+v", tpl)
			require.EqualValuesf(t, tc.elevated, tpl.Executor.ElevationRequired, "template: %+v", tpl)
			require.EqualValuesf(t, "caldera", tpl.Source, "template: %+v", tpl)
		})
	}
	for name, in := range map[string]string{
		"not yaml":      "- id: [",
		"empty list":    "[]",
		"scalar":        "hello",
		"bad technique": "- id: a1\n  name: n\n  technique_id: X9\n  executors: [{platform: linux, name: sh}]\n",
		"no executors":  "- id: a1\n  name: n\n",
		"id with slash": "- id: ../../x\n  name: n\n  executors: [{platform: linux, name: sh}]\n",
	} {
		ab, err := caldera.ParseAbilities(name, []byte(in))
		assert.Falsef(t, err == nil && len(ab.Problems) == 0, "%s: accepted %+v", name, ab)
	}
}

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

func TestImportFixtures(t *testing.T) {
	app := testutil.NewApp(t)
	src := readDir(t, "testdata")
	rep, err := caldera.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 2, rep.Created, "report: %+v", rep)
	require.EqualValuesf(t, 1, rep.Counts["adversaries"], "report: %+v", rep)
	require.EqualValuesf(t, 1, rep.Counts["adversary_refs_unresolved"], "report: %+v", rep)
	got := map[string]string{}
	for _, fe := range rep.FileErrors {
		got[fe.Path] = fe.Error
	}
	require.Containsf(t, got["data/abilities/discovery/broken.yml"], "yaml", "file errors: %+v", rep.FileErrors)
	require.Containsf(t, got["data/abilities/discovery/noexec.yml"], "no executors", "file errors: %+v", rep.FileErrors)
	require.Lenf(t, got, 2, "file errors: %+v", rep.FileErrors)
	rec, err := app.FindFirstRecordByFilter(collections.TestTemplates, "source = 'caldera' && source_id = {:id}",
		dbx.Params{"id": "aaaaaaaa-0000-4000-8000-000000000002"})
	require.NoErrorf(t, err, "record: %v %v", err, rec)
	require.EqualValuesf(t, "T9564.001", rec.GetString("technique_attack_id"), "record: %v %v", err, rec)
	again, err := caldera.Import(context.Background(), app, src, importers.Options{})
	require.NoErrorf(t, err, "re-import: %v %+v", err, again)
	require.Truef(t, again.NoChange, "re-import: %v %+v", err, again)
	require.EqualValuesf(t, 2, again.Unchanged, "re-import: %v %+v", err, again)
}

func TestImportSharedCorpus(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t), "caldera-stockpile-abilities.tar.gz")
	app := testutil.NewApp(t)
	rep, err := caldera.Import(context.Background(), app, testsrc.TarGz(path), importers.Options{})
	require.NoError(t, err)
	require.Lenf(t, rep.FileErrors, 0, "file errors: %+v", rep.FileErrors)
	// From the shared data README.
	want := map[string]int{
		"abilities": 209, "techniques": 123, "adversaries": 27, "adversary_ability_refs": 183,
		"tactic:discovery": 79, "tactic:defense-evasion": 30, "tactic:collection": 18, "tactic:persistence": 14,
		"tactic:impact": 13, "tactic:credential-access": 12, "tactic:exfiltration": 11,
		"tactic:lateral-movement": 11, "tactic:execution": 8, "tactic:privilege-escalation": 8,
		"tactic:command-and-control": 5,
		// Counted independently from the archive with comma-joined keys split.
		"platform:windows": 171, "platform:linux": 80, "platform:macos": 68,
		"executor:psh": 161, "executor:sh": 90, "executor:pwsh": 22, "executor:cmd": 20,
	}
	for k, v := range want {
		assert.EqualValuesf(t, v, rep.Counts[k], "count %s = %d, want %d", k, rep.Counts[k], v)
	}
	var ids, padded, parents int
	_ = app.DB().NewQuery("SELECT count(DISTINCT source_id) FROM test_templates WHERE source = 'caldera'").Row(&ids)
	_ = app.DB().NewQuery("SELECT count(*) FROM test_templates WHERE technique_attack_id != trim(technique_attack_id)").Row(&padded)
	_ = app.DB().NewQuery("SELECT count(DISTINCT substr(technique_attack_id, 1, 5)) FROM test_templates").Row(&parents)
	require.EqualValuesf(t, 209, rep.Created, "created %d, distinct ids %d, padded %d, parents %d", rep.Created, ids, padded, parents)
	require.EqualValuesf(t, 209, ids, "created %d, distinct ids %d, padded %d, parents %d", rep.Created, ids, padded, parents)
	require.EqualValuesf(t, 0, padded, "created %d, distinct ids %d, padded %d, parents %d", rep.Created, ids, padded, parents)
	require.EqualValuesf(t, 95, parents, "created %d, distinct ids %d, padded %d, parents %d", rep.Created, ids, padded, parents)
	again, err := caldera.Import(context.Background(), app, testsrc.TarGz(path), importers.Options{})
	require.NoErrorf(t, err, "re-import: %v %+v", err, again)
	require.Truef(t, again.NoChange, "re-import: %v %+v", err, again)
	require.EqualValuesf(t, 209, again.Unchanged, "re-import: %v %+v", err, again)
}

func FuzzParseCaldera(f *testing.F) {
	if data, err := os.ReadFile("testdata/data/abilities/discovery/aaaaaaaa-0000-4000-8000-000000000001.yml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ab, err := caldera.ParseAbilities("fuzz.yml", data)
		if err != nil {
			return
		}
		for _, tpl := range ab.Templates {
			require.NotEmptyf(t, tpl.SourceID, "invalid template accepted: %+v", tpl)
			require.NotEmptyf(t, tpl.Name, "invalid template accepted: %+v", tpl)
			require.NotEqualValuesf(t, 0, len(tpl.Executor.Variants), "invalid template accepted: %+v", tpl)
		}
		_, _ = caldera.ParseAdversary(data)
	})
}

func TestImportThroughSource(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t), "caldera-stockpile-abilities.tar.gz")
	src, err := source.Open(path, source.Options{})
	require.NoError(t, err)
	app := testutil.NewApp(t)
	rep, err := caldera.Import(context.Background(), app, src, importers.Options{})
	require.NoErrorf(t, err, "%v %+v", err, rep)
	require.EqualValuesf(t, 209, rep.Created, "%v %+v", err, rep)
	require.EqualValuesf(t, 27, rep.Counts["adversaries"], "%v %+v", err, rep)
	require.Lenf(t, rep.FileErrors, 0, "%v %+v", err, rep)
}
