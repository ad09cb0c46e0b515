package coverage_test

import (
	"math"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// controlGapFixture: three in-scope techniques, three controls, three actors.
//
//	A T1001 high     validated blocked today          no rule        V=1
//	B T1002 medium   validated "general" 100 days ago  stable rule on  V=0.6·0.5^(100/180)
//	C T1003 critical never validated, a draft test     a disabled "test" rule
//
// Controls: K1 {A, B} implemented, K2 {C} not implemented, K3 {A} implemented,
// so M_A = M_B = 1, M_C = 0 and every technique weighs wV+wR+wM = 1.
// Actors: X {A, B}, Y {A}, Z {C}.
func controlGapFixture() *coverage.Data {
	d := &coverage.Data{Now: now, Settings: collections.DefaultScoring()}
	d.Tactics = []coverage.Tactic{{ID: "ta", AttackID: "TA0001", Name: "Initial Access", Domain: "enterprise-attack", Order: 1}}
	d.Techniques = []coverage.Technique{
		{ID: "A", AttackID: "T1001", Name: "Alpha", Domain: "enterprise-attack", Tactics: []string{"ta"}, InScope: true, Priority: "high"},
		{ID: "B", AttackID: "T1002", Name: "Bravo", Domain: "enterprise-attack", Tactics: []string{"ta"}, InScope: true},
		{ID: "C", AttackID: "T1003", Name: "Charlie", Domain: "enterprise-attack", Tactics: []string{"ta"}, InScope: true, Priority: "critical"},
	}
	d.GivenTests = []coverage.Test{
		validated("tA", "A", "", "blocked", "none", now),
		validated("tB", "B", "", "not_blocked", "general", daysAgo(100)),
		{ID: "tC", Name: "Charlie draft", Technique: "C", State: collections.StateDraft},
	}
	d.Rules = []coverage.Rule{
		{ID: "r1", Title: "Bravo rule", Status: "stable", Enabled: true, Techniques: []string{"B"}},
		{ID: "r2", Title: "Charlie rule", Status: "test", Enabled: false, Techniques: []string{"C"}},
	}
	d.Templates = []coverage.Template{{ID: "tplB", Name: "Bravo atomic", Source: "atomic", Technique: "B"}}
	d.Controls = []coverage.Control{
		{ID: "K1", Framework: "fw", FrameworkName: "NIST", ControlID: "AC-1", Title: "One", Status: "implemented", Techniques: []string{"A", "B"}},
		{ID: "K2", Framework: "fw", FrameworkName: "NIST", ControlID: "AC-2", Title: "Two", Status: "not_implemented", Techniques: []string{"C"}},
		{ID: "K3", Framework: "fw", FrameworkName: "NIST", ControlID: "AC-3", Title: "Three", Status: "implemented", Techniques: []string{"A"}},
	}
	d.Actors = []coverage.Actor{
		{ID: "X", AttackID: "G9001", Name: "Xray", Techniques: []string{"A", "B"}},
		{ID: "Y", AttackID: "G9002", Name: "Yankee", Techniques: []string{"A"}},
		{ID: "Z", AttackID: "G9003", Name: "Zulu", Techniques: []string{"C"}},
	}
	return d
}

// TestRankControlsByHand pins the compliance gap ranking to figures worked
// out by hand (see controlgaps.go for the formula).
func TestRankControlsByHand(t *testing.T) {
	r := coverage.Compute(controlGapFixture(), coverage.Options{})
	vB := 0.6 * math.Pow(0.5, 100.0/180)
	sA, sB, sC := 75.0, 100*(0.6*vB+0.25*0.5+0.15), 0.0 // own scores
	near(t, "score A", r.Own["A"].Score, sA)
	near(t, "score B", r.Own["B"].Score, sB)
	near(t, "score C", r.Own["C"].Score, sC)
	// Weights: priority × (1 + actors/3) × (1 + stale/2).
	wA, wB, wC := 0.75*(1+2.0/3)*1, 0.5*(1+1.0/3)*1.25, 1*(1+1.0/3)*1.5
	dA, dB, dC := wA*(1-sA/100), wB*(1-sB/100), wC*(1-sC/100)

	got := r.RankControls("NIST", 5, 5)
	require.Len(t, got, 3, "controls")
	want := []struct {
		id  string
		gap float64
	}{{"AC-2", 100 * dC / wC}, {"AC-1", 100 * (dA + dB) / (wA + wB)}, {"AC-3", 100 * dA / wA}}
	for i, w := range want {
		require.Equal(t, w.id, got[i].ControlID, "rank %d", i+1)
		require.Equal(t, i+1, got[i].Rank, w.id)
		require.InDelta(t, w.gap, got[i].GapScore, 1e-3, "%s gap score", w.id)
	}
	t.Logf("gap scores: AC-2 %.2f, AC-1 %.2f, AC-3 %.2f", got[0].GapScore, got[1].GapScore, got[2].GapScore)

	// AC-2: C pulls it down (never validated, no enabled rule, critical);
	// running the open draft test raises it most (+60), enabling the rule +25·0.375.
	k2 := got[0]
	require.Len(t, k2.Why, 1, "AC-2 why")
	require.Equal(t, "T1003", k2.Why[0].AttackID, "AC-2 why")
	for _, reason := range []string{"never validated", "no enabled rule", "priority critical", "used by 1 of 3 tracked actors"} {
		assert.Contains(t, k2.Why[0].Reasons, reason, "AC-2 reasons")
	}
	require.Len(t, k2.Raise, 2, "AC-2 raise")
	assert.Equal(t, [2]string{coverage.ActionRunTest, "tC"}, [2]string{k2.Raise[0].Kind, k2.Raise[0].ID}, "AC-2 raise")
	assert.Equal(t, [2]string{coverage.ActionEnableRule, "r2"}, [2]string{k2.Raise[1].Kind, k2.Raise[1].ID}, "AC-2 raise")
	near4(t, "AC-2 test gain", k2.Raise[0].Gain, 60)
	near4(t, "AC-2 rule gain", k2.Raise[1].Gain, 100*0.25*0.375)

	// AC-1: B pulls harder than A; planning B's Atomic test raises AC-1 by
	// (87.5 − s_B)/2 points; A is validated and has nothing to enable.
	k1 := got[1]
	require.Len(t, k1.Why, 2, "AC-1 why")
	assert.Equal(t, []string{"T1002", "T1001"}, []string{k1.Why[0].AttackID, k1.Why[1].AttackID}, "AC-1 why")
	assert.Contains(t, k1.Why[0].Reasons, "last validated over 90 days ago", "B reasons")
	require.Len(t, k1.Raise, 1, "AC-1 raise")
	assert.Equal(t, [2]string{coverage.ActionPlanTest, "tplB"}, [2]string{k1.Raise[0].Kind, k1.Raise[0].ID}, "AC-1 raise")
	near4(t, "AC-1 gain", k1.Raise[0].Gain, (87.5-sB)/2)
}

// TestRaiseActorByHand pins "coverage against an actor and the techniques
// that would raise it most".
func TestRaiseActorByHand(t *testing.T) {
	r := coverage.Compute(controlGapFixture(), coverage.Options{})
	vB := 0.6 * math.Pow(0.5, 100.0/180)
	sB := 100 * (0.6*vB + 0.25*0.5 + 0.15)

	x := r.RaiseActor("G9001", 5)
	near(t, "coverage against Xray", x.Score, math.Round((75+sB)/2*100)/100)
	require.Len(t, x.Top, 1, "Xray top (A is already fully validated and has no rule to enable)")
	require.Equal(t, "T1002", x.Top[0].AttackID, "Xray top")
	near4(t, "Xray raise by B", x.Top[0].Raise, (87.5-sB)/2)

	z := r.RaiseActor("Z", 5)
	near(t, "coverage against Zulu", z.Score, 0)
	require.Len(t, z.Top, 1, "Zulu top")
	require.Len(t, z.Top[0].Actions, 2, "Zulu top")
	// Both together: V = 1 and R = 0.375 → 60 + 9.375.
	near4(t, "Zulu raise by C", z.Top[0].Raise, 69.375)
	assert.Nil(t, r.RaiseActor("nobody", 5), "unknown actor answered")
}

// near4 compares figures the API rounds to four decimals.
func near4(t *testing.T, what string, got, want float64) {
	t.Helper()
	require.InDelta(t, want, got, 1e-4, what)
}
