package reliability_test

import (
	"context"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/aegis-sec/aegis/tools/reliability"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// A short mixed workload over a real loopback server: no errors, and every
// acknowledged write is in the database afterwards. scripts/load.sh runs the
// same workload with 100 clients for 60 s against the real binary.
func TestMixedWorkloadLosesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	const clients = 12
	setup, err := reliability.SeedTests(app, users["red_lead"].Id, clients, 3)
	require.NoError(t, err, "seed the tests")
	res := reliability.Run(context.Background(), reliability.Config{
		BaseURL: srv.URL, Clients: clients, Duration: 4 * time.Second,
		RedLead: users["red_lead"].Token, BlueLead: users["blue_lead"].Token, Seed: 1,
	}, setup)
	t.Logf("%d requests, %d transitions, %d comments, %d evidence in %s", res.Requests, res.Transitions,
		len(res.Comments), len(res.Evidence), res.Duration)
	for name, s := range res.Endpoints {
		t.Logf("%-18s n=%-5d p50=%-8s p99=%-8s errors=%d", name, s.Count, s.P50.Round(time.Microsecond), s.P99.Round(time.Microsecond), s.Errors)
	}
	require.LessOrEqual(t, res.Errors, 0, "%d errors, e.g. %v", res.Errors, res.ErrorSamples)
	require.NotEqual(t, 0, res.Transitions, "workload did not exercise every write: %+v", res)
	require.NotEmpty(t, res.Comments, "workload did not exercise every write: %+v", res)
	require.NotEmpty(t, res.Evidence, "workload did not exercise every write: %+v", res)
	lost := reliability.Lost(app, res)
	require.Empty(t, lost, "no acknowledged write is lost")
}
