package attack_test

import (
	"archive/zip"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expected are the counts the shared data README lists for each bundle.
type expected struct {
	file, domain, version                            string
	techniques, subtechniques, activeTech, activeSub int
	tactics, groups, malware, tools, mitigations     int
	dataComponents, strategies, analytics            int
	relationships                                    map[string]int
	firstTactic, lastTactic                          string
}

var enterprise = expected{
	file: "enterprise-attack-18.1.json.gz", domain: "enterprise-attack", version: "18.1",
	techniques: 356, subtechniques: 479, activeTech: 216, activeSub: 475,
	tactics: 14, groups: 187, malware: 696, tools: 91, mitigations: 268,
	dataComponents: 109, strategies: 691, analytics: 1739,
	relationships: map[string]int{"uses": 17270, "mitigates": 1445, "detects": 691, "subtechnique-of": 477,
		"revoked-by": 140, "attributed-to": 25},
	firstTactic: "TA0043", lastTactic: "TA0040",
}

var mobile = expected{
	file: "mobile-attack-18.1.json.gz", domain: "mobile-attack", version: "18.1",
	techniques: 143, subtechniques: 47, activeTech: 77, activeSub: 47,
	tactics: 14, groups: 17, malware: 121, tools: 2, mitigations: 15,
	dataComponents: 17, strategies: 124, analytics: 211,
	relationships: map[string]int{"uses": 1420, "mitigates": 167, "detects": 124, "revoked-by": 52,
		"subtechnique-of": 47, "attributed-to": 1},
	firstTactic: "TA0027", lastTactic: "TA0039",
}

var mobile21 = expected{
	file: "mobile-attack-17.1.stix21.json.gz", domain: "mobile-attack", version: "17.1",
	techniques: 142, subtechniques: 46, activeTech: 75, activeSub: 46,
	tactics: 14, groups: 15, malware: 117, tools: 2, mitigations: 15,
	dataComponents: 17, strategies: 0, analytics: 0,
	relationships: map[string]int{"uses": 1338, "detects": 168, "mitigates": 163, "revoked-by": 50,
		"subtechnique-of": 46, "attributed-to": 1},
	firstTactic: "TA0027", lastTactic: "TA0039",
}

// check compares the database and the report with the README's counts.
func check(t *testing.T, app core.App, rep *importers.Report, e expected) {
	t.Helper()
	d := "'" + e.domain + "'"
	eq := func(what string, got, want int) {
		t.Helper()
		assert.EqualValuesf(t, want, got, "%s %s: got %d, want %d", e.file, what, got, want)
	}
	eq("techniques", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND is_subtechnique=0"), e.techniques)
	eq("sub-techniques", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND is_subtechnique=1"), e.subtechniques)
	eq("active techniques", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND is_subtechnique=0 AND revoked=0 AND deprecated=0"), e.activeTech)
	eq("active sub-techniques", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND is_subtechnique=1 AND revoked=0 AND deprecated=0"), e.activeSub)
	eq("sub-techniques without parent", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND is_subtechnique=1 AND parent=''"), 0)
	eq("techniques in scope", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND in_scope=1"), e.techniques+e.subtechniques)
	eq("active techniques without tactic", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND revoked=0 AND deprecated=0 AND tactics='[]'"), 0)
	eq("tactics", count(t, app, "SELECT count(*) FROM tactics WHERE domain="+d), e.tactics)
	eq("groups", count(t, app, "SELECT count(*) FROM threat_actors"), e.groups)
	eq("malware", count(t, app, "SELECT count(*) FROM software WHERE kind='malware'"), e.malware)
	eq("tools", count(t, app, "SELECT count(*) FROM software WHERE kind='tool'"), e.tools)
	eq("mitigations", count(t, app, "SELECT count(*) FROM mitigations"), e.mitigations)
	eq("data components", count(t, app, "SELECT count(*) FROM data_components"), e.dataComponents)
	eq("detection strategies", count(t, app, "SELECT count(*) FROM detection_strategies"), e.strategies)
	eq("analytics", count(t, app, "SELECT coalesce(sum(json_array_length(analytics)),0) FROM detection_strategies"), e.analytics)
	for typ, n := range e.relationships {
		eq("relationships "+typ+" (report)", rep.Counts["relationship/"+typ], n)
	}
	eq("techniques (report)", rep.Counts["attack-pattern"], e.techniques+e.subtechniques)
	eq("groups (report)", rep.Counts["intrusion-set"], e.groups)

	// Relationship-derived rows against an independent count of the bundle.
	pairs, swTech, swActor, revokedBy := relationshipFacts(t, e.file)
	eq("revoked techniques with successor", count(t, app, "SELECT count(*) FROM techniques WHERE domain="+d+" AND revoked=1 AND revoked_by!=''"), revokedBy)
	eq("actor_techniques (distinct group/technique uses)", count(t, app, "SELECT count(*) FROM actor_techniques"), pairs)
	eq("software→technique links", count(t, app, "SELECT coalesce(sum(json_array_length(techniques)),0) FROM software"), swTech)
	eq("software→group links", count(t, app, "SELECT coalesce(sum(json_array_length(actors)),0) FROM software"), swActor)
	eq("mitigates links", count(t, app, "SELECT coalesce(sum(json_array_length(techniques)),0) FROM mitigations"), e.relationships["mitigates"])
	eq("procedures with text", count(t, app, "SELECT count(*) FROM actor_techniques WHERE procedure=''"), 0)

	var first, last string
	app.DB().NewQuery("SELECT attack_id FROM tactics WHERE domain=" + d + " ORDER BY matrix_order LIMIT 1").Row(&first)
	app.DB().NewQuery("SELECT attack_id FROM tactics WHERE domain=" + d + " ORDER BY matrix_order DESC LIMIT 1").Row(&last)
	assert.EqualValuesf(t, e.firstTactic, first, "%s: matrix columns run %s … %s, want %s … %s", e.file, first, last, e.firstTactic, e.lastTactic)
	assert.EqualValuesf(t, e.lastTactic, last, "%s: matrix columns run %s … %s, want %s … %s", e.file, first, last, e.firstTactic, e.lastTactic)
	assert.EqualValuesf(t, e.version, rep.Version, "%s: version %q, want %q", e.file, rep.Version, e.version)
	var rel struct {
		Domain  string `db:"domain"`
		Version string `db:"version"`
	}
	err := app.DB().NewQuery("SELECT domain, version FROM attack_releases ORDER BY imported_at DESC LIMIT 1").One(&rel)
	assert.NoErrorf(t, err, "%s: release row %+v %v", e.file, rel, err)
	assert.EqualValuesf(t, e.domain, rel.Domain, "%s: release row %+v %v", e.file, rel, err)
	assert.EqualValuesf(t, e.version, rel.Version, "%s: release row %+v %v", e.file, rel, err)
}

// relationshipFacts counts, straight from the bundle, distinct group →
// technique pairs and software links.
func relationshipFacts(t *testing.T, file string) (pairs, swTech, swActor, revokedBy int) {
	t.Helper()
	f, err := os.Open(shared(t, file))
	require.NoError(t, err)
	defer f.Close()
	zr, _ := gzip.NewReader(f)
	var b struct {
		Objects []struct{ Type, Relationship_type, Source_ref, Target_ref string }
	}
	require.NoError(t, json.NewDecoder(zr).Decode(&b))
	typ := func(id string) string { return id[:len(id)-len(id[len(id)-38:])] }
	p, st, sa, rb := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, o := range b.Objects {
		if o.Type != "relationship" {
			continue
		}
		s, g := typ(o.Source_ref), typ(o.Target_ref)
		if o.Relationship_type == "revoked-by" && s == "attack-pattern" && g == "attack-pattern" {
			rb[o.Source_ref] = true
		}
		if o.Relationship_type != "uses" {
			continue
		}
		switch {
		case s == "intrusion-set" && g == "attack-pattern":
			p[o.Source_ref+o.Target_ref] = true
		case (s == "malware" || s == "tool") && g == "attack-pattern":
			st[o.Source_ref+o.Target_ref] = true
		case s == "intrusion-set" && (g == "malware" || g == "tool"):
			sa[o.Source_ref+o.Target_ref] = true
		}
	}
	return len(p), len(st), len(sa), len(rb)
}

func gunzip(t *testing.T, file string) []byte {
	t.Helper()
	f, err := os.Open(shared(t, file))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	b, err := io.ReadAll(zr)
	require.NoError(t, err)
	return b
}

// TestRealBundles imports the shared bundles from every kind of source.
// Archives are built in a temp dir from the shared file, never stored.
func TestRealBundles(t *testing.T) {
	for _, e := range []expected{mobile, mobile21, enterprise} {
		raw := gunzip(t, e.file)
		dir := t.TempDir()
		name := e.file[:len(e.file)-3]
		plain := filepath.Join(dir, name)
		os.WriteFile(plain, raw, 0o644)
		zipPath := filepath.Join(dir, "bundle.zip")
		zf, _ := os.Create(zipPath)
		zw := zip.NewWriter(zf)
		w, _ := zw.Create("attack/" + name)
		w.Write(raw)
		zw.Close()
		zf.Close()
		srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(shared(t, e.file)))))
		t.Cleanup(srv.Close)
		taxii := taxiiFromBundle(t, raw, 2000)

		sources := []struct{ name, spec string }{
			{"gz", shared(t, e.file)},
			{"plain", plain},
			{"zip", zipPath},
			{"http", srv.URL + "/" + e.file},
			{"taxii21", "taxii+" + taxii.URL + "/api/v21/collections/" + e.domain + "/"},
		}
		for _, s := range sources {
			t.Run(e.file+"/"+s.name, func(t *testing.T) {
				if testing.Short() && e.domain == "enterprise-attack" && s.name != "gz" {
					t.Skip("enterprise from every source kind is slow; run without -short")
				}
				app := testutil.NewApp(t)
				rep := mustImport(t, app, s.spec)
				want := e
				if s.name == "taxii21" && e.version != "17.1" {
					want.version = "unknown" // TAXII pages carry no file name, and STIX 2.0 bundles no collection object
				}
				check(t, app, rep, want)
			})
		}
	}
}

// taxiiFromBundle serves the objects of raw as a TAXII 2.1 collection in
// pages of size objects.
func taxiiFromBundle(t *testing.T, raw []byte, size int) *httptest.Server {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	require.NoError(t, json.Unmarshal(raw, &b))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("next"))
		end := min(start+size, len(b.Objects))
		page := map[string]any{"more": end < len(b.Objects), "objects": b.Objects[start:end]}
		if end < len(b.Objects) {
			page["next"] = strconv.Itoa(end)
		}
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestReimportWritesNothing: the second import of the same bundle reports
// everything unchanged and touches no row.
func TestReimportWritesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	path := shared(t, mobile.file)
	first := mustImport(t, app, path)
	require.NotEqualValuesf(t, 0, first.Created, "first import created nothing: %+v", first)
	require.Falsef(t, first.NoChange, "first import created nothing: %+v", first)
	state := func() string {
		var out string
		for _, c := range []string{"tactics", "techniques", "data_components", "mitigations", "detection_strategies",
			"threat_actors", "actor_techniques", "software", "attack_releases", "audit_logs"} {
			var n int
			var max string
			app.DB().NewQuery("SELECT count(*), coalesce(max(updated),'') FROM "+c).Row(&n, &max)
			out += fmt.Sprintf("%s=%d@%s ", c, n, max)
		}
		return out
	}
	before := state()
	again := mustImport(t, app, path)
	require.Truef(t, again.NoChange, "re-import: %+v (first created %d)", again, first.Created)
	require.EqualValuesf(t, 0, again.Created, "re-import: %+v (first created %d)", again, first.Created)
	require.EqualValuesf(t, 0, again.Updated, "re-import: %+v (first created %d)", again, first.Created)
	require.EqualValuesf(t, first.Created, again.Unchanged, "re-import: %+v (first created %d)", again, first.Created)
	after := state()
	require.EqualValuesf(t, before, after, "re-import wrote:\nbefore %s\nafter  %s", before, after)
	// The same content over TAXII in small pages is also unchanged.
	taxii := taxiiFromBundle(t, gunzip(t, mobile.file), 500)
	rep, err := importSpec(t, app, "taxii+"+taxii.URL+"/api/v21/collections/mobile/", source.Options{})
	require.NoErrorf(t, err, "TAXII re-import: %+v %v", rep, err)
	require.Truef(t, rep.NoChange, "TAXII re-import: %+v %v", rep, err)
	_ = context.Background
}
