package sigma_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

const ruleA = `title: Suspicious PowerShell
id: 11111111-1111-4111-8111-111111111111
status: test
description: Detects encoded PowerShell
author: Jane Doe
date: 2023-01-02
modified: 2024/03/04
references:
    - https://example.org/a
tags:
    - attack.execution
    - attack.t1059.001
    - attack.g0016
    - attack.s0154
    - cve.2021-44228
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        CommandLine|contains: ' -enc '
    condition: sel
falsepositives:
    - Admin scripts
level: high
`

const multiDoc = `action: global
title: Multi Variant
id: 22222222-2222-4222-8222-222222222222
status: experimental
level: medium
tags:
    - attack.t1048.003
detection:
    condition: selection
---
logsource:
    category: dns
detection:
    selection:
        query: '*'
---
logsource:
    category: firewall
detection:
    selection:
        dst_port: 53
`

func TestParse(t *testing.T) {
	rules, err := sigma.Parse("rules/a.yml", []byte(ruleA))
	require.NoError(t, err)
	require.Lenf(t, rules, 1, "rules = %d", len(rules))
	r := rules[0]
	require.EqualValuesf(t, "11111111-1111-4111-8111-111111111111", r.SourceRuleID, "fields: %+v", r)
	require.Falsef(t, r.Title != "Suspicious PowerShell", "fields: %+v", r)
	require.EqualValuesf(t, "high", r.Severity, "fields: %+v", r)
	require.EqualValuesf(t, "test", r.Status, "fields: %+v", r)
	require.Falsef(t, r.Author != "Jane Doe", "fields: %+v", r)
	require.Equalf(t, []string{"T1059.001"}, r.Techniques, "techniques %v tactics %v", r.Techniques, r.Tactics)
	require.Equalf(t, []string{"execution"}, r.Tactics, "techniques %v tactics %v", r.Techniques, r.Tactics)
	require.Equalf(t, []string{"G0016"}, r.Meta["groups"].([]string), "meta %v", r.Meta)
	require.Equalf(t, []string{"S0154"}, r.Meta["software"].([]string), "meta %v", r.Meta)
	require.EqualValuesf(t, "2023-01-02", r.Meta["date"], "dates/platforms %v %v", r.Meta, r.Platforms)
	require.EqualValuesf(t, "2024-03-04", r.Meta["modified"], "dates/platforms %v %v", r.Meta, r.Platforms)
	require.Equalf(t, []string{"windows"}, r.Platforms, "dates/platforms %v %v", r.Meta, r.Platforms)
	require.EqualValues(t, ruleA, r.Content, "content must be the raw file")

	rules, err = sigma.Parse("rules/m.yml", []byte(multiDoc))
	require.NoError(t, err)
	require.Lenf(t, rules, 2, "variants = %d", len(rules))
	require.EqualValuesf(t, "22222222-2222-4222-8222-222222222222#1", rules[0].SourceRuleID, "variant ids %s %s", rules[0].SourceRuleID, rules[1].SourceRuleID)
	require.EqualValuesf(t, "22222222-2222-4222-8222-222222222222#2", rules[1].SourceRuleID, "variant ids %s %s", rules[0].SourceRuleID, rules[1].SourceRuleID)
	require.Falsef(t, rules[1].Title != "Multi Variant", "global not merged: %+v", rules[1])
	require.Equalf(t, []string{"T1048.003"}, rules[1].Techniques, "global not merged: %+v", rules[1])
	require.Containsf(t, rules[1].Content, "action: global", "variant content:\n%s", rules[1].Content)
	require.Containsf(t, rules[1].Content, "dst_port", "variant content:\n%s", rules[1].Content)
	require.NotContainsf(t, rules[1].Content, "query: '*'", "variant content:\n%s", rules[1].Content)
}

func TestParseRejects(t *testing.T) {
	bomb := "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
		prev = n
	}
	cases := []struct {
		name, doc, want string
	}{
		{"invalid yaml", "title: [unclosed\n", "invalid YAML"},
		{"no id", "title: x\ndetection: {condition: a}\n", "no id"},
		{"no title", "id: abc\ndetection: {condition: a}\n", "no title"},
		{"no detection", "id: abc\ntitle: x\n", "no detection"},
		{"wrong type title", "id: abc\ntitle: {a: b}\ndetection: {condition: a}\n", "wrong field type"},
		{"wrong type tags", "id: abc\ntitle: x\ntags: {a: b}\ndetection: {condition: a}\n", "wrong field type"},
		{"not a mapping", "- a\n- b\n", "expected a mapping"},
		{"alias bomb", bomb, "alias"},
		{"huge", "title: " + strings.Repeat("x", sigma.MaxFileSize) + "\n", "too large"},
		{"empty", "", "no YAML document"},
		{"broken variant", "action: global\nid: a\ntitle: b\n---\nfoo: [\n", "invalid YAML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sigma.Parse("x.yml", []byte(c.doc))
			require.NotNilf(t, err, "err = %v, want %q", err, c.want)
			require.Falsef(t, !strings.Contains(err.Error(), c.want), "err = %v, want %q", err, c.want)
		})
	}
}

func writeRules(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
}

func importDir(t *testing.T, app core.App, dir string) *importers.Report {
	t.Helper()
	rep, err := sigma.Import(context.Background(), app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	return rep
}

func rule(t *testing.T, app core.App, id string) *core.Record {
	t.Helper()
	r, err := app.FindFirstRecordByFilter(collections.DetectionRules, "source = 'sigma' && source_rule_id = {:id}", map[string]any{"id": id})
	require.NoError(t, err, "rule %s", id)
	return r
}

// TestImportLifecycle: bad files are named and skipped, links and unknown
// techniques, re-import no-op, enabled survives, removal and return.
func TestImportLifecycle(t *testing.T) {
	app := testutil.NewApp(t)
	techs := contenttest.SeedTechniques(t, app, "T1059.001", "T1048.003")
	dir := t.TempDir()
	dup := strings.Replace(ruleA, "Suspicious PowerShell", "Duplicate", 1)
	unknown := strings.Replace(strings.Replace(ruleA, "attack.t1059.001", "attack.t9999", 1),
		"11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333", 1)
	writeRules(t, dir, map[string]string{
		"a/rule_a.yml":   ruleA,
		"b/multi.yml":    multiDoc,
		"c/dup.yml":      dup,
		"d/unknown.yaml": unknown,
		"e/broken.yml":   "title: [\n",
		"e/noid.yml":     "title: x\ndetection: {condition: a}\n",
		"README.md":      "not a rule",
	})
	rep := importDir(t, app, dir)
	require.EqualValuesf(t, 4, rep.Created, "report: %+v", rep)
	require.EqualValuesf(t, 6, rep.Files, "report: %+v", rep)
	require.Lenf(t, rep.FileErrors, 2, "report: %+v", rep)
	for _, fe := range rep.FileErrors {
		require.Truef(t, strings.HasPrefix(fe.Path, "e/"), "file error %+v", fe)
		require.NotEmptyf(t, fe.Error, "file error %+v", fe)
	}
	var dupSeen, unknownSeen bool
	for _, s := range rep.Skipped {
		dupSeen = dupSeen || strings.Contains(s.Reason, "a/rule_a.yml") && strings.Contains(s.Reason, "c/dup.yml")
		unknownSeen = unknownSeen || s.Id == "33333333-3333-4333-8333-333333333333" && strings.Contains(s.Reason, "T9999")
	}
	require.Truef(t, dupSeen, "skipped: %+v", rep.Skipped)
	require.Truef(t, unknownSeen, "skipped: %+v", rep.Skipped)
	a := rule(t, app, "11111111-1111-4111-8111-111111111111")
	require.Falsef(t, a.GetString("title") != "Suspicious PowerShell", "rule a: title %q techniques %v", a.GetString("title"), a.GetStringSlice("techniques"))
	require.Equalf(t, []string{techs["T1059.001"]}, a.GetStringSlice("techniques"), "rule a: title %q techniques %v", a.GetString("title"), a.GetStringSlice("techniques"))
	require.NotEmptyf(t, a.GetString("content_hash"), "rule a fields: %v", a.FieldsData())
	require.EqualValuesf(t, "a/rule_a.yml", a.GetString("path"), "rule a fields: %v", a.FieldsData())
	require.EqualValuesf(t, "high", a.GetString("severity"), "rule a fields: %v", a.FieldsData())
	u := rule(t, app, "33333333-3333-4333-8333-333333333333")
	var unk []string
	err := u.UnmarshalJSONField("unknown_techniques", &unk)
	require.NoErrorf(t, err, "unknown techniques %v %v", unk, err)
	require.Equalf(t, []string{"T9999"}, unk, "unknown techniques %v %v", unk, err)

	// The blue team enables a rule through the normal record API.
	a.Set("enabled", true)
	require.NoError(t, app.Save(a))

	rep = importDir(t, app, dir)
	require.Truef(t, rep.NoChange, "re-import: %+v", rep)
	require.EqualValuesf(t, 4, rep.Unchanged, "re-import: %+v", rep)
	require.Falsef(t, rep.Created+rep.Updated+rep.Removed != 0, "re-import: %+v", rep)

	// Upstream deletes the multi-document file and changes rule a.
	os.Remove(filepath.Join(dir, "b/multi.yml"))
	writeRules(t, dir, map[string]string{"a/rule_a.yml": strings.Replace(ruleA, "level: high", "level: critical", 1)})
	rep = importDir(t, app, dir)
	require.EqualValuesf(t, 2, rep.Removed, "after delete: %+v", rep)
	require.EqualValuesf(t, 1, rep.Updated, "after delete: %+v", rep)
	require.EqualValuesf(t, 1, rep.Unchanged, "after delete: %+v", rep)
	a = rule(t, app, "11111111-1111-4111-8111-111111111111")
	require.True(t, a.GetBool("enabled"), "enabled must survive, severity updated: %v", a.FieldsData())
	require.EqualValues(t, "critical", a.GetString("severity"), "enabled must survive, severity updated: %v", a.FieldsData())
	require.False(t, !rule(t, app, "22222222-2222-4222-8222-222222222222#1").GetBool("removed"), "deleted variant must be marked removed")
	// A broken file does not retire the rules it used to hold.
	writeRules(t, dir, map[string]string{"d/unknown.yaml": "title: [\n"})
	rep = importDir(t, app, dir)
	require.EqualValuesf(t, 0, rep.Removed, "broken file retired its rule: %+v", rep)
	require.Falsef(t, rule(t, app, "33333333-3333-4333-8333-333333333333").GetBool("removed"), "broken file retired its rule: %+v", rep)
	// The file comes back: its rules are un-removed.
	writeRules(t, dir, map[string]string{"b/multi.yml": multiDoc})
	rep = importDir(t, app, dir)
	require.EqualValuesf(t, 2, rep.Updated, "reappeared: %+v", rep)
	require.Falsef(t, rule(t, app, "22222222-2222-4222-8222-222222222222#2").GetBool("removed"), "reappeared: %+v", rep)
	n, _ := app.CountRecords(collections.DetectionRules)
	require.EqualValuesf(t, 4, n, "rules = %d, nothing is ever deleted", n)
}
