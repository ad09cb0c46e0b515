package coverage_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The technique view scored alone (ComputeTechnique) is the view of the
// whole model's result, for every technique and visibility; its breakdown
// keeps BreakdownLines lines per component and folds the rest into one
// line whose share keeps the sum; its counts say which tests count, which
// were superseded and which are still open, without the unrevealed test of
// a blind campaign for blue.
func TestTechniqueViewAloneIsTheModelsView(t *testing.T) {
	data := fixture()
	blind := validated("blind", "s1", "tpl-a", "blocked", "technique", daysAgo(1))
	blind.Campaign = "c-blind"
	data.GivenTests = []coverage.Test{
		validated("a-old", "s1", "tpl-a", "not_blocked", "none", daysAgo(40)),
		validated("a-mid", "s1", "tpl-a", "partial", "telemetry", daysAgo(20)),
		blind,
		validated("b", "s1", "tpl-b", "not_blocked", "technique", daysAgo(5)),
		validated("p1", "p", "", "blocked", "none", daysAgo(3)),
		{ID: "open", Name: "open", Technique: "s1", State: collections.StateReady, Revealed: true},
		{ID: "imported", Name: "imported", Technique: "s1", State: collections.StateValidated, Prevention: "blocked", Unconfirmed: true, Revealed: true},
	}
	for i := range data.GivenTests {
		if data.GivenTests[i].ID != "blind" && data.GivenTests[i].ID != "open" && data.GivenTests[i].ID != "imported" {
			data.GivenTests[i].Revealed = true
		}
	}
	for i := 0; i < coverage.BreakdownLines+3; i++ {
		data.Rules = append(data.Rules, coverage.Rule{ID: fmt.Sprintf("r%02d", i), Title: fmt.Sprintf("rule %d", i), Source: "sigma",
			Status: "stable", Enabled: true, Techniques: []string{"s1"}})
	}
	for _, blue := range []bool{false, true} {
		opt := coverage.Options{RevealedOnly: blue}
		full := coverage.Compute(data, opt)
		for _, id := range []string{"T1059", "T1059.001", "T1059.003", "t1204"} {
			want, err := json.Marshal(full.TechniqueView(id))
			require.NoError(t, err)
			got, err := json.Marshal(coverage.ComputeTechnique(data, opt, id).TechniqueView(id))
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got), "%s (blue %t): scored alone", id, blue)
		}
		assert.Nil(t, full.TechniqueView("T9999"), "unknown technique")
		assert.Nil(t, coverage.ComputeTechnique(data, opt, "T9999").TechniqueView("T9999"), "unknown technique, alone")

		v := full.TechniqueView("T1059.001")
		sc := v.Technique
		sharesSum(t, sc)
		var tests, rules, more []coverage.Contribution
		for _, c := range sc.Breakdown {
			switch c.Kind {
			case coverage.KindTest:
				tests = append(tests, c)
			case coverage.KindRule:
				rules = append(rules, c)
			case coverage.KindMore:
				more = append(more, c)
			}
		}
		assert.Len(t, rules, coverage.BreakdownLines, "blue %t: rule lines", blue)
		require.Len(t, more, 1, "blue %t: folded lines", blue)
		assert.Equal(t, "3 more rules", more[0].Name)
		assert.Equal(t, "R", more[0].Component)
		require.Len(t, tests, 2, "blue %t: one test per procedure", blue)
		counting := map[string]bool{tests[0].ID: true, tests[1].ID: true}
		if blue {
			assert.Equal(t, map[string]bool{"a-mid": true, "b": true}, counting, "blue: the blind run is not seen")
			assert.Equal(t, coverage.TestCounts{Total: 5, Counting: 2, Superseded: 1, Unconfirmed: 1, Open: 1}, v.Tests)
		} else {
			assert.Equal(t, map[string]bool{"blind": true, "b": true}, counting, "admin: the blind run counts")
			assert.Equal(t, coverage.TestCounts{Total: 6, Counting: 2, Superseded: 2, Unconfirmed: 1, Open: 1}, v.Tests)
		}
		require.NotNil(t, v.Parent)
		assert.Equal(t, "T1059", v.Parent.AttackID)

		p := full.TechniqueView("T1059")
		require.NotNil(t, p.Own, "a parent's own score")
		assert.Len(t, p.Subtechniques, 3)
		for _, s := range p.Subtechniques {
			assert.Empty(t, s.Breakdown, "%s: a sub-technique's breakdown is on its own page", s.AttackID)
		}
		assert.Equal(t, coverage.TestCounts{Total: 1, Counting: 1}, p.Tests, "the parent's own tests")
	}
}
