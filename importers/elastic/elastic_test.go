package elastic_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
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
	if r.SourceRuleID != "aaaaaaaa-0000-4000-8000-000000000001" || r.Title != "Encoded PowerShell" || r.Severity != "medium" ||
		r.Status != "stable" || r.Author != "Elastic" {
		t.Fatalf("fields %+v", r)
	}
	if !slices.Equal(r.Techniques, []string{"T1059", "T1059.001"}) || !slices.Equal(r.Tactics, []string{"execution"}) ||
		!slices.Equal(r.Platforms, []string{"windows"}) {
		t.Fatalf("mappings %v %v %v", r.Techniques, r.Tactics, r.Platforms)
	}
	if r.Meta["risk_score"] != int64(47) || r.Meta["language"] != "eql" || !strings.Contains(r.Meta["query"].(string), "powershell") ||
		r.Meta["creation_date"] != "2022-04-12" {
		t.Fatalf("meta %v", r.Meta)
	}
	dep, err := elastic.Parse("x.toml", []byte(strings.Replace(ruleA, `"production"`, `"deprecated"`, 1)))
	if err != nil || dep.Status != "deprecated" {
		t.Fatalf("deprecated: %v %v", dep.Status, err)
	}
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
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
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
	if rep.Created != 2 || len(rep.FileErrors) != 1 || rep.FileErrors[0].Path != "bad.toml" {
		t.Fatalf("report %+v", rep)
	}
	linked, _ := app.CountRecords(collections.DetectionRules, dbx.NewExp("json_array_length(techniques) = 2"))
	if linked != 2 {
		t.Fatalf("linked = %d", linked)
	}
	os.Remove(filepath.Join(dir, "b.toml"))
	rep, err = elastic.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	if rep.Removed != 1 || rep.Unchanged != 1 {
		t.Fatalf("after delete %+v", rep)
	}
	removed, _ := app.CountRecords(collections.DetectionRules, dbx.HashExp{"removed": true, "source_rule_id": "aaaaaaaa-0000-4000-8000-000000000002"})
	if removed != 1 {
		t.Fatal("deleted rule not marked removed")
	}
}

// TestSharedCorpus imports the real elastic/detection-rules snapshot.
func TestSharedCorpus(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedEnterprise(t, app)
	ctx := context.Background()
	rep, err := elastic.Import(ctx, app, contenttest.Shared(t, "elastic-detection-rules.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("elastic corpus: %d files, %d created in %.2fs, %d skipped", rep.Files, rep.Created, rep.Seconds, len(rep.Skipped))
	if rep.Files != 1577 || rep.Created != 1577 || len(rep.FileErrors) != 0 {
		t.Fatalf("files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	}
	if rep.Counts["technique_mapped"] != 1477 || rep.Deprecated != 124 {
		t.Fatalf("technique-mapped %d (README 1477), deprecated %d (README 124)", rep.Counts["technique_mapped"], rep.Deprecated)
	}
	dep, _ := app.CountRecords(collections.DetectionRules, dbx.HashExp{"status": "deprecated"})
	if dep != 124 {
		t.Fatalf("deprecated status = %d", dep)
	}
	var distinct int
	if err := app.DB().NewQuery(`SELECT count(DISTINCT j.value) FROM detection_rules r,
		json_each(json_extract(r.meta, '$.threat')) th, json_each(json_extract(th.value, '$.techniques')) j`).Row(&distinct); err != nil {
		t.Fatal(err)
	}
	if distinct != 364 {
		t.Fatalf("distinct technique and sub-technique ids = %d, README says 364", distinct)
	}
	again, err := elastic.Import(ctx, app, contenttest.Shared(t, "elastic-detection-rules.tar.gz"), importers.Options{})
	require.NoError(t, err)
	if !again.NoChange || again.Unchanged != 1577 {
		t.Fatalf("re-import %+v", again)
	}
}
