package coverage_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestDemoRequiresAttack(t *testing.T) {
	app := testutil.NewApp(t)
	_, err := demo.Seed(app, "small")
	require.ErrorContains(t, err, "import ATT&CK first")
	_, err = demo.Seed(app, "huge")
	require.Error(t, err, "unknown size accepted")
}

func TestCoverageOnRealAttackAndDemo(t *testing.T) {
	app := demoApp(t)
	srv := testutil.Serve(t, app)
	base := srv.URL + "/api/aegis"
	viewer := testutil.Users(t)["viewer"].Token
	_, err := demo.Seed(app, "small")
	require.ErrorIs(t, err, demo.ErrAlreadySeeded, "second seed")

	var m coverage.Matrix
	get(t, base+"/coverage/matrix", viewer, &m)
	require.Len(t, m.Tactics, 14, "tactics in matrix order")
	assert.Equal(t, "reconnaissance", m.Tactics[0].Shortname)
	assert.Equal(t, "impact", m.Tactics[13].Shortname)
	assert.GreaterOrEqual(t, m.InScope, 150, "matrix headline")
	assert.Greater(t, m.Score, 0.0, "matrix headline")
	assert.Less(t, m.Score, 100.0, "matrix headline")
	// Revalidation: the same model answers 304 to its ETag.
	etag := get(t, base+"/coverage/matrix", viewer, nil).Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, base+"/coverage/matrix", nil)
	req.Header.Set("Authorization", viewer)
	req.Header.Set("If-None-Match", etag)
	notModified, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	notModified.Body.Close()
	require.Equal(t, http.StatusNotModified, notModified.StatusCode, "If-None-Match %s", etag)
	assert.Equal(t, http.StatusUnauthorized, testutil.Do(t, http.MethodGet, base+"/coverage/matrix", "", nil).Status, "anonymous matrix")
	assert.Equal(t, http.StatusBadRequest, testutil.Do(t, http.MethodGet, base+"/coverage/matrix?domain=nope", viewer, nil).Status, "bad domain")

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
	require.NotEmpty(t, found, "no validated sub-technique in the demo")
	var tech struct {
		Technique coverage.Score `json:"technique"`
		Parent    map[string]string
	}
	get(t, base+"/coverage/techniques/"+found, viewer, &tech)
	sum := 0.0
	for _, c := range tech.Technique.Breakdown {
		sum += c.Share
	}
	assert.InDelta(t, tech.Technique.Score, sum, 1e-6, "%s: breakdown shares", found)
	assert.NotEmpty(t, tech.Parent["attack_id"], "%s: parent", found)
	assert.Equal(t, http.StatusNotFound, testutil.Do(t, http.MethodGet, base+"/coverage/techniques/T0000", viewer, nil).Status, "unknown technique")

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
	if tech.Technique.Score == before {
		require.Equal(t, "pending", res.Header.Get("X-Aegis-Coverage"),
			"score did not move after test %s was validated (still %v), and the answer did not say it was pending", rec.Id, before)
	}
	for i := 0; res.Header.Get("X-Aegis-Coverage") == "pending"; i++ {
		require.Less(t, i, 200, "the model never caught up with test %s", rec.Id)
		time.Sleep(25 * time.Millisecond)
		res = get(t, base+"/coverage/techniques/"+found, viewer, &tech)
	}
	require.NotEqual(t, before, tech.Technique.Score, "score did not move after test %s was validated", rec.Id)
	eng.StaleWait = wait

	var next struct{ Items []coverage.NextItem }
	get(t, base+"/coverage/next?limit=10", viewer, &next)
	require.Len(t, next.Items, 10, "next")
	assert.GreaterOrEqual(t, next.Items[0].Rank, next.Items[9].Rank, "next in rank order")
	var actors struct{ Items []coverage.GroupScore }
	get(t, base+"/coverage/actors", viewer, &actors)
	assert.GreaterOrEqual(t, len(actors.Items), 100, "actors")
	get(t, base+"/coverage/next?actor=G0016", viewer, &next)
	get(t, base+"/coverage/matrix?actor=G0016", viewer, &m)
	assert.Equal(t, "G0016", m.Filter.Actor, "actor filter")
	var tac struct{ Items []coverage.GroupScore }
	get(t, base+"/coverage/tactics", viewer, &tac)
	assert.Len(t, tac.Items, 14, "tactics")
	var comp struct {
		Controls, Gaps int
		Items          []coverage.ControlGap
	}
	get(t, base+"/coverage/compliance/Demo%20Control%20Baseline", viewer, &comp)
	assert.Equal(t, demo.Sizes["small"].Controls, comp.Controls, "compliance controls")
	assert.Positive(t, comp.Gaps, "compliance gaps")

	// Snapshots: the demo back-filled weeks; take one now and compare.
	var trend coverage.Trend
	get(t, base+"/trends", viewer, &trend)
	require.Len(t, trend.Points, demo.Sizes["small"].Snapshots, "trend points")
	require.NotNil(t, trend.Latest, "trend latest change")
	assert.Equal(t, http.StatusForbidden, testutil.Do(t, http.MethodPost, base+"/snapshots", viewer, map[string]string{}).Status, "viewer snapshot")
	res = testutil.Do(t, http.MethodPost, base+"/snapshots", testutil.Users(t)["blue_lead"].Token, map[string]string{"label": "now"})
	require.Equal(t, http.StatusOK, res.Status, "snapshot: %s", res.Body)
	var snap coverage.Snapshot
	res.JSON(t, &snap)
	var cmp coverage.Comparison
	get(t, base+"/compare?a="+trend.Points[0].ID+"&b="+snap.ID, viewer, &cmp)
	assert.Len(t, cmp.ByTactic, 14, "compare tactics")
	assert.NotEmpty(t, cmp.Changes, "compare changes")
	// As of a week ago: the matrix from the snapshot of that time.
	get(t, base+"/coverage/matrix?asof="+time.Now().AddDate(0, 0, -7).Format("2006-01-02"), viewer, &m)
	assert.NotNil(t, m.AsOf, "asof matrix")
	assert.Len(t, m.Tactics, 14, "asof matrix")
	assert.Equal(t, http.StatusNotFound, testutil.Do(t, http.MethodGet, base+"/coverage/matrix?asof=1999-01-01", viewer, nil).Status,
		"asof before any snapshot")

	// Rounds: the demo makes every fifth campaign a retest of the previous one.
	var roundCamp string
	require.NoError(t, app.DB().NewQuery("SELECT parent FROM campaigns WHERE parent != '' LIMIT 1").Row(&roundCamp))
	var rounds coverage.Comparison
	get(t, base+"/compare/rounds?campaign="+roundCamp+"&a=1&b=2", viewer, &rounds)
	assert.NotNil(t, rounds.A, "rounds compare")
	assert.NotNil(t, rounds.B, "rounds compare")
	var cc coverage.CampaignCoverage
	get(t, base+"/coverage/campaigns/"+roundCamp, viewer, &cc)
	assert.Positive(t, cc.Tests, "campaign coverage tests")
	assert.Len(t, cc.Rounds, 2, "campaign coverage rounds")
	raw, err := json.Marshal(cc)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "outcomes", "campaign outcomes missing")
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
