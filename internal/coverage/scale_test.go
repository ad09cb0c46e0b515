package coverage_test

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// TestPatchAtScale measures, on a copy of a served data dir named by
// AEGIS_COVERAGE_DIR (never the original: it writes one test), the live heap
// of the loaded model and the time to patch one changed test in and score
// it again; AEGIS_HEAP_PROFILE names a heap profile to write. Skipped
// without the variable (docs/BENCHMARKS.md, memory).
func TestPatchAtScale(t *testing.T) {
	dir := os.Getenv("AEGIS_COVERAGE_DIR")
	if dir == "" {
		t.Skip("AEGIS_COVERAGE_DIR not set")
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	require.NoError(t, app.Bootstrap())
	defer app.ResetBootstrapState()

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	start := time.Now()
	d, err := coverage.Load(app)
	require.NoError(t, err)
	loadTime := time.Since(start)
	start = time.Now()
	res := coverage.Compute(d, coverage.Options{})
	computeTime := time.Since(start)
	t.Logf("tests %d: load %v, compute %v, live heap of model and result %.1f MB", d.NumTests(), loadTime, computeTime,
		float64(heap()-base)/(1<<20))
	if p := os.Getenv("AEGIS_HEAP_PROFILE"); p != "" {
		f, err := os.Create(p)
		require.NoError(t, err)
		require.NoError(t, pprof.WriteHeapProfile(f))
		require.NoError(t, f.Close())
	}

	var ids []string
	require.NoError(t, app.DB().NewQuery("SELECT id FROM tests WHERE state = 'validated' ORDER BY id LIMIT 7").Column(&ids))
	var patch, rescore []time.Duration
	for i, id := range ids {
		det := []string{"none", "technique"}[i%2]
		_, err := app.DB().NewQuery("UPDATE tests SET detection = {:d} WHERE id = {:id}").Bind(dbx.Params{"d": det, "id": id}).Execute()
		require.NoError(t, err)
		start := time.Now()
		nd, touched, err := coverage.PatchTests(app, d, []string{id})
		require.NoError(t, err)
		patch = append(patch, time.Since(start))
		start = time.Now()
		res = coverage.Rescore(res, nd, touched)
		rescore = append(rescore, time.Since(start))
		d = nd
	}
	sort.Slice(patch, func(i, j int) bool { return patch[i] < patch[j] })
	sort.Slice(rescore, func(i, j int) bool { return rescore[i] < rescore[j] })
	t.Logf("one test changed, %d runs: patch %v (median %v), rescore %v (median %v)", len(ids), patch, patch[len(patch)/2],
		rescore, rescore[len(rescore)/2])
	runtime.KeepAlive(res)

	// Through the engine: a change marked as the hooks mark it, then the
	// next request (which waits for the reload up to StaleWait).
	eng := coverage.For(app)
	eng.StaleWait = 5 * time.Second
	_, err = eng.Result(coverage.Options{})
	require.NoError(t, err)
	var served []time.Duration
	for i, id := range ids {
		det := []string{"technique", "none"}[i%2]
		_, err := app.DB().NewQuery("UPDATE tests SET detection = {:d} WHERE id = {:id}").Bind(dbx.Params{"d": det, "id": id}).Execute()
		require.NoError(t, err)
		start := time.Now()
		eng.TestChanged(id)
		r, err := eng.Result(coverage.Options{})
		require.NoError(t, err)
		served = append(served, time.Since(start))
		require.Equal(t, det, testByID(r.Data, id).Detection)
	}
	full, patched := eng.Loads()
	sort.Slice(served, func(i, j int) bool { return served[i] < served[j] })
	t.Logf("engine, one test changed, %d runs: served after %v (median %v); loads: %d full, %d patched", len(ids), served,
		served[len(served)/2], full, patched)
}
