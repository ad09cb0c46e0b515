package attackref_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/compliance"
	"github.com/aegis-sec/aegis/importers/d3fend"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func count(t *testing.T, app core.App, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, app.DB().NewQuery(sql).Row(&n), sql)
	return n
}

type loader func(t *testing.T, app core.App) *importers.Report

func imp(name string, f importers.Func, spec string) loader {
	return func(t *testing.T, app core.App) *importers.Report {
		t.Helper()
		rep, err := f(context.Background(), app, contenttest.Shared(t, spec), importers.Options{})
		require.NoError(t, err, name)
		return rep
	}
}

var (
	enterprise = imp("attack", attack.Import, filepath.Join("attack", "enterprise-attack-18.1.json.gz"))
	sigmaRules = imp("sigma", sigma.Import, "sigma-rules.tar.gz")
	atomics    = imp("atomic", atomic.Import, "atomic-red-team-atomics.tar.gz")
	nist       = imp("compliance", compliance.Import, "ctid-mappings-explorer-nist-800-53-r5.tar.gz")
	d3fendMaps = imp("d3fend", d3fend.Import, "d3fend-0.14.0-attack-mappings.tar.gz")
)

// links is every stored reference, as ATT&CK ids, so two databases compare.
func links(t *testing.T, app core.App) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, sql := range map[string]string{
		"mapped rules":             `SELECT COUNT(*) FROM detection_rules WHERE json_array_length(techniques) > 0`,
		"rule links":               `SELECT COUNT(*) FROM detection_rules r, json_each(r.techniques) j`,
		"rules naming unknown ids": `SELECT COUNT(*) FROM detection_rules WHERE json_array_length(unknown_techniques) > 0`,
		"linked templates":         `SELECT COUNT(*) FROM test_templates WHERE technique != ''`,
		"control mappings":         `SELECT COUNT(*) FROM control_mappings`,
		"d3fend mappings":          `SELECT COUNT(*) FROM d3fend_mappings`,
		"distinct rule techniques": `SELECT COUNT(DISTINCT t.attack_id) FROM detection_rules r, json_each(r.techniques) j JOIN techniques t ON t.id = j.value`,
	} {
		out[name] = count(t, app, sql)
	}
	return out
}

// TestImportOrderDoesNotMatter loads the real Sigma, Atomic, NIST 800-53 and
// D3FEND corpora before and after ATT&CK 18.1: both orders end with the
// same links, and the catalogue import's changelog says how many it resolved.
func TestImportOrderDoesNotMatter(t *testing.T) {
	content := []loader{sigmaRules, atomics, nist, d3fendMaps}

	first := testutil.NewApp(t)
	plain := enterprise(t, first)
	for _, l := range content {
		l(t, first)
	}
	want := links(t, first)

	later := testutil.NewApp(t)
	for _, l := range content {
		l(t, later)
	}
	before := links(t, later)
	assert.Zero(t, before["mapped rules"], "no catalogue yet: nothing can be linked")
	assert.Zero(t, before["control mappings"])
	pending := count(t, later, `SELECT COUNT(*) FROM pending_attack_refs`)
	require.Positive(t, pending, "mappings wait for their technique")
	rep := enterprise(t, later)
	require.False(t, rep.NoChange)
	t.Logf("ATT&CK 18.1 import: %.2fs into an empty appliance, %.2fs resolving %d pending references and the content's unknown ids",
		plain.Seconds, rep.Seconds, pending)
	got := links(t, later)
	assert.Equal(t, want, got, "Sigma/Atomic/NIST/D3FEND before ATT&CK gives the same links as after")
	assert.Equal(t, 2795, want["mapped rules"]+count(t, first,
		`SELECT COUNT(*) FROM detection_rules WHERE json_array_length(techniques) = 0 AND json_array_length(unknown_techniques) > 0`),
		"README: 2,795 rules carry technique tags")
	t.Logf("links either order: %v; pending before ATT&CK: %d", got, pending)

	var changes string
	require.NoError(t, later.DB().NewQuery(`SELECT changes FROM attack_releases ORDER BY imported_at DESC LIMIT 1`).Row(&changes))
	var c attack.Changes
	require.NoError(t, json.Unmarshal([]byte(changes), &c))
	assert.Equal(t, want["mapped rules"], c.Resolved.Rules, "changelog: rules resolved")
	assert.Equal(t, want["linked templates"], c.Resolved.Templates, "changelog: templates linked")
	assert.Equal(t, want["control mappings"], c.Resolved.ControlMappings)
	assert.Equal(t, want["d3fend mappings"], c.Resolved.D3fendMappings)
	assert.Equal(t, want["rules naming unknown ids"], c.Resolved.StillUnknownRules)
	// Only ids ATT&CK 18.1 lacks stay pending.
	assert.Zero(t, count(t, later, `SELECT COUNT(*) FROM pending_attack_refs WHERE attack_id IN (SELECT attack_id FROM techniques)`))
	assert.Zero(t, count(t, later, `SELECT COUNT(*) FROM detection_rules r, json_each(r.unknown_techniques) u
		WHERE u.value IN (SELECT attack_id FROM techniques)`), "no id stays unknown that the catalogue has")

	// Re-importing everything changes nothing in either order.
	again := enterprise(t, later)
	assert.True(t, again.NoChange, "same release again")
	for _, l := range []loader{sigmaRules, nist} {
		r := l(t, later)
		assert.True(t, r.NoChange, "%s re-import after resolution: %+v", r.Kind, r)
	}
}

// oldRelease writes "ATT&CK 15.1" derived from the real 18.1 bundle by one
// documented transformation: every technique 18.1 revokes is still active
// (revoked flag cleared, its revoked-by relationship dropped). That is what
// an older release looked like for those ids; the upgrade to the real 18.1
// then revokes them all at once.
func oldRelease(t *testing.T) (string, int) {
	t.Helper()
	var bundle map[string]any
	decodeEnterprise(t, &bundle)
	objs := bundle["objects"].([]any)
	kept := make([]any, 0, len(objs))
	revoked := map[string]bool{}
	for _, o := range objs {
		m := o.(map[string]any)
		if m["type"] == "attack-pattern" && m["revoked"] == true {
			revoked[m["id"].(string)] = true
			m["revoked"] = false
		}
	}
	for _, o := range objs {
		m := o.(map[string]any)
		if m["type"] == "relationship" && m["relationship_type"] == "revoked-by" && revoked[m["source_ref"].(string)] {
			continue
		}
		if m["type"] == "x-mitre-collection" {
			m["x_mitre_version"] = "15.1"
		}
		kept = append(kept, m)
	}
	bundle["objects"] = kept
	out := filepath.Join(t.TempDir(), "enterprise-attack-15.1.json")
	b, err := json.Marshal(bundle)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, b, 0o600))
	return out, len(revoked)
}

// olderContent is the real Sigma and Atomic corpora as they were written
// against the older release: where 18.1 revoked technique X in favour of S,
// content that names S today named X then. The transformation rewrites the
// technique tags (Sigma `attack.tS`, Atomic `attack_technique: S`) from S to
// X for one revoked X per successor S, and nothing else.
func olderContent(t *testing.T, succ map[string]string) (sigmaSrc, atomicSrc source.Source, renamed int) {
	t.Helper()
	back := map[string]string{} // successor → one revoked predecessor (lowest id)
	for x, s := range succ {
		if cur, ok := back[s]; !ok || x < cur {
			back[s] = x
		}
	}
	tag := regexp.MustCompile(`(?i)\battack\.(t\d{4}(?:\.\d{3})?)\b`)
	atomicTag := regexp.MustCompile(`(?m)^attack_technique:\s*(T\d{4}(?:\.\d{3})?)\s*$`)
	rewrite := func(files []contenttest.File, re *regexp.Regexp, repl func(x string) string) []contenttest.File {
		for i, f := range files {
			files[i].Data = re.ReplaceAllFunc(f.Data, func(m []byte) []byte {
				sub := re.FindSubmatch(m)
				id := strings.ToUpper(string(sub[1]))
				x, ok := back[id]
				if !ok {
					return m
				}
				renamed++
				return []byte(strings.Replace(string(m), string(sub[1]), repl(x), 1))
			})
		}
		return files
	}
	all := func(string) bool { return true }
	sf := rewrite(contenttest.ReadAll(t, contenttest.Shared(t, "sigma-rules.tar.gz"), all), tag, strings.ToLower)
	af := rewrite(contenttest.ReadAll(t, contenttest.Shared(t, "atomic-red-team-atomics.tar.gz"), all), atomicTag,
		func(x string) string { return x })
	return &contenttest.Memory{Name: "sigma-rules (older ATT&CK ids)", Files: sf},
		&contenttest.Memory{Name: "atomics (older ATT&CK ids)", Files: af}, renamed
}

// TestUpgradeMovesReferencesOffRevoked loads Sigma, Atomic and NIST
// mappings written against the older release, upgrades to 18.1, and checks
// that no rule, template or mapping is left on a technique 18.1 revoked in
// favour of a successor, and that the result equals loading today's content
// over 18.1.
func TestUpgradeMovesReferencesOffRevoked(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	old, nRevoked := oldRelease(t)
	rep, err := attack.Import(ctx, app, contenttest.Open(t, old), importers.Options{})
	require.NoError(t, err)
	require.Equal(t, "15.1", rep.Version)
	require.Zero(t, count(t, app, `SELECT COUNT(*) FROM techniques WHERE revoked = TRUE`))
	sigmaOld, atomicOld, renamed := olderContent(t, successors(t))
	require.Positive(t, renamed)
	_, err = sigma.Import(ctx, app, sigmaOld, importers.Options{})
	require.NoError(t, err)
	_, err = atomic.Import(ctx, app, atomicOld, importers.Options{})
	require.NoError(t, err)
	nist(t, app)

	onRevoked := func() map[string]int {
		return map[string]int{
			"rules": count(t, app, `SELECT COUNT(DISTINCT r.id) FROM detection_rules r, json_each(r.techniques) j
				JOIN techniques t ON t.id = j.value WHERE t.revoked = TRUE AND t.revoked_by != ''`),
			"templates": count(t, app, `SELECT COUNT(*) FROM test_templates p JOIN techniques t ON t.id = p.technique
				WHERE t.revoked = TRUE AND t.revoked_by != ''`),
			"control mappings": count(t, app, `SELECT COUNT(*) FROM control_mappings m JOIN techniques t ON t.id = m.technique
				WHERE t.revoked = TRUE AND t.revoked_by != ''`),
		}
	}
	ids := "''"
	for x := range successors(t) {
		ids += ",'" + x + "'"
	}
	onSoonRevoked := count(t, app, `SELECT COUNT(DISTINCT r.id) FROM detection_rules r, json_each(r.techniques) j
		JOIN techniques t ON t.id = j.value WHERE t.attack_id IN (`+ids+`)`)
	templatesSoon := count(t, app, `SELECT COUNT(*) FROM test_templates p JOIN techniques t ON t.id = p.technique
		WHERE t.attack_id IN (`+ids+`)`)
	require.Positive(t, onSoonRevoked)
	require.Positive(t, templatesSoon)

	up := enterprise(t, app)
	require.Equal(t, "18.1", up.Version)
	require.Equal(t, nRevoked, count(t, app, `SELECT COUNT(*) FROM techniques WHERE revoked = TRUE`))
	assert.Equal(t, map[string]int{"rules": 0, "templates": 0, "control mappings": 0}, onRevoked(),
		"nothing stays on a revoked technique that has a successor")

	var changes string
	require.NoError(t, app.DB().NewQuery(`SELECT changes FROM attack_releases WHERE version = '18.1'`).Row(&changes))
	var c attack.Changes
	require.NoError(t, json.Unmarshal([]byte(changes), &c))
	assert.Len(t, c.Revoked, nRevoked)
	assert.Equal(t, onSoonRevoked, c.Resolved.MovedRules, "every rule on a soon-revoked id moved")
	assert.Equal(t, templatesSoon, c.Resolved.MovedTemplates, "every template on a soon-revoked id moved")
	t.Logf("upgrade 15.1 → 18.1: %d techniques revoked, %d content tags renamed; moved %d rules, %d templates, %d control mappings",
		nRevoked, renamed, c.Resolved.MovedRules, c.Resolved.MovedTemplates, c.Resolved.MovedControlMappings)

	// Loading today's content over 18.1 gives the same links.
	fresh := testutil.NewApp(t)
	enterprise(t, fresh)
	sigmaRules(t, fresh)
	atomics(t, fresh)
	nist(t, fresh)
	a, b := links(t, app), links(t, fresh)
	for _, k := range []string{"mapped rules", "rule links", "linked templates", "control mappings"} {
		assert.Equal(t, b[k], a[k], k)
	}
}

// decodeEnterprise decodes the shared Enterprise 18.1 bundle into v.
func decodeEnterprise(t *testing.T, v any) {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.SharedData(t), "attack", "enterprise-attack-18.1.json.gz"))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(zr).Decode(v))
}

// successors maps the ATT&CK ids of techniques 18.1 revokes to the ATT&CK id
// of their (active technique) successor.
func successors(t *testing.T) map[string]string {
	t.Helper()
	var b attack.Bundle
	decodeEnterprise(t, &b)
	aid := map[string]string{}
	active := map[string]bool{}
	for _, o := range b.Objects {
		if o.Type != "attack-pattern" {
			continue
		}
		for _, r := range o.ExternalReferences {
			if r.SourceName == "mitre-attack" && r.ExternalID != "" {
				aid[o.ID] = r.ExternalID
			}
		}
		active[o.ID] = !o.Revoked && !o.Deprecated
	}
	out := map[string]string{}
	for _, o := range b.Objects {
		if o.Type == "relationship" && o.RelationshipType == "revoked-by" && aid[o.SourceRef] != "" && active[o.TargetRef] {
			out[aid[o.SourceRef]] = aid[o.TargetRef]
		}
	}
	return out
}
