package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestSeedProfile seeds the size named by AEGIS_DEMO_PROFILE (skipped
// without it): run with -cpuprofile to see where a seeding run goes.
func TestSeedProfile(t *testing.T) {
	size := os.Getenv("AEGIS_DEMO_PROFILE")
	if size == "" {
		t.Skip("set AEGIS_DEMO_PROFILE=small|large|xl to profile a seeding run")
	}
	app := testutil.NewApp(t)
	src, err := source.Open(filepath.Join(testutil.SharedData(t), "attack", "enterprise-attack-18.1.json.gz"), source.Options{})
	require.NoError(t, err)
	_, err = attack.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err)
	rep, err := demo.SeedWith(app, size, demo.Options{Progress: func(step string, sec float64) { t.Logf("%-12s %6.2fs", step, sec) }})
	require.NoError(t, err)
	t.Logf("seeded %s in %.1fs: %v", size, rep.Seconds, rep.Counts)
}
