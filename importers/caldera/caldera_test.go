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
			if err != nil || len(ab.Templates) != 1 || len(ab.Problems) != 0 {
				t.Fatalf("parse: %v %+v", err, ab)
			}
			tpl := ab.Templates[0]
			if strings.Join(tpl.Platforms, ",") != tc.platforms || len(tpl.Executor.Variants) != tc.variants ||
				tpl.TechniqueID != tc.technique || tpl.Executor.CleanupCommand != tc.cleanup ||
				tpl.Executor.ElevationRequired != tc.elevated || tpl.Source != "caldera" {
				t.Fatalf("template: %+v", tpl)
			}
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
		if err == nil && len(ab.Problems) == 0 {
			t.Errorf("%s: accepted %+v", name, ab)
		}
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
	if rep.Created != 2 || rep.Counts["adversaries"] != 1 || rep.Counts["adversary_refs_unresolved"] != 1 {
		t.Fatalf("report: %+v", rep)
	}
	got := map[string]string{}
	for _, fe := range rep.FileErrors {
		got[fe.Path] = fe.Error
	}
	if !strings.Contains(got["data/abilities/discovery/broken.yml"], "yaml") ||
		!strings.Contains(got["data/abilities/discovery/noexec.yml"], "no executors") || len(got) != 2 {
		t.Fatalf("file errors: %+v", rep.FileErrors)
	}
	rec, err := app.FindFirstRecordByFilter(collections.TestTemplates, "source = 'caldera' && source_id = {:id}",
		dbx.Params{"id": "aaaaaaaa-0000-4000-8000-000000000002"})
	if err != nil || rec.GetString("technique_attack_id") != "T9564.001" {
		t.Fatalf("record: %v %v", err, rec)
	}
	again, err := caldera.Import(context.Background(), app, src, importers.Options{})
	if err != nil || !again.NoChange || again.Unchanged != 2 {
		t.Fatalf("re-import: %v %+v", err, again)
	}
}

func TestImportSharedCorpus(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t), "caldera-stockpile-abilities.tar.gz")
	app := testutil.NewApp(t)
	rep, err := caldera.Import(context.Background(), app, testsrc.TarGz(path), importers.Options{})
	require.NoError(t, err)
	if len(rep.FileErrors) != 0 {
		t.Fatalf("file errors: %+v", rep.FileErrors)
	}
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
		if rep.Counts[k] != v {
			t.Errorf("count %s = %d, want %d", k, rep.Counts[k], v)
		}
	}
	var ids, padded, parents int
	_ = app.DB().NewQuery("SELECT count(DISTINCT source_id) FROM test_templates WHERE source = 'caldera'").Row(&ids)
	_ = app.DB().NewQuery("SELECT count(*) FROM test_templates WHERE technique_attack_id != trim(technique_attack_id)").Row(&padded)
	_ = app.DB().NewQuery("SELECT count(DISTINCT substr(technique_attack_id, 1, 5)) FROM test_templates").Row(&parents)
	if rep.Created != 209 || ids != 209 || padded != 0 || parents != 95 {
		t.Fatalf("created %d, distinct ids %d, padded %d, parents %d", rep.Created, ids, padded, parents)
	}
	again, err := caldera.Import(context.Background(), app, testsrc.TarGz(path), importers.Options{})
	if err != nil || !again.NoChange || again.Unchanged != 209 {
		t.Fatalf("re-import: %v %+v", err, again)
	}
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
			if tpl.SourceID == "" || tpl.Name == "" || len(tpl.Executor.Variants) == 0 {
				t.Fatalf("invalid template accepted: %+v", tpl)
			}
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
	if err != nil || rep.Created != 209 || rep.Counts["adversaries"] != 27 || len(rep.FileErrors) != 0 {
		t.Fatalf("%v %+v", err, rep)
	}
}
