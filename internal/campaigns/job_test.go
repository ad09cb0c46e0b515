package campaigns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/stretchr/testify/require"
)

// The registered daily job and "run now" call the same SpawnDue.
func TestRecurringCampaignsJob(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1204", []string{"Windows"}, nil)
	camp := e.save(c.Campaigns, map[string]any{"name": "Weekly", "recurrence": "@weekly"})
	e.save(c.Tests, map[string]any{"name": "macro", "technique": tech.Id, "campaign": camp.Id})
	camp.Set("next_run_at", time.Now().Add(-time.Minute).UTC())
	require.NoError(t, e.app.Save(camp))
	run, err := jobs.Trigger(e.app, "recurring-campaigns", jobs.Options{})
	require.NoError(t, err, "trigger")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done, err := jobs.Wait(ctx, e.app, run.Id)
	if err != nil || done.GetString("status") != jobs.StatusSucceeded {
		t.Fatalf("run: %v %v", err, done)
	}
	var stats struct{ Spawned, Tests int }
	raw, _ := json.Marshal(done.Get("stats"))
	json.Unmarshal(raw, &stats)
	if stats.Spawned != 1 || stats.Tests != 1 {
		t.Errorf("stats %s", raw)
	}
	if n, _ := e.app.CountRecords(c.Campaigns); n != 2 {
		t.Errorf("%d campaigns", n)
	}
	if next := e.get(c.Campaigns, camp.Id).GetDateTime("next_run_at").Time(); !next.After(time.Now()) {
		t.Errorf("next_run_at %v not in the future", next)
	}
}
