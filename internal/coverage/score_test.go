package coverage_test

import (
	"math"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(n float64) time.Time { return now.Add(-time.Duration(n * 24 * float64(time.Hour))) }

// fixture: one tactic, a parent with sub-techniques and a few loose techniques.
func fixture() *coverage.Data {
	return &coverage.Data{
		Now:      now,
		Settings: collections.DefaultScoring(),
		Tactics:  []coverage.Tactic{{ID: "ta1", AttackID: "TA0002", Name: "Execution", Shortname: "execution", Domain: "enterprise-attack", Order: 1}},
		Techniques: []coverage.Technique{
			{ID: "p", AttackID: "T1059", Name: "Command and Scripting Interpreter", Domain: "enterprise-attack", Tactics: []string{"ta1"}, InScope: true},
			{ID: "s1", AttackID: "T1059.001", Name: "PowerShell", Domain: "enterprise-attack", Tactics: []string{"ta1"}, IsSub: true, Parent: "p", InScope: true},
			{ID: "s2", AttackID: "T1059.002", Name: "AppleScript", Domain: "enterprise-attack", Tactics: []string{"ta1"}, IsSub: true, Parent: "p", InScope: false},
			{ID: "s3", AttackID: "T1059.003", Name: "Windows Command Shell", Domain: "enterprise-attack", Tactics: []string{"ta1"}, IsSub: true, Parent: "p", InScope: true},
			{ID: "x", AttackID: "T1204", Name: "User Execution", Domain: "enterprise-attack", Tactics: []string{"ta1"}, InScope: false},
		},
	}
}

func validated(id, tech, tpl, prev, det string, at time.Time) coverage.Test {
	return coverage.Test{ID: id, Name: id, Technique: tech, Template: tpl, State: collections.StateValidated,
		Prevention: prev, Detection: det, ValidatedAt: coverage.StampOf(at)}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	require.InDelta(t, want, got, 1e-6, what)
}

func sharesSum(t *testing.T, sc *coverage.Score) {
	t.Helper()
	sum := 0.0
	for _, c := range sc.Breakdown {
		sum += c.Share
	}
	near(t, sc.AttackID+" breakdown shares", sum, sc.Score)
}

// Every outcome combination, fresh, as the only evidence: score = 100·0.6·v/0.85.
func TestEveryOutcome(t *testing.T) {
	prevention := map[string]float64{"blocked": 1, "partial": 0.6, "not_blocked": 0, "": 0}
	detection := map[string]float64{"technique": 0.9, "tactic": 0.8, "general": 0.6, "telemetry": 0.3, "none": 0, "": 0}
	for p, pv := range prevention {
		for d, dv := range detection {
			if p == "" && d == "" {
				continue
			}
			data := fixture()
			data.GivenTests = []coverage.Test{validated("t1", "s1", "", p, d, now)}
			res := coverage.Compute(data, coverage.Options{})
			sc := res.Own["s1"]
			v := math.Max(pv, dv)
			near(t, p+"/"+d+" V", *sc.V, v)
			near(t, p+"/"+d+" score", sc.Score, 100*0.6*v/0.85)
			sharesSum(t, sc)
			wantLevel := map[bool]string{true: coverage.LevelValidated, false: ""}[v >= 0.85]
			if wantLevel == "" {
				wantLevel = coverage.LevelOf(data.Settings, sc.Score)
			}
			require.Equal(t, wantLevel, sc.Level, "%s/%s level", p, d)
		}
	}
}

func TestDecayAndLatestPerProcedure(t *testing.T) {
	data := fixture()
	data.GivenTests = []coverage.Test{
		// Procedure A: an old miss replaced by a newer detection 180 days ago
		// (one half-life): 0.9 · 0.5 = 0.45.
		validated("a-old", "s1", "tplA", "not_blocked", "none", daysAgo(400)),
		validated("a-new", "s1", "tplA", "not_blocked", "technique", daysAgo(180)),
		// Procedure B (by procedure text hash): blocked 90 days ago: 1 · 0.5^0.5.
		{ID: "b", Name: "b", Technique: "s1", Procedure: "hashB", State: collections.StateClosed, Prevention: "blocked", ValidatedAt: coverage.StampOf(daysAgo(90))},
		// Not validated yet: ignored.
		{ID: "c", Name: "c", Technique: "s1", Procedure: "hashC", State: collections.StateBlueReview, Prevention: "blocked", ValidatedAt: coverage.StampOf(now)},
	}
	res := coverage.Compute(data, coverage.Options{})
	sc := res.Own["s1"]
	wantV := (0.45 + math.Sqrt(0.5)) / 2 // 0.578553…
	near(t, "V", *sc.V, wantV)
	near(t, "score", sc.Score, 100*0.6*wantV/0.85) // 40.8390…
	assert.Equal(t, 2, sc.Procedures)
	assert.True(t, sc.Fresh)
	assert.Equal(t, coverage.LevelPartial, sc.Level)
	sharesSum(t, sc)
	for _, c := range sc.Breakdown {
		assert.NotContains(t, []string{"a-old", "c"}, c.ID, "superseded or unvalidated test in breakdown")
	}
	// Stale: the newest validation 91 days old is not fresh, so a high V is
	// no longer "validated".
	data = fixture()
	data.GivenTests = []coverage.Test{validated("t", "s1", "", "blocked", "", daysAgo(91))}
	sc = coverage.Compute(data, coverage.Options{}).Own["s1"]
	near(t, "stale V", *sc.V, math.Pow(0.5, 91.0/180))
	assert.False(t, sc.Fresh, "stale validation shown as fresh")
	assert.NotEqual(t, coverage.LevelValidated, sc.Level, "stale validation shown as validated")
}

func TestRuleCounts(t *testing.T) {
	cases := []struct {
		name  string
		rules []coverage.Rule
		wantR float64
	}{
		{"none", nil, 0},
		{"one stable", []coverage.Rule{{ID: "r1", Status: "stable", Enabled: true}}, 0.5},
		{"two stable", []coverage.Rule{{ID: "r1", Status: "stable", Enabled: true}, {ID: "r2", Status: "production", Enabled: true}}, 0.75},
		{"three, no status", []coverage.Rule{{ID: "r1", Enabled: true}, {ID: "r2", Enabled: true}, {ID: "r3", Enabled: true}}, 0.875},
		{"stable + experimental", []coverage.Rule{{ID: "r1", Status: "stable", Enabled: true}, {ID: "r2", Status: "experimental", Enabled: true}}, 1 - 0.5*0.75},
		{"test status", []coverage.Rule{{ID: "r1", Status: "test", Enabled: true}}, 0.375},
		{"disabled and removed ignored", []coverage.Rule{{ID: "r1", Status: "stable"}, {ID: "r2", Status: "stable", Enabled: true, Removed: true}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := fixture()
			for i := range c.rules {
				c.rules[i].Techniques = []string{"s3", "s3"} // a duplicate mapping counts once
			}
			data.Rules = c.rules
			sc := coverage.Compute(data, coverage.Options{}).Own["s3"]
			near(t, "R", *sc.R, c.wantR)
			near(t, "score", sc.Score, 100*0.25*c.wantR/0.85)
			require.Nil(t, sc.V, "V should be unknown")
			sharesSum(t, sc)
		})
	}
}

func TestPartialControlsAndCountermeasures(t *testing.T) {
	data := fixture()
	data.GivenTests = []coverage.Test{validated("t", "s1", "", "blocked", "none", now)}
	data.Countermeasures = []coverage.Countermeasure{{ID: "d1", D3fendID: "D3-PSA", Status: "partial", Techniques: []string{"s1"}}}
	data.Controls = []coverage.Control{
		{ID: "c1", ControlID: "AC-2", Status: "implemented", Techniques: []string{"s1"}},
		{ID: "c2", ControlID: "SI-4", Status: "planned", Techniques: []string{"s1"}},
	}
	sc := coverage.Compute(data, coverage.Options{}).Own["s1"]
	near(t, "M", *sc.M, 0.5)
	// All three components known: 100·(0.6·1 + 0.25·0 + 0.15·0.5) / 1.0.
	near(t, "score", sc.Score, 67.5)
	sharesSum(t, sc)
	shares := map[string]float64{}
	for _, c := range sc.Breakdown {
		shares[c.ID] = c.Share
	}
	near(t, "test share", shares["t"], 60)
	near(t, "countermeasure share", shares["d1"], 2.5)
	near(t, "implemented control share", shares["c1"], 5)
	near(t, "planned control share", shares["c2"], 0)
}

func TestNeverTestedIsNotRewarded(t *testing.T) {
	data := fixture()
	data.Rules = []coverage.Rule{{ID: "r1", Status: "stable", Enabled: true, Techniques: []string{"s3"}}}
	data.Controls = []coverage.Control{{ID: "c1", Status: "implemented", Techniques: []string{"s3"}}}
	sc := coverage.Compute(data, coverage.Options{}).Own["s3"]
	// V unknown weighs as zero: 100·(0.25·0.5 + 0.15·1)/1.0 = 27.5, not 100·0.275/0.4.
	near(t, "score", sc.Score, 27.5)
	assert.Nil(t, sc.V)
	assert.Equal(t, coverage.LevelLow, sc.Level)
	assert.NotEmpty(t, sc.Notes, "unknown V not explained")
	sharesSum(t, sc)
	// Nothing at all: level none.
	s := coverage.Compute(fixture(), coverage.Options{}).Own["s3"]
	assert.Zero(t, s.Score, "empty technique")
	assert.Equal(t, coverage.LevelNone, s.Level, "empty technique")
}

func TestOutOfScopeAndRollup(t *testing.T) {
	data := fixture()
	data.GivenTests = []coverage.Test{
		validated("t1", "s1", "", "blocked", "none", now),      // s1: 70.588…
		validated("t2", "s2", "", "blocked", "technique", now), // s2 out of scope: ignored by the roll-up
		validated("t3", "x", "", "blocked", "technique", now),  // x out of scope
	}
	data.Rules = []coverage.Rule{{ID: "r1", Status: "stable", Enabled: true, Techniques: []string{"s3"}},
		{ID: "r2", Status: "stable", Enabled: true, Techniques: []string{"s3"}}} // s3: 22.0588…
	res := coverage.Compute(data, coverage.Options{})
	require.Equal(t, coverage.LevelOutOfScope, res.Own["x"].Level, "out-of-scope techniques must say so")
	require.Equal(t, coverage.LevelOutOfScope, res.Own["s2"].Level, "out-of-scope techniques must say so")
	s1, s3 := 100*0.6/0.85, 100*0.25*0.75/0.85
	p := res.Effective("p")
	near(t, "rolled-up parent", p.Score, (0+s1+s3)/3)
	sharesSum(t, p)
	require.Len(t, p.Breakdown, 3, "roll-up members")
	near(t, "rolled-up V (known members only)", *p.V, 1)
	// The tactic averages in-scope top-level techniques only (p, not x).
	tac := res.Tactics("enterprise-attack", true)
	require.Len(t, tac, 1)
	require.Equal(t, 1, tac[0].Techniques, "tactic members")
	near(t, "tactic", tac[0].Score, p.Score)
	m := res.Matrix(coverage.Filter{})
	require.Len(t, m.Tactics, 1, "matrix shape")
	require.Len(t, m.Tactics[0].Techniques, 2, "matrix shape")
	require.Len(t, m.Tactics[0].Techniques[0].Subtechniques, 3, "matrix shape")
	near(t, "matrix overall", m.Score, math.Round(p.Score*100)/100)
}

func TestWeightChanges(t *testing.T) {
	data := fixture()
	data.GivenTests = []coverage.Test{validated("t", "s1", "", "partial", "general", now)}               // V 0.6
	data.Rules = []coverage.Rule{{ID: "r", Status: "stable", Enabled: true, Techniques: []string{"s1"}}} // R 0.5
	data.Controls = []coverage.Control{{ID: "c", Status: "partial", Techniques: []string{"s1"}}}         // M 0.5
	for _, c := range []struct {
		wV, wR, wM, want float64
	}{
		{0.6, 0.25, 0.15, 100 * (0.6*0.6 + 0.25*0.5 + 0.15*0.5)},
		{1, 0, 0, 60},
		{0, 1, 0, 50},
		{1, 1, 2, 100 * (0.6 + 0.5 + 2*0.5) / 4},
		{0, 0, 0, 0},
	} {
		data.Settings.WeightValidation, data.Settings.WeightRules, data.Settings.WeightMitigation = c.wV, c.wR, c.wM
		sc := coverage.Compute(&coverage.Data{Now: data.Now, Settings: data.Settings, Tactics: data.Tactics,
			Techniques: data.Techniques, GivenTests: data.GivenTests, Rules: data.Rules, Controls: data.Controls}, coverage.Options{}).Own["s1"]
		near(t, "score", sc.Score, c.want)
		sharesSum(t, sc)
	}
}

func TestNextAndCompliance(t *testing.T) {
	data := fixture()
	data.Techniques[0].Priority = "critical"
	data.Actors = []coverage.Actor{
		{ID: "a1", AttackID: "G0001", Name: "One", Techniques: []string{"s1", "s3"}},
		{ID: "a2", AttackID: "G0002", Name: "Two", Techniques: []string{"s3"}},
	}
	data.GivenTests = []coverage.Test{validated("t", "s1", "", "blocked", "none", now)}
	data.Controls = []coverage.Control{{ID: "c1", Framework: "f", FrameworkName: "NIST 800-53", ControlID: "AC-2",
		Status: "implemented", Techniques: []string{"s1"}},
		{ID: "c2", Framework: "f", FrameworkName: "NIST 800-53", ControlID: "SI-4", Techniques: []string{"s3"}}}
	res := coverage.Compute(data, coverage.Options{})
	next := res.Next("", 0)
	// The parent (critical, used through its sub-techniques by both actors,
	// rolled up to 25) ranks 1 × 0.75 × 1; untested s3 1 × 1 × 0.5; s1 0.5 × 0.25 × 0.5.
	require.Len(t, next, 3)
	assert.Equal(t, []string{"T1059", "T1059.003", "T1059.001"}, []string{next[0].AttackID, next[1].AttackID, next[2].AttackID})
	near(t, "rank parent", next[0].Rank, 0.75)
	near(t, "rank s3", next[1].Rank, 0.5)
	near(t, "rank s1", next[2].Rank, 0.0625)
	assert.Equal(t, coverage.LevelLow, next[0].Level, "a roll-up with untested members is not validated")
	assert.Len(t, res.Next("G0001", 0), 2, "actor next")
	gaps := res.Compliance("NIST 800-53")
	require.Len(t, gaps, 2)
	assert.Equal(t, "SI-4", gaps[0].ControlID)
	assert.True(t, gaps[0].Gap)
	assert.False(t, gaps[1].Gap)
	act := res.Actor("g0001")
	require.NotNil(t, act)
	assert.Equal(t, 2, act.Techniques)
	sum := 0.0
	for _, c := range act.Breakdown {
		sum += c.Share
	}
	near(t, "actor shares", sum, act.Score)
}

func TestDeterministic(t *testing.T) {
	data := fixture()
	data.GivenTests = []coverage.Test{validated("t1", "s1", "tpl", "blocked", "none", now), validated("t0", "s1", "tpl", "partial", "none", now)}
	a := coverage.Compute(data, coverage.Options{}).Own["s1"]
	// Equal validation times: the larger id wins, whatever the input order.
	data.GivenTests[0], data.GivenTests[1] = data.GivenTests[1], data.GivenTests[0]
	b := coverage.Compute(data, coverage.Options{}).Own["s1"]
	assert.Equal(t, a.Score, b.Score, "not deterministic")
	assert.Equal(t, "t1", a.Breakdown[0].ID)
	assert.Equal(t, "t1", b.Breakdown[0].ID)
}
