package coverage_test

import (
	"testing"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRankGaps(t *testing.T) {
	res := coverage.Compute(gapFixture(), coverage.Options{})
	gaps := res.RankGaps(coverage.Filter{}, 0)
	ids := []string{}
	for _, g := range gaps {
		ids = append(ids, g.AttackID)
	}
	// d is validated (blocked, fresh): not a gap. x is out of scope.
	require.Equal(t, []string{"T1001", "T1002", "T1005", "T1003"}, ids)

	// a: need 1 × critical 1 × threat (1 + 2/2) × never validated 1.5 = 3.
	assert.InDelta(t, 3.0, gaps[0].Rank, 1e-6)
	assert.Equal(t, 2, gaps[0].Actors)
	assert.Equal(t, []string{"Alpha", "Bravo"}, gaps[0].ActorNames)
	assert.Equal(t, -1, gaps[0].DaysSinceValidation)
	assert.Equal(t, "used by 2 of 2 tracked actors (Alpha, Bravo); critical priority; never validated; score 0 (none)", gaps[0].Reason())

	// b: need 1 (V = 0) × high 0.75 × threat (1 + 1/2, through its
	// sub-technique) × validated 200 days ago > 90 fresh days 1.25 = 1.40625.
	assert.InDelta(t, 1.40625, gaps[1].Rank, 1e-6)
	assert.Equal(t, 200, gaps[1].DaysSinceValidation)
	assert.Equal(t, "used by 1 of 2 tracked actors (Bravo); high priority; last validated 200 days ago; score 0 (none)", gaps[1].Reason())

	// f: score 100·0.6·0.3/0.85 = 21.176…; need 0.788235 × critical 1 × no
	// actor 1 × fresh 1.
	assert.InDelta(t, 1-0.6*0.3/0.85, gaps[2].Rank, 1e-6)
	assert.Equal(t, 0, gaps[2].DaysSinceValidation)
	assert.Equal(t, "critical priority; score 21 (low)", gaps[2].Reason())

	// c: need 1 × medium 0.5 × threat 1 × never validated 1.5 = 0.75.
	assert.InDelta(t, 0.75, gaps[3].Rank, 1e-6)
	assert.Equal(t, "medium", gaps[3].Priority)

	// n limits; filters narrow: the actor, the platform, both.
	assert.Len(t, res.RankGaps(coverage.Filter{}, 2), 2)
	only := func(f coverage.Filter) []string {
		out := []string{}
		for _, g := range res.RankGaps(f, 0) {
			out = append(out, g.AttackID)
		}
		return out
	}
	assert.Equal(t, []string{"T1001", "T1002"}, only(coverage.Filter{Actor: "G0002"}), "a sub-technique's use brings its parent")
	assert.Equal(t, []string{"T1001"}, only(coverage.Filter{Actor: "G0001", Platform: "Windows"}))
	assert.Equal(t, []string{"T1003"}, only(coverage.Filter{Platform: "macOS"}))
	assert.Empty(t, only(coverage.Filter{Actor: "G9999"}), "an unknown actor uses nothing")
}

// The headline (matrix, report, PDF) averages exactly the techniques the
// filter shows and says so.
func TestHeadlineFollowsFilters(t *testing.T) {
	res := coverage.Compute(gapFixture(), coverage.Options{})
	cases := []struct {
		name  string
		f     coverage.Filter
		n     int
		scope string
	}{
		{"everything", coverage.Filter{}, 5, "all in-scope techniques"},
		{"actor", coverage.Filter{Actor: "G0002"}, 2, "in-scope techniques used by Bravo (G0002)"},
		{"actor and platform", coverage.Filter{Actor: "G0001", Platform: "Windows"}, 1, "in-scope techniques used by Alpha (G0001), on Windows"},
		{"platform", coverage.Filter{Platform: "macOS"}, 1, "in-scope techniques on macOS"},
		{"unknown actor", coverage.Filter{Actor: "G9999"}, 0, "in-scope techniques used by G9999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := res.Matrix(c.f)
			h := res.Headline(c.f)
			assert.Equal(t, c.n, m.InScope)
			assert.Equal(t, c.n, h.Techniques)
			assert.InDelta(t, m.Score, h.Score, 0.01)
			assert.Equal(t, c.scope, m.Scope)
			assert.Equal(t, c.scope, h.Status)
		})
	}
	// The actor's headline differs from the whole: a and b1's parent b are
	// both at 0, f (21.2) and d (validated) are not used by Bravo.
	assert.InDelta(t, 0, res.Headline(coverage.Filter{Actor: "G0002"}).Score, 1e-9)
	assert.Greater(t, res.Headline(coverage.Filter{}).Score, 0.0)
}
