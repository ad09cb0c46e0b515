package coverage_test

import (
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A changed test is patched into the loaded model (its row is read again,
// nothing else is) and the matrix reflects it at the next request; a change
// elsewhere, or a bulk write, still reloads the whole model.
func TestEngineReloadPatchesChangedTests(t *testing.T) {
	app := testutil.NewApp(t)
	eng := coverage.For(app)
	tech := seedTests(t, app, 5)
	eng.Invalidate() // bulk SQL above: the importers' way
	d0, err := eng.Data()
	require.NoError(t, err)
	require.Equal(t, 5, d0.NumTests())
	full0, patched0 := eng.Loads()

	scoreOf := func() float64 {
		r, err := eng.Result(coverage.Options{})
		require.NoError(t, err)
		sc := r.Own[tech]
		require.NotNil(t, sc)
		return sc.Score
	}
	before := scoreOf()

	// An outcome recorded on every test: the technique's score drops.
	for _, id := range []string{"t00000000000000", "t00000000000001", "t00000000000002", "t00000000000003", "t00000000000004"} {
		rec, err := app.FindRecordById(collections.Tests, id)
		require.NoError(t, err)
		rec.Set("prevention", "not_blocked")
		rec.Set("detection", "none")
		require.NoError(t, app.SaveNoValidate(rec))
	}
	d1, err := eng.Data()
	require.NoError(t, err)
	require.Equal(t, 5, d1.NumTests())
	for tt := range d1.AllTests() {
		assert.Equal(t, "none", tt.Detection, tt.ID)
	}
	assert.Equal(t, "technique", testByID(d0, "t00000000000000").Detection, "the previous model is left as it was")
	assert.Less(t, scoreOf(), before, "the matrix reflects the outcomes")
	full1, patched1 := eng.Loads()
	assert.Equal(t, full0, full1, "a test change must not reload the organisation")
	assert.Greater(t, patched1, patched0)

	// A new test and a deleted one.
	col, err := app.FindCollectionByNameOrId(collections.Tests)
	require.NoError(t, err)
	nt := core.NewRecord(col)
	nt.Set("name", "new")
	nt.Set("technique", tech)
	nt.Set("state", "draft")
	require.NoError(t, app.SaveNoValidate(nt))
	old, err := app.FindRecordById(collections.Tests, "t00000000000004")
	require.NoError(t, err)
	require.NoError(t, app.Delete(old))
	d2, err := eng.Data()
	require.NoError(t, err)
	ids := map[string]bool{}
	for tt := range d2.AllTests() {
		ids[tt.ID] = true
	}
	assert.True(t, ids[nt.Id], "new test patched in")
	assert.False(t, ids["t00000000000004"], "deleted test dropped")
	assert.Equal(t, 5, d2.NumTests())
	full2, _ := eng.Loads()
	assert.Equal(t, full0, full2)

	// Anything else reloads the model whole.
	rules, err := app.FindCollectionByNameOrId(collections.DetectionRules)
	require.NoError(t, err)
	r := core.NewRecord(rules)
	r.Set("source", "custom")
	r.Set("source_rule_id", "x1")
	r.Set("title", "A rule")
	r.Set("techniques", []string{tech})
	r.Set("enabled", true)
	require.NoError(t, app.SaveNoValidate(r))
	_, err = eng.Data()
	require.NoError(t, err)
	full3, _ := eng.Loads()
	assert.Greater(t, full3, full2)
}

// Rescoring the touched techniques gives the scores a full computation
// gives (same clock), and the engine serves it after a test change.
func TestRescoreMatchesCompute(t *testing.T) {
	app := testutil.NewApp(t)
	tech := seedTests(t, app, 4)
	d0, err := coverage.Load(app)
	require.NoError(t, err)
	prev := coverage.Compute(d0, coverage.Options{})

	rec, err := app.FindRecordById(collections.Tests, "t00000000000003")
	require.NoError(t, err)
	rec.Set("prevention", "not_blocked")
	rec.Set("detection", "telemetry")
	require.NoError(t, app.SaveNoValidate(rec))

	d1, touched, err := coverage.PatchTests(app, d0, []string{"t00000000000003"})
	require.NoError(t, err)
	assert.Equal(t, []string{tech}, touched)
	d1.Now = d0.Now
	got := coverage.Rescore(prev, d1, touched)
	want := coverage.Compute(d1, coverage.Options{})
	require.Len(t, got.Own, len(want.Own))
	for id, w := range want.Own {
		assert.InDelta(t, w.Score, got.Own[id].Score, 1e-9, id)
	}
	for id, w := range want.Rollup {
		assert.InDelta(t, w.Score, got.Rollup[id].Score, 1e-9, id)
	}
	assert.NotEqual(t, prev.Own[tech].Score, got.Own[tech].Score, "the touched technique was scored again")
}
