package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/pocketbase/pocketbase/core"
)

// The adapters below connect a domain package's job function to the runner:
// they pass the current time and the run's progress in, log one line and
// turn the result into job_runs.stats. The work itself lives in the domain
// package (campaigns, evidence, notify, coverage, importers/intel).

// recurringCampaigns spawns a fresh instance of every recurring campaign
// that is due (campaigns.SpawnDue with the current time).
func recurringCampaigns(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	st, err := campaigns.SpawnDue(ctx, app, time.Now().UTC())
	out := map[string]any{"spawned": st.Spawned, "scheduled": st.Scheduled, "tests": st.Tests}
	if len(st.Failed) > 0 {
		out["failed"] = st.Failed
	}
	return out, err
}

// evidenceSweep removes evidence files left without a record by a crash
// between storing and inserting, and stale upload spool files.
func evidenceSweep(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	st, err := evidence.Sweep(ctx, app, time.Now(), 6*time.Hour)
	return map[string]any{"orphans": st.Orphans, "spool": st.Spool}, err
}

// evidenceRetention deletes evidence of finished tests past the retention
// period (evidence.Retention).
func evidenceRetention(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	st, err := evidence.Retention(ctx, app, time.Now(), run.Progress)
	if err == nil && !st.Disabled {
		run.Logf("deleted %d evidence files (%d bytes) of finished tests older than %d days", st.Deleted, st.Bytes, st.RetentionDays)
	}
	return statsOf(st), err
}

// notificationCleanup deletes old read notifications (notify.Cleanup).
func notificationCleanup(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	st, err := notify.Cleanup(ctx, app, time.Now(), run.Progress)
	if err == nil && !st.Disabled {
		run.Logf("deleted %d read notifications older than %d days", st.Deleted, st.RetentionDays)
	}
	return statsOf(st), err
}

// statsOf turns a result (a struct with JSON tags) into job_runs.stats.
func statsOf(v any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	return m
}
