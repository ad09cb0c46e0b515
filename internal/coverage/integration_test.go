package coverage_test

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestDemoRequiresAttack(t *testing.T) {
	app := testutil.NewApp(t)
	if _, err := demo.Seed(app, "small"); err == nil || !strings.Contains(err.Error(), "import ATT&CK first") {
		t.Fatalf("want a clear error, got %v", err)
	}
	if _, err := demo.Seed(app, "huge"); err == nil {
		t.Fatal("unknown size accepted")
	}
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

	// Live: recording a better outcome on a technique changes its cell. The
	// answer right after the change has it, or says that it is pending (the
	// request waited StaleWait for the reload and got the previous model);
	// asked again, it has it. Never a stale answer that does not say so.
	// StaleWait 0 makes the pending answer certain, whatever the load.
	eng := coverage.For(app)
	wait := eng.StaleWait
	eng.StaleWait = 0
	defer func() { eng.StaleWait = wait }()
	target := tech.Technique.TechniqueID
	before := tech.Technique.Score
	rec := setValidated(t, app, target)
	res := get(t, base+"/coverage/techniques/"+found, viewer, &tech)
	if tech.Technique.Score == before && res.Header.Get("X-Aegis-Coverage") != "pending" {
		t.Fatalf("score did not move after test %s was validated (still %v), and the answer did not say it was pending", rec.Id, before)
	}
	for i := 0; res.Header.Get("X-Aegis-Coverage") == "pending"; i++ {
		if i == 200 {
			t.Fatalf("the model never caught up with test %s", rec.Id)
		}
		time.Sleep(25 * time.Millisecond)
		res = get(t, base+"/coverage/techniques/"+found, viewer, &tech)
	}
	if tech.Technique.Score == before {
		t.Fatalf("score did not move after test %s was validated (still %v)", rec.Id, before)
	}
	eng.StaleWait = wait

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

	// Snapshots: the demo back-filled weeks; take one now and compare.
	var trend coverage.Trend
	get(t, base+"/trends", viewer, &trend)
	if len(trend.Points) != demo.Sizes["small"].Snapshots || trend.Latest == nil {
		t.Fatalf("trend: %d points", len(trend.Points))
	}
	if res := testutil.Do(t, http.MethodPost, base+"/snapshots", viewer, map[string]string{}); res.Status != http.StatusForbidden {
		t.Fatalf("viewer snapshot: %d", res.Status)
	}
	res = testutil.Do(t, http.MethodPost, base+"/snapshots", testutil.Users(t)["blue_lead"].Token, map[string]string{"label": "now"})
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
	if err := app.DB().NewQuery("SELECT parent FROM campaigns WHERE parent != '' LIMIT 1").Row(&roundCamp); err != nil {
		t.Fatal(err)
	}
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

}

// setValidated records a blocked + technique-level outcome on a new test of
// technique id through the model API (hooks fire, the cache invalidates).
func setValidated(t *testing.T, app core.App, techID string) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId("tests")
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Set("name", "fresh retest")
	r.Set("technique", techID)
	r.Set("procedure", "brand new procedure")
	r.Set("state", "validated")
	r.Set("prevention", "blocked")
	r.Set("detection", "technique")
	r.Set("revealed", true)
	r.Set("validated_at", time.Now().UTC())
	if err := app.SaveNoValidate(r); err != nil {
		t.Fatal(err)
	}
	return r
}
