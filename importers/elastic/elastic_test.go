package elastic_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/elastic"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

const ruleA = `[metadata]
creation_date = "2022/04/12"
integration = ["endpoint"]
maturity = "production"
updated_date = "2024/01/16"

[rule]
author = ["Elastic"]
description = "Detects encoded PowerShell."
index = ["logs-endpoint.events.*"]
language = "eql"
name = "Encoded PowerShell"
risk_score = 47
rule_id = "aaaaaaaa-0000-4000-8000-000000000001"
severity = "medium"
tags = ["OS: Windows", "Tactic: Execution"]
type = "eql"
query = '''
process where process.name == "powershell.exe" and process.args : "-enc"
'''

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1059"
name = "Command and Scripting Interpreter"
[[rule.threat.technique.subtechnique]]
id = "T1059.001"
name = "PowerShell"

[rule.threat.tactic]
id = "TA0002"
name = "Execution"
`

func TestParse(t *testing.T) {
	r, err := elastic.Parse("rules/windows/a.toml", []byte(ruleA))
	require.NoError(t, err)
	require.EqualValuesf(t, "aaaaaaaa-0000-4000-8000-000000000001", r.SourceRuleID, "fields %+v", r)
	require.Falsef(t, r.Title != "Encoded PowerShell", "fields %+v", r)
	require.EqualValuesf(t, "medium", r.Severity, "fields %+v", r)
	require.EqualValuesf(t, "stable", r.Status, "fields %+v", r)
	require.EqualValuesf(t, "Elastic", r.Author, "fields %+v", r)
	require.Equalf(t, []string{"T1059", "T1059.001"}, r.Techniques, "mappings %v %v %v", r.Techniques, r.Tactics, r.Platforms)
	require.Equalf(t, []string{"execution"}, r.Tactics, "mappings %v %v %v", r.Techniques, r.Tactics, r.Platforms)
	require.Equalf(t, []string{"windows"}, r.Platforms, "mappings %v %v %v", r.Techniques, r.Tactics, r.Platforms)
	require.EqualValuesf(t, int64(47), r.Meta["risk_score"], "meta %v", r.Meta)
	require.EqualValuesf(t, "eql", r.Meta["language"], "meta %v", r.Meta)
	require.Containsf(t, r.Meta["query"].(string), "powershell", "meta %v", r.Meta)
	require.EqualValuesf(t, "2022-04-12", r.Meta["creation_date"], "meta %v", r.Meta)
	dep, err := elastic.Parse("x.toml", []byte(strings.Replace(ruleA, `"production"`, `"deprecated"`, 1)))
	require.NoErrorf(t, err, "deprecated: %v %v", dep.Status, err)
	require.EqualValuesf(t, "deprecated", dep.Status, "deprecated: %v %v", dep.Status, err)
}

func TestParseRejects(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"invalid toml", "[rule\nname = 1", "invalid TOML"},
		{"no rule table", "[metadata]\nmaturity = \"production\"\n", "no [rule]"},
		{"no id", "[rule]\nname = \"x\"\n", "no rule_id"},
		{"no name", "[rule]\nrule_id = \"x\"\n", "no name"},
		{"wrong type", "[rule]\nrule_id = \"x\"\nname = \"n\"\nrisk_score = \"high\"\n", "wrong field type"},
		{"wrong type tags", "[rule]\nrule_id = \"x\"\nname = \"n\"\ntags = \"a\"\n", "wrong field type"},
		{"huge", "[rule]\nname = \"" + strings.Repeat("x", elastic.MaxFileSize) + "\"\n", "too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := elastic.Parse("x.toml", []byte(c.doc))
			require.NotNilf(t, err, "err = %v, want %q", err, c.want)
			require.Falsef(t, !strings.Contains(err.Error(), c.want), "err = %v, want %q", err, c.want)
		})
	}
}

func TestImportRemovedAndBadFiles(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedTechniques(t, app, "T1059", "T1059.001")
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("a.toml", ruleA)
	write("b.toml", strings.Replace(ruleA, "000000000001", "000000000002", 1))
	write("bad.toml", "[rule\n")
	ctx := context.Background()
	rep, err := elastic.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 2, rep.Created, "report %+v", rep)
	require.Lenf(t, rep.FileErrors, 1, "report %+v", rep)
	require.EqualValuesf(t, "bad.toml", rep.FileErrors[0].Path, "report %+v", rep)
	linked, _ := app.CountRecords(collections.DetectionRules, dbx.NewExp("json_array_length(techniques) = 2"))
	require.EqualValuesf(t, 2, linked, "linked = %d", linked)
	os.Remove(filepath.Join(dir, "b.toml"))
	rep, err = elastic.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 1, rep.Removed, "after delete %+v", rep)
	require.EqualValuesf(t, 1, rep.Unchanged, "after delete %+v", rep)
	removed, _ := app.CountRecords(collections.DetectionRules, dbx.HashExp{"removed": true, "source_rule_id": "aaaaaaaa-0000-4000-8000-000000000002"})
	require.EqualValues(t, 1, removed, "deleted rule not marked removed")
}

// TestSharedCorpus imports the real elastic/detection-rules snapshot.
func TestSharedCorpus(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedEnterprise(t, app)
	ctx := context.Background()
	rep, err := elastic.Import(ctx, app, contenttest.Shared(t, "elastic-detection-rules.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("elastic corpus: %d files, %d created in %.2fs, %d skipped", rep.Files, rep.Created, rep.Seconds, len(rep.Skipped))
	require.EqualValuesf(t, 1577, rep.Files, "files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	require.EqualValuesf(t, 1577, rep.Created, "files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	require.Lenf(t, rep.FileErrors, 0, "files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	require.EqualValuesf(t, 1477, rep.Counts["technique_mapped"], "technique-mapped %d (README 1477), deprecated %d (README 124)", rep.Counts["technique_mapped"], rep.Deprecated)
	require.EqualValuesf(t, 124, rep.Deprecated, "technique-mapped %d (README 1477), deprecated %d (README 124)", rep.Counts["technique_mapped"], rep.Deprecated)
	dep, _ := app.CountRecords(collections.DetectionRules, dbx.HashExp{"status": "deprecated"})
	require.EqualValuesf(t, 124, dep, "deprecated status = %d", dep)
	var distinct int
	if err := app.DB().NewQuery(`SELECT count(DISTINCT j.value) FROM detection_rules r,
		json_each(json_extract(r.meta, '$.threat')) th, json_each(json_extract(th.value, '$.techniques')) j`).Row(&distinct); err != nil {
		t.Fatal(err)
	}
	require.EqualValuesf(t, 364, distinct, "distinct technique and sub-technique ids = %d, README says 364", distinct)
	again, err := elastic.Import(ctx, app, contenttest.Shared(t, "elastic-detection-rules.tar.gz"), importers.Options{})
	require.NoError(t, err)
	require.Truef(t, again.NoChange, "re-import %+v", again)
	require.EqualValuesf(t, 1577, again.Unchanged, "re-import %+v", again)
}
