package demo_test

import (
	"os"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/coverage/coveragetest"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// TestSeedProfile seeds the size named by AEGIS_DEMO_PROFILE (skipped
// without it): run with -cpuprofile to see where a seeding run goes.
func TestSeedProfile(t *testing.T) {
	size := os.Getenv("AEGIS_DEMO_PROFILE")
	if size == "" {
		t.Skip("set AEGIS_DEMO_PROFILE=small|large|xl to profile a seeding run")
	}
	app := coveragetest.AttackApp(t)
	rep, err := demo.SeedWith(app, size, demo.Options{Progress: func(step string, sec float64) { t.Logf("%-12s %6.2fs", step, sec) }})
	require.NoError(t, err)
	t.Logf("seeded %s in %.1fs: %v", size, rep.Seconds, rep.Counts)
}

// TestTakeProfile times coverage.Take on the data dir named by
// AEGIS_DEMO_DIR (skipped without it; it adds snapshots there): the model
// is loaded first, then three snapshots are taken.
func TestTakeProfile(t *testing.T) {
	dir := os.Getenv("AEGIS_DEMO_DIR")
	if dir == "" {
		t.Skip("set AEGIS_DEMO_DIR to a seeded data dir (it adds snapshots)")
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	require.NoError(t, app.Bootstrap())
	t0 := time.Now()
	_, err := coverage.For(app).Result(coverage.Options{})
	require.NoError(t, err)
	t.Logf("model load and score %.2fs", time.Since(t0).Seconds())
	for i := 0; i < 3; i++ {
		t0 = time.Now()
		snap, err := coverage.Take(app, "bench", "take at xl")
		require.NoError(t, err)
		t.Logf("take %d: %.1f ms (%d techniques)", i+1, float64(time.Since(t0).Microseconds())/1000, len(snap.ByTechnique))
	}
}
