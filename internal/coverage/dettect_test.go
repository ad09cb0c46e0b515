package coverage_test

import (
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDettectComponent pins component D by hand: DeTT&CT detection 3/5 and
// visibility 2/4 (the better of two system groups) make D = (0.6 + 0.5)/2 =
// 0.55; with no test, no rule and nothing mapped the score is
// 100·0.05·0.55/(0.6 + 0.25 + 0.05) = 3.0556 and the technique is still
// "never validated". With a validated test the D input never makes the
// level "validated" on its own account.
func TestDettectComponent(t *testing.T) {
	d := fixture()
	d.Assessments = []coverage.Assessment{
		{ID: "a1", Technique: "s1", Kind: collections.AssessmentDetection, ApplicableTo: "all", Score: 3, ScoredAt: "2024-01-02"},
		{ID: "a2", Technique: "s1", Kind: collections.AssessmentVisibility, ApplicableTo: "Linux servers", Score: 1},
		{ID: "a3", Technique: "s1", Kind: collections.AssessmentVisibility, ApplicableTo: "Windows workstations", Score: 2},
		{ID: "a4", Technique: "s3", Kind: collections.AssessmentDetection, ApplicableTo: "all", Score: -1},
	}
	r := coverage.Compute(d, coverage.Options{})
	s1 := r.Own["s1"]
	require.NotNil(t, s1.D, "no D for s1")
	near(t, "D", *s1.D, 0.55)
	near(t, "score", s1.Score, 100*0.05*0.55/0.9)
	sharesSum(t, s1)
	assert.Nil(t, s1.V, "DeTT&CT counted as a validation")
	assert.NotEqual(t, coverage.LevelValidated, s1.Level, "DeTT&CT counted as a validation")
	kinds := 0
	for _, c := range s1.Breakdown {
		if c.Kind == coverage.KindAssessment {
			kinds++
			assert.Equal(t, "D", c.Component, "assessment component")
		}
	}
	assert.Equal(t, 2, kinds, "breakdown lists detection and visibility")
	// Detection -1 ("none") is an input of 0: it weighs, it does not reward.
	s3 := r.Own["s3"]
	near(t, "s3 D", *s3.D, 0)
	near(t, "s3 score", s3.Score, 0)

	// A perfect validated test: V = 1, R = 0, D = 0.55; the level follows V.
	d.GivenTests = []coverage.Test{validated("t1", "s1", "tpl1", "blocked", "technique", now)}
	r = coverage.Compute(d, coverage.Options{})
	s1 = r.Own["s1"]
	near(t, "score with test", s1.Score, 100*(0.6*1+0.05*0.55)/0.9)
	sharesSum(t, s1)

	// Turned off in settings: D is left out with its weight.
	d.Settings.WeightDettect = 0
	r = coverage.Compute(d, coverage.Options{})
	require.Nil(t, r.Own["s1"].D, "D computed with weight 0")
	near(t, "score without D", r.Own["s1"].Score, 100*0.6/0.85)
}
