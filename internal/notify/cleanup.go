package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// DefaultRetentionDays is how long read notifications are kept when
// settings.retention.notifications_days is unset.
const DefaultRetentionDays = 90

// CleanupStats is what one cleanup did (the job run's stats).
type CleanupStats struct {
	Deleted       int64  `json:"deleted"`
	RetentionDays int    `json:"retention_days"`
	Cutoff        string `json:"cutoff,omitempty"`
	Disabled      bool   `json:"disabled,omitempty"`
}

// Cleanup deletes notifications that were read and are older than
// settings.retention.notifications_days (default 90) at now. Unread ones are
// kept whatever their age: nobody has seen them yet. A zero or negative
// retention disables the cleanup. progress may be nil.
func Cleanup(ctx context.Context, app core.App, now time.Time, progress func(stage string, done, total int)) (CleanupStats, error) {
	days := collections.RetentionDays(app, collections.RetentionNotificationsDays, DefaultRetentionDays)
	if days <= 0 {
		return CleanupStats{RetentionDays: days, Disabled: true}, nil
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	cutoff := now.UTC().Add(-time.Duration(days) * 24 * time.Hour).Format(types.DefaultDateLayout)
	progress("delete", 0, 0)
	// One statement: notifications are bookkeeping (no audit, no hooks), and
	// a single DELETE keeps the writer busy for the shortest time.
	res, err := app.NonconcurrentDB().Delete(collections.Notifications, dbx.And(
		dbx.HashExp{"read": true},
		dbx.NewExp("[[created]] < {:cutoff}", dbx.Params{"cutoff": cutoff}),
	)).WithContext(ctx).Execute()
	if err != nil {
		return CleanupStats{RetentionDays: days, Cutoff: cutoff}, fmt.Errorf("delete read notifications: %w", err)
	}
	n, _ := res.RowsAffected()
	progress("delete", int(n), int(n))
	return CleanupStats{Deleted: n, RetentionDays: days, Cutoff: cutoff}, nil
}
