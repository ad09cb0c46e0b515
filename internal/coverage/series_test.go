package coverage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreparedAtEqualsCompute: scoring a prepared catalogue at a series of
// dates, each with the tests validated by then, gives the Result of a full
// Compute at that date, technique by technique (own scores with their
// breakdowns, roll-ups) and snapshot by snapshot, for the whole
// organisation and for narrowed options, with DeTT&CT scores; weeks with no test and weeks
// where every technique is tested are among them.
func TestPreparedAtEqualsCompute(t *testing.T) {
	d := largeData()
	require.NotEmpty(t, d.GivenTests)
	for i := 0; i < len(d.Techniques); i += 7 { // DeTT&CT scores on some techniques, tested or not
		d.Assessments = append(d.Assessments, coverage.Assessment{ID: fmt.Sprintf("as%03d", i), Technique: d.Techniques[i].ID,
			Kind: collections.AssessmentKinds[i%len(collections.AssessmentKinds)], ApplicableTo: "all", Score: i % 5})
	}
	for _, opt := range []coverage.Options{{}, {Platform: "windows"}, {Campaigns: map[string]bool{"c01": true, "c02": true}}} {
		p := coverage.Prepare(d, opt)
		for _, back := range []int{500, 300, 120, 30, 7, 0} {
			at := now.AddDate(0, 0, -back)
			var tests []coverage.Test
			for _, tt := range d.GivenTests {
				if tt.ValidatedAt.Time().Before(at) {
					tests = append(tests, tt)
				}
			}
			full := coverage.Compute(&coverage.Data{Now: at, Settings: d.Settings, Tactics: d.Tactics, Techniques: d.Techniques,
				GivenTests: tests, Rules: d.Rules, Countermeasures: d.Countermeasures, Controls: d.Controls, Actors: d.Actors,
				Assessments: d.Assessments}, opt)
			got := p.At(at, tests)
			require.Len(t, got.Own, len(full.Own))
			for id, want := range full.Own {
				assert.Equal(t, want, got.Own[id], "%d days back, technique %s", back, id)
			}
			assert.Equal(t, full.Rollup, got.Rollup, "%d days back: roll-ups", back)
			assert.Equal(t, full.Subs, got.Subs)
			assert.Equal(t, full.ByAttack, got.ByAttack)
			assert.Equal(t, coverage.BuildSnapshot(full, "enterprise-attack", "demo", "w"),
				coverage.BuildSnapshot(got, "enterprise-attack", "demo", "w"), "%d days back: snapshot", back)
			assert.Equal(t, at, got.Data.Now)
		}
	}
}

// TestPreparedIgnoresTheCataloguesTests: Prepare reads the catalogue only;
// the tests At is given are the only ones scored.
func TestPreparedIgnoresTheCataloguesTests(t *testing.T) {
	d := largeData()
	p := coverage.Prepare(d, coverage.Options{})
	res := p.At(now, nil)
	for id, sc := range res.Own {
		assert.Nil(t, sc.V, "technique %s has no test at this date", id)
	}
	empty := coverage.Compute(&coverage.Data{Now: now.Add(time.Hour), Settings: d.Settings, Tactics: d.Tactics,
		Techniques: d.Techniques, Rules: d.Rules, Countermeasures: d.Countermeasures, Controls: d.Controls}, coverage.Options{})
	assert.Equal(t, empty.Own, res.Own)
}
