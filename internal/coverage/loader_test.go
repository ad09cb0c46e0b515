package coverage_test

import (
	"encoding/json"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceTests reads every test as records, the slow and obvious way, into
// the form the model had before it was made lean (one flat list, nothing
// shared): what the lean loader must agree with.
func referenceTests(t *testing.T, app core.App) []coverage.Test {
	t.Helper()
	recs, err := app.FindAllRecords(collections.Tests)
	require.NoError(t, err)
	out := make([]coverage.Test, 0, len(recs))
	for _, r := range recs {
		x := coverage.Test{ID: r.Id, Name: r.GetString("name"), Technique: r.GetString("technique"),
			Campaign: r.GetString("campaign"), Template: r.GetString("template"), Platform: r.GetString("platform"),
			State: r.GetString("state"), Prevention: r.GetString("prevention"), Detection: r.GetString("detection"),
			ExecutedAt: coverage.StampOf(r.GetDateTime("executed_at").Time()), DetectedAt: coverage.StampOf(r.GetDateTime("detected_at").Time()),
			ValidatedAt: coverage.StampOf(r.GetDateTime("validated_at").Time()), Revealed: r.GetBool("revealed"),
			Unconfirmed: r.GetBool("outcome_imported") && r.GetString("outcome_confirmed_by") == "" && r.GetDateTime("outcome_confirmed_at").IsZero()}
		if p := strings.TrimSpace(r.GetString("procedure")); p != "" && x.Template == "" &&
			(x.State == collections.StateValidated || x.State == collections.StateClosed) {
			h := fnv.New64a()
			h.Write([]byte(p))
			x.Procedure = strconv.FormatUint(h.Sum64(), 36)
		}
		if x.ValidatedAt.IsZero() && x.Validated() {
			x.ValidatedAt = coverage.StampOf(r.GetDateTime("updated").Time())
		}
		out = append(out, x)
	}
	return out
}

func sortedByID(ts []coverage.Test) []coverage.Test {
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	return ts
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// The lean loader (shared strings, times in milliseconds, tests filed by
// technique) gives the tests, scores and views that the flat list read
// record by record gives, on the seeded demo with blind tests, imported
// outcomes not confirmed yet, and every state; and a patch of one test
// leaves the model equal to a fresh load.
func TestLeanLoaderMatchesReference(t *testing.T) {
	app := demoApp(t)
	// Every state, blind tests and unconfirmed imported outcomes, spread
	// over the seeded tests.
	_, err := app.DB().NewQuery(`UPDATE tests SET
		state = CASE abs(random()) % 9 WHEN 0 THEN 'draft' WHEN 1 THEN 'ready' WHEN 2 THEN 'executing'
			WHEN 3 THEN 'blue_review' WHEN 4 THEN 'closed' WHEN 5 THEN 'cancelled' ELSE state END
		WHERE rowid % 3 = 0`).Execute()
	require.NoError(t, err)
	_, err = app.DB().NewQuery(`UPDATE tests SET revealed = 0 WHERE rowid % 7 = 1`).Execute()
	require.NoError(t, err)
	_, err = app.DB().NewQuery(`UPDATE tests SET outcome_imported = 1, outcome_confirmed_by = '', outcome_confirmed_at = ''
		WHERE rowid % 5 = 2 AND state IN ('validated', 'closed')`).Execute()
	require.NoError(t, err)
	_, err = app.DB().NewQuery(`UPDATE tests SET validated_at = '' WHERE rowid % 11 = 4`).Execute()
	require.NoError(t, err)
	var states []string
	require.NoError(t, app.DB().NewQuery(`SELECT DISTINCT state FROM tests ORDER BY state`).Column(&states))
	require.Len(t, states, len(collections.TestStates), "every state is seeded")
	var counts struct {
		Blind       int `db:"blind"`
		Unconfirmed int `db:"unconfirmed"`
	}
	require.NoError(t, app.DB().NewQuery(`SELECT sum(revealed = 0) AS blind,
		sum(outcome_imported = 1 AND state IN ('validated', 'closed')) AS unconfirmed FROM tests`).One(&counts))
	require.Positive(t, counts.Blind)
	require.Positive(t, counts.Unconfirmed)

	lean, err := coverage.Load(app)
	require.NoError(t, err)
	// Everything else as loaded; the tests as a flat list read record by record.
	ref := coverage.Data{Now: lean.Now, Settings: lean.Settings, AttackVersion: lean.AttackVersion, Tactics: lean.Tactics,
		Techniques: lean.Techniques, Rules: lean.Rules, Countermeasures: lean.Countermeasures, Controls: lean.Controls,
		Actors: lean.Actors, Campaigns: lean.Campaigns, AttackCampaigns: lean.AttackCampaigns, Assessments: lean.Assessments,
		Templates: lean.Templates, GivenTests: referenceTests(t, app)}
	require.Equal(t, len(ref.GivenTests), lean.NumTests())
	require.Equal(t, sortedByID(append([]coverage.Test(nil), ref.GivenTests...)), sortedByID(lean.TestList()))

	var campaign string
	for tt := range lean.AllTests() {
		if !tt.Revealed && tt.Campaign != "" {
			campaign = tt.Campaign
			break
		}
	}
	require.NotEmpty(t, campaign, "a blind campaign")
	same := func(name string, a, b *coverage.Data) {
		for _, f := range []coverage.Filter{{}, {RevealedOnly: true}, {Platform: "Windows"}, {Campaign: campaign},
			{Campaign: campaign, RevealedOnly: true}} {
			want, got := coverage.Compute(a, f.Options()), coverage.Compute(b, f.Options())
			assert.Equal(t, marshal(t, want.Own), marshal(t, got.Own), "%s own %+v", name, f)
			assert.Equal(t, marshal(t, want.Rollup), marshal(t, got.Rollup), "%s roll-up %+v", name, f)
			assert.Equal(t, marshal(t, want.Matrix(f)), marshal(t, got.Matrix(f)), "%s matrix %+v", name, f)
			assert.Equal(t, marshal(t, want.RankGaps(f, 50)), marshal(t, got.RankGaps(f, 50)), "%s gaps %+v", name, f)
			assert.Equal(t, marshal(t, want.Next("", 20)), marshal(t, got.Next("", 20)), "%s next %+v", name, f)
		}
	}
	same("load", &ref, lean)

	// One test changed: the patched model equals a fresh load.
	var id, tech string
	require.NoError(t, app.DB().NewQuery(`SELECT id, technique FROM tests WHERE state = 'executing' LIMIT 1`).Row(&id, &tech))
	_, err = app.DB().NewQuery(`UPDATE tests SET state = 'validated', prevention = 'blocked', detection = 'technique',
		validated_at = {:at} WHERE id = {:id}`).Bind(dbx.Params{"id": id, "at": time.Now().UTC().Format("2006-01-02 15:04:05.000Z")}).Execute()
	require.NoError(t, err)
	patched, touched, err := coverage.PatchTests(app, lean, []string{id})
	require.NoError(t, err)
	assert.Equal(t, []string{tech}, touched)
	fresh, err := coverage.Load(app)
	require.NoError(t, err)
	patched.Now, fresh.Now = lean.Now, lean.Now
	require.Equal(t, sortedByID(fresh.TestList()), sortedByID(patched.TestList()))
	same("patch", fresh, patched)
	assert.Equal(t, "executing", testByID(lean, id).State, "the previous model is left as it was")
}

// The tests of a load are filed by technique whatever their order in the
// table: each technique's tests, in table order, and none lost.
func TestLoadFilesTestsByTechnique(t *testing.T) {
	app := demoApp(t)
	var want []struct {
		ID        string `db:"id"`
		Technique string `db:"technique"`
	}
	require.NoError(t, app.DB().NewQuery("SELECT id, technique FROM tests ORDER BY rowid").All(&want))
	require.NotEmpty(t, want)
	runs := 1
	for i := 1; i < len(want); i++ {
		if want[i].Technique != want[i-1].Technique {
			runs++
		}
	}
	techs := map[string]bool{}
	for _, w := range want {
		techs[w.Technique] = true
	}
	require.Greater(t, runs, len(techs), "the table interleaves techniques")
	d, err := coverage.Load(app)
	require.NoError(t, err)
	require.Equal(t, len(want), d.NumTests())
	byTech := map[string][]string{}
	for _, w := range want {
		byTech[w.Technique] = append(byTech[w.Technique], w.ID)
	}
	seen := 0
	for tech, ids := range byTech {
		var got []string
		for tt := range d.TestsOf(tech) {
			got = append(got, tt.ID)
			assert.Equal(t, tech, tt.Technique)
		}
		assert.Equal(t, ids, got, tech)
		seen += len(got)
	}
	assert.Equal(t, len(want), seen)
}

// A value kept with the model survives a test patch and is built again
// after a full load; a model built by hand builds it every time.
func TestSharedValues(t *testing.T) {
	app := testutil.NewApp(t)
	seedTests(t, app, 2)
	builds := 0
	build := func() (any, error) { builds++; return builds, nil }
	d0, err := coverage.Load(app)
	require.NoError(t, err)
	v, err := d0.Shared("k", build)
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	v, err = d0.Shared("k", build)
	require.NoError(t, err)
	assert.Equal(t, 1, v, "built once")
	d1, _, err := coverage.PatchTests(app, d0, []string{"t00000000000001", "t00000000000001"})
	require.NoError(t, err)
	assert.Equal(t, 2, d1.NumTests(), "an id given twice is patched once")
	v, err = d1.Shared("k", build)
	require.NoError(t, err)
	assert.Equal(t, 1, v, "kept by a patch")
	d2, err := coverage.Load(app)
	require.NoError(t, err)
	v, err = d2.Shared("k", build)
	require.NoError(t, err)
	assert.Equal(t, 2, v, "built again after a full load")
	hand := &coverage.Data{}
	v, err = hand.Shared("k", build)
	require.NoError(t, err)
	assert.Equal(t, 3, v)
}
