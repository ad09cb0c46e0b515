package jobs

import (
	"context"
	"time"

	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/pocketbase/pocketbase/core"
)

// RecurringCampaigns spawns a fresh instance of every recurring campaign
// that is due (campaigns.SpawnDue with the current time).
func RecurringCampaigns(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	st, err := campaigns.SpawnDue(ctx, app, time.Now().UTC())
	out := map[string]any{"spawned": st.Spawned, "scheduled": st.Scheduled, "tests": st.Tests}
	if len(st.Failed) > 0 {
		out["failed"] = st.Failed
	}
	return out, err
}

// EvidenceSweep removes evidence files left without a record by a crash
// between storing and inserting, and stale upload spool files.
func EvidenceSweep(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	st, err := evidence.Sweep(ctx, app, time.Now(), 6*time.Hour)
	return map[string]any{"orphans": st.Orphans, "spool": st.Spool}, err
}
