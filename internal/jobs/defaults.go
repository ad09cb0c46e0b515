package jobs

import (
	"context"
	"time"

	"github.com/aegis-sec/aegis/importers/intel"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/pocketbase/core"
)

// defaults are the jobs every Aegis runs. Add a line for a new recurring
// job; integration syncs are not listed here: each integrations record gets
// its own job (see integrations.go).
var defaults = []Job{
	{
		Name: "notification-cleanup", Title: "Delete old read notifications",
		Schedule: "30 1 * * *", Timeout: 10 * time.Minute, Retries: 2, Backoff: time.Minute,
		RetryInterrupted: true, Run: notificationCleanup,
	},
	{
		Name: "recurring-campaigns", Title: "Spawn due instances of recurring campaigns",
		Schedule: "15 0 * * *", Timeout: 10 * time.Minute, Retries: 2, Backoff: time.Minute,
		RetryInterrupted: true, Run: recurringCampaigns,
	},
	{
		Name: "evidence-sweep", Title: "Remove evidence files left without a record",
		Schedule: "50 1 * * *", Timeout: time.Hour, Retries: 1, Backoff: time.Minute,
		RetryInterrupted: true, Run: evidenceSweep,
	},
	{
		Name: "coverage-snapshot", Title: "Take a coverage snapshot (totals, per tactic, per technique)",
		Schedule: "0 5 * * *", Timeout: 5 * time.Minute, Retries: 2, Backoff: time.Minute,
		RetryInterrupted: true, Run: func(ctx context.Context, app core.App, r *Run) (map[string]any, error) {
			return coverage.SnapshotJob(ctx, app, r.Trigger)
		},
	},
	{
		Name: "intel-scan", Title: "Tell leads about techniques new in threat intel with low coverage",
		Schedule: "0 6 * * 1", Timeout: 10 * time.Minute, Retries: 2, Backoff: time.Minute,
		RetryInterrupted: true, Run: func(ctx context.Context, app core.App, _ *Run) (map[string]any, error) {
			return intel.ScanJob(ctx, app)
		},
	},
	{
		Name: "evidence-retention", Title: "Delete evidence of finished tests past the retention period",
		Schedule: "45 1 * * *", Timeout: time.Hour, Retries: 2, Backoff: time.Minute,
		RetryInterrupted: true, Run: evidenceRetention,
	},
}
