package campaigns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The registered daily job and "run now" call the same SpawnDue.
func TestRecurringCampaignsJob(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1204", []string{"Windows"}, nil)
	camp := e.Save(c.Campaigns, map[string]any{"name": "Weekly", "recurrence": "@weekly"})
	e.Save(c.Tests, map[string]any{"name": "macro", "technique": tech.Id, "campaign": camp.Id})
	camp.Set("next_run_at", time.Now().Add(-time.Minute).UTC())
	require.NoError(t, e.App.Save(camp))
	run, err := jobs.Trigger(e.App, "recurring-campaigns", jobs.Options{})
	require.NoError(t, err, "trigger")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done, err := jobs.Wait(ctx, e.App, run.Id)
	require.NoError(t, err, "run: %v %v", err, done)
	require.Equal(t, jobs.StatusSucceeded, done.GetString("status"), "run: %v %v", err, done)
	var stats struct{ Spawned, Tests int }
	raw, _ := json.Marshal(done.Get("stats"))
	json.Unmarshal(raw, &stats)
	assert.Equal(t, 1, stats.Spawned, "stats %s", raw)
	assert.Equal(t, 1, stats.Tests, "stats %s", raw)
	n, _ := e.App.CountRecords(c.Campaigns)
	assert.Equal(t, int64(2), n, "%d campaigns", n)
	next := e.Get(c.Campaigns, camp.Id).GetDateTime("next_run_at").Time()
	assert.True(t, next.After(time.Now()), "next_run_at %v not in the future", next)
}
