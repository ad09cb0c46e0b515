package coverage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/navigator"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// demoApp imports the real Enterprise ATT&CK bundle and seeds the small demo.
func demoApp(t *testing.T) *tests.TestApp {
	t.Helper()
	app := testutil.NewApp(t)
	spec := filepath.Join(testutil.SharedData(t), "attack", "enterprise-attack-18.1.json.gz")
	src, err := source.Open(spec, source.Options{})
	require.NoError(t, err, "open %s", spec)
	if _, err := attack.Import(context.Background(), app, src, importers.Options{}); err != nil {
		t.Fatalf("import ATT&CK: %v", err)
	}
	rep, err := demo.Seed(app, "small")
	require.NoError(t, err, "demo")
	if rep.Counts["tests"] != demo.Sizes["small"].Tests || rep.Counts["detection_rules"] != demo.Sizes["small"].Rules {
		t.Fatalf("demo counts: %+v", rep.Counts)
	}
	return app
}

func TestDemoRequiresAttack(t *testing.T) {
	app := testutil.NewApp(t)
	if _, err := demo.Seed(app, "small"); err == nil || !strings.Contains(err.Error(), "import ATT&CK first") {
		t.Fatalf("want a clear error, got %v", err)
	}
	if _, err := demo.Seed(app, "huge"); err == nil {
		t.Fatal("unknown size accepted")
	}
}

func get(t *testing.T, url, token string, v any) testutil.Response {
	t.Helper()
	res := testutil.Do(t, http.MethodGet, url, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.Status, res.Body)
	}
	if v != nil {
		res.JSON(t, v)
	}
	return res
}

func TestCoverageOnRealAttackAndDemo(t *testing.T) {
	app := demoApp(t)
	srv := testutil.Serve(t, app)
	base := srv.URL + "/api/aegis"
	viewer := testutil.Users(t)["viewer"].Token
	if _, err := demo.Seed(app, "small"); err != demo.ErrAlreadySeeded {
		t.Fatalf("second seed: %v", err)
	}

	var m coverage.Matrix
	get(t, base+"/coverage/matrix", viewer, &m)
	if len(m.Tactics) != 14 || m.Tactics[0].Shortname != "reconnaissance" || m.Tactics[13].Shortname != "impact" {
		t.Fatalf("tactics in matrix order: %d, first %+v", len(m.Tactics), m.Tactics[0].Shortname)
	}
	if m.InScope < 150 || m.Score <= 0 || m.Score >= 100 {
		t.Fatalf("matrix headline: in scope %d score %v", m.InScope, m.Score)
	}
	// Revalidation: the same model answers 304 to its ETag.
	etag := get(t, base+"/coverage/matrix", viewer, nil).Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, base+"/coverage/matrix", nil)
	req.Header.Set("Authorization", viewer)
	req.Header.Set("If-None-Match", etag)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match %s: %v %v", etag, res, err)
	} else {
		res.Body.Close()
	}
	if res := testutil.Do(t, http.MethodGet, base+"/coverage/matrix", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous matrix: %d", res.Status)
	}
	if res := testutil.Do(t, http.MethodGet, base+"/coverage/matrix?domain=nope", viewer, nil); res.Status != http.StatusBadRequest {
		t.Fatalf("bad domain: %d", res.Status)
	}

	// A validated technique's breakdown explains the score exactly.
	var found string
	for _, ta := range m.Tactics {
		for _, tc := range ta.Techniques {
			for _, st := range tc.Subtechniques {
				if st.V != nil && found == "" {
					found = st.AttackID
				}
			}
		}
	}
	if found == "" {
		t.Fatal("no validated sub-technique in the demo")
	}
	var tech struct {
		Technique coverage.Score `json:"technique"`
		Parent    map[string]string
	}
	get(t, base+"/coverage/techniques/"+found, viewer, &tech)
	sum := 0.0
	for _, c := range tech.Technique.Breakdown {
		sum += c.Share
	}
	if math.Abs(sum-tech.Technique.Score) > 1e-6 || tech.Parent["attack_id"] == "" {
		t.Fatalf("%s: shares %v vs score %v, parent %v", found, sum, tech.Technique.Score, tech.Parent)
	}
	if res := testutil.Do(t, http.MethodGet, base+"/coverage/techniques/T0000", viewer, nil); res.Status != http.StatusNotFound {
		t.Fatalf("unknown technique: %d", res.Status)
	}

	// Live: recording a better outcome on a technique changes its cell at once.
	target := tech.Technique.TechniqueID
	before := tech.Technique.Score
	rec := setValidated(t, app, target)
	get(t, base+"/coverage/techniques/"+found, viewer, &tech)
	if tech.Technique.Score == before {
		t.Fatalf("score did not move after test %s was validated (still %v)", rec.Id, before)
	}

	var next struct{ Items []coverage.NextItem }
	get(t, base+"/coverage/next?limit=10", viewer, &next)
	if len(next.Items) != 10 || next.Items[0].Rank < next.Items[9].Rank {
		t.Fatalf("next: %+v", next.Items)
	}
	var actors struct{ Items []coverage.GroupScore }
	get(t, base+"/coverage/actors", viewer, &actors)
	if len(actors.Items) < 100 {
		t.Fatalf("actors: %d", len(actors.Items))
	}
	get(t, base+"/coverage/next?actor=G0016", viewer, &next)
	get(t, base+"/coverage/matrix?actor=G0016", viewer, &m)
	if m.Filter.Actor != "G0016" {
		t.Fatalf("actor filter: %+v", m.Filter)
	}
	var tac struct{ Items []coverage.GroupScore }
	get(t, base+"/coverage/tactics", viewer, &tac)
	if len(tac.Items) != 14 {
		t.Fatalf("tactics: %d", len(tac.Items))
	}
	var comp struct {
		Controls, Gaps int
		Items          []coverage.ControlGap
	}
	get(t, base+"/coverage/compliance/Demo%20Control%20Baseline", viewer, &comp)
	if comp.Controls != demo.Sizes["small"].Controls || comp.Gaps == 0 {
		t.Fatalf("compliance: %d controls %d gaps", comp.Controls, comp.Gaps)
	}
	var metrics coverage.Metrics
	get(t, base+"/metrics", viewer, &metrics)
	if metrics.Outcomes.Validated == 0 || metrics.DetectionRate <= 0 || metrics.TimeToDetect.Samples == 0 ||
		len(metrics.RulesBySource) != 4 || len(metrics.TestsByState) != 7 || metrics.Findings.Open+metrics.Findings.Closed == 0 {
		t.Fatalf("metrics: %+v", metrics)
	}

	// Snapshots: the demo back-filled weeks; take one now and compare.
	var trend coverage.Trend
	get(t, base+"/trends", viewer, &trend)
	if len(trend.Points) != demo.Sizes["small"].Snapshots || trend.Latest == nil {
		t.Fatalf("trend: %d points", len(trend.Points))
	}
	if res := testutil.Do(t, http.MethodPost, base+"/snapshots", viewer, map[string]string{}); res.Status != http.StatusForbidden {
		t.Fatalf("viewer snapshot: %d", res.Status)
	}
	res := testutil.Do(t, http.MethodPost, base+"/snapshots", testutil.Users(t)["blue_lead"].Token, map[string]string{"label": "now"})
	if res.Status != http.StatusOK {
		t.Fatalf("snapshot: %d %s", res.Status, res.Body)
	}
	var snap coverage.Snapshot
	res.JSON(t, &snap)
	var cmp coverage.Comparison
	get(t, base+"/compare?a="+trend.Points[0].ID+"&b="+snap.ID, viewer, &cmp)
	if len(cmp.ByTactic) != 14 || len(cmp.Changes) == 0 {
		t.Fatalf("compare: %d tactics %d changes", len(cmp.ByTactic), len(cmp.Changes))
	}
	res = get(t, base+"/compare?layer=1&a="+trend.Points[0].ID+"&b="+snap.ID, viewer, nil)
	layer, err := navigator.Parse(bytes.NewReader(res.Body))
	if err != nil || layer.Versions.Layer != "4.5" || len(layer.Techniques) != len(cmp.Changes) {
		t.Fatalf("delta layer: %v", err)
	}
	// As of a week ago: the matrix from the snapshot of that time.
	get(t, base+"/coverage/matrix?asof="+time.Now().AddDate(0, 0, -7).Format("2006-01-02"), viewer, &m)
	if m.AsOf == nil || len(m.Tactics) != 14 {
		t.Fatal("asof matrix")
	}
	if res := testutil.Do(t, http.MethodGet, base+"/coverage/matrix?asof=1999-01-01", viewer, nil); res.Status != http.StatusNotFound {
		t.Fatalf("asof before any snapshot: %d", res.Status)
	}

	// Rounds: the demo makes every fifth campaign a retest of the previous one.
	var roundCamp string
	require.NoError(t, app.DB().NewQuery("SELECT parent FROM campaigns WHERE parent != '' LIMIT 1").Row(&roundCamp))
	var rounds coverage.Comparison
	get(t, base+"/compare/rounds?campaign="+roundCamp+"&a=1&b=2", viewer, &rounds)
	if rounds.A == nil || rounds.B == nil {
		t.Fatal("rounds compare")
	}
	var cc coverage.CampaignCoverage
	get(t, base+"/coverage/campaigns/"+roundCamp, viewer, &cc)
	if cc.Tests == 0 || len(cc.Rounds) != 2 {
		t.Fatalf("campaign coverage: %d tests, %d rounds", cc.Tests, len(cc.Rounds))
	}
	raw, _ := json.Marshal(cc)
	if !strings.Contains(string(raw), "outcomes") {
		t.Fatal("campaign outcomes missing")
	}

	// Navigator layers validate against the v4.5 format document and the
	// real catalogue, for the whole coverage, an actor and a campaign.
	spec := loadLayerSpec(t)
	techniques, tactics := map[string]bool{}, map[string]bool{}
	var ids []string
	require.NoError(t, app.DB().NewQuery("SELECT attack_id FROM techniques WHERE revoked = 0 AND deprecated = 0").Column(&ids))
	for _, id := range ids {
		techniques[id] = true
	}
	require.NoError(t, app.DB().NewQuery("SELECT shortname FROM tactics").Column(&ids))
	for _, id := range ids {
		tactics[id] = true
	}
	for _, scope := range []string{"coverage", "actor:G0016", "campaign:" + roundCamp} {
		res := get(t, base+"/export/navigator?scope="+scope, viewer, nil)
		validateLayer(t, spec, res.Body, techniques, tactics)
		// Round trip through our own layer import: parse, re-marshal, parse.
		l, err := navigator.Parse(bytes.NewReader(res.Body))
		require.NoError(t, err, "%s: our own import rejects the export", scope)
		again, err := navigator.Marshal(l)
		require.NoError(t, err)
		l2, err := navigator.Parse(bytes.NewReader(again))
		if err != nil || !reflect.DeepEqual(l, l2) {
			t.Fatalf("%s: round trip changed the layer: %v", scope, err)
		}
		if scope == "coverage" && len(l.Techniques) < 600 {
			t.Fatalf("coverage layer: %d techniques", len(l.Techniques))
		}
		if l.Versions.Attack != "18" || len(navigator.Selected(l)) == 0 {
			t.Fatalf("attack version %q", l.Versions.Attack)
		}
		// The layer's scores are the matrix scores.
		for _, lt := range l.Techniques {
			if lt.Score == nil {
				continue
			}
			var one struct{ Technique coverage.Score }
			if lt.TechniqueID == found {
				get(t, base+"/coverage/techniques/"+found, viewer, &one)
				if math.Abs(*lt.Score-math.Round(one.Technique.Score*100)/100) > 0.01 && scope == "coverage" {
					t.Fatalf("%s layer score %v, API %v", found, *lt.Score, one.Technique.Score)
				}
			}
		}
	}

	// The executive report renders without scripts or external assets.
	res = get(t, base+"/reports/executive", viewer, nil)
	body := string(res.Body)
	if !strings.Contains(body, "<svg") || strings.Contains(body, "<script") || strings.Contains(body, "src=\"http") ||
		strings.Contains(body, "ZgotmplZ") || res.Header.Get("Content-Security-Policy") != coverage.ReportCSP {
		t.Fatalf("report: %.300s", body)
	}
	for _, want := range []string{"Coverage by tactic", "Top gaps", "Campaign results", "Open findings", "Trend"} {
		if !strings.Contains(body, want) {
			t.Fatalf("report lacks %q", want)
		}
	}
}

// setValidated records a blocked + technique-level outcome on a new test of
// technique id through the model API (hooks fire, the cache invalidates).
func setValidated(t *testing.T, app core.App, techID string) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId("tests")
	require.NoError(t, err)
	r := core.NewRecord(col)
	r.Set("name", "fresh retest")
	r.Set("technique", techID)
	r.Set("procedure", "brand new procedure")
	r.Set("state", "validated")
	r.Set("prevention", "blocked")
	r.Set("detection", "technique")
	r.Set("revealed", true)
	r.Set("validated_at", time.Now().UTC())
	require.NoError(t, app.SaveNoValidate(r))
	return r
}
