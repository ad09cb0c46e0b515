package coverage_test

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// largeData is an in-memory organisation the size of the large demo: 14
// tactics, 216 techniques with 475 sub-techniques, 20k tests, 5k rules, 1k
// controls, 60 countermeasures and 170 actors.
func largeData() *coverage.Data {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &coverage.Data{Now: now, Settings: collections.DefaultScoring()}
	for i := 0; i < 14; i++ {
		d.Tactics = append(d.Tactics, coverage.Tactic{ID: fmt.Sprintf("ta%02d", i), AttackID: fmt.Sprintf("TA%04d", i),
			Name: fmt.Sprintf("Tactic %d", i), Shortname: fmt.Sprintf("tactic-%d", i), Domain: "enterprise-attack", Order: i})
	}
	var ids []string
	for i := 0; i < 216; i++ {
		pid := fmt.Sprintf("p%03d", i)
		ta := []string{d.Tactics[i%14].ID}
		if i%5 == 0 {
			ta = append(ta, d.Tactics[(i+3)%14].ID)
		}
		d.Techniques = append(d.Techniques, coverage.Technique{ID: pid, AttackID: fmt.Sprintf("T%04d", 1000+i), Name: pid,
			Domain: "enterprise-attack", Tactics: ta, InScope: i%29 != 7, Priority: collections.Priorities[i%4],
			Platforms: []string{"Windows", "Linux"}})
		ids = append(ids, pid)
		for s := 0; s < 475/216+boolInt(i < 475%216); s++ {
			sid := fmt.Sprintf("%s.%d", pid, s)
			d.Techniques = append(d.Techniques, coverage.Technique{ID: sid, AttackID: fmt.Sprintf("T%04d.%03d", 1000+i, s+1),
				Name: sid, Domain: "enterprise-attack", Tactics: ta, IsSub: true, Parent: pid, InScope: true,
				Platforms: []string{"Windows"}})
			ids = append(ids, sid)
		}
	}
	prev, det := []string{"blocked", "partial", "not_blocked"}, []string{"technique", "tactic", "general", "telemetry", "none"}
	states := []string{"draft", "ready", "executing", "blue_review", "validated", "validated", "closed", "cancelled"}
	for i := 0; i < 20000; i++ {
		d.GivenTests = append(d.GivenTests, coverage.Test{ID: fmt.Sprintf("t%05d", i), Name: "test", Technique: ids[rng.IntN(len(ids))],
			Campaign: fmt.Sprintf("c%02d", i%60), Procedure: fmt.Sprintf("proc%d", rng.IntN(3)), State: states[rng.IntN(len(states))],
			Prevention: prev[rng.IntN(3)], Detection: det[rng.IntN(5)], ValidatedAt: coverage.StampOf(daysAgo(float64(rng.IntN(400))))})
	}
	for i := 0; i < 5000; i++ {
		d.Rules = append(d.Rules, coverage.Rule{ID: fmt.Sprintf("r%04d", i), Title: "rule", Source: "sigma",
			Status: []string{"stable", "test", "experimental"}[i%3], Enabled: i%10 != 0,
			Techniques: []string{ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]}})
	}
	for i := 0; i < 1000; i++ {
		d.Controls = append(d.Controls, coverage.Control{ID: fmt.Sprintf("c%04d", i), ControlID: fmt.Sprintf("AC-%d", i),
			Status: collections.ControlStatuses[i%5], Techniques: []string{ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]}})
	}
	for i := 0; i < 60; i++ {
		var ts []string
		for k := 0; k < 30; k++ {
			ts = append(ts, ids[rng.IntN(len(ids))])
		}
		d.Countermeasures = append(d.Countermeasures, coverage.Countermeasure{ID: fmt.Sprintf("d%02d", i), Status: "partial", Techniques: ts})
	}
	for i := 0; i < 170; i++ {
		var ts []string
		for k := 0; k < 40; k++ {
			ts = append(ts, ids[rng.IntN(len(ids))])
		}
		d.Actors = append(d.Actors, coverage.Actor{ID: fmt.Sprintf("a%03d", i), AttackID: fmt.Sprintf("G%04d", i), Techniques: ts})
	}
	return d
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkCompute scores every technique of the large organisation from
// scratch: what a reload costs after a change.
func BenchmarkCompute(b *testing.B) {
	d := largeData()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		coverage.Compute(d, coverage.Options{})
	}
}

// BenchmarkMatrix builds and marshals the matrix view from a computed result.
func BenchmarkMatrix(b *testing.B) {
	r := coverage.Compute(largeData(), coverage.Options{})
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		r.Matrix(coverage.Filter{})
	}
}

// BenchmarkSnapshotBuild derives and compresses a snapshot from a result
// (the in-memory part of Take; saving the record is one insert).
func BenchmarkSnapshotBuild(b *testing.B) {
	r := coverage.Compute(largeData(), coverage.Options{})
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		s := coverage.BuildSnapshot(r, "enterprise-attack", "bench", "")
		_, err := coverage.EncodeVector(s.ByTechnique)
		require.NoError(b, err)
	}
}

// BenchmarkTake is a whole snapshot on a warm engine, record insert included.
func BenchmarkTake(b *testing.B) {
	app := testutil.NewApp(b)
	seedTests(b, app, 2000)
	_, err := coverage.Take(app, "bench", "")
	require.NoError(b, err)
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		_, err := coverage.Take(app, "bench", "")
		require.NoError(b, err)
	}
}

// BenchmarkMatrixCached is the hot path of the matrix endpoint.
func BenchmarkMatrixCached(b *testing.B) {
	app := testutil.NewApp(b)
	seedTests(b, app, 2000)
	eng := coverage.For(app)
	_, err := eng.MatrixJSON(coverage.Filter{})
	require.NoError(b, err)
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		_, err := eng.MatrixJSON(coverage.Filter{})
		require.NoError(b, err)
	}
}

func TestLargeDataShares(t *testing.T) {
	r := coverage.Compute(largeData(), coverage.Options{})
	for id, sc := range r.Own {
		sum := 0.0
		for _, c := range sc.Breakdown {
			sum += c.Share
		}
		require.InDelta(t, sc.Score, sum, 1e-6, "%s: breakdown shares", id)
	}
	for id, sc := range r.Rollup {
		sum := 0.0
		for _, c := range sc.Breakdown {
			sum += c.Share
		}
		require.InDelta(t, sc.Score, sum, 1e-6, "roll-up %s: breakdown shares", id)
	}
}

// BenchmarkLoad reads the model of an organisation with 20k tests from
// SQLite: the cost of the first request after a change.
func BenchmarkLoad(b *testing.B) {
	app := testutil.NewApp(b)
	seedTests(b, app, 20000)
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		_, err := coverage.Load(app)
		require.NoError(b, err)
	}
}

// cpuTime is the process's user+system CPU time: on a shared, loaded
// machine it says more about the code than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-s/op to a benchmark; call it right after ResetTimer.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op") }
}
