package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// DefaultNotificationDays is how long read notifications are kept when
// settings.retention.notifications_days is unset.
const DefaultNotificationDays = 90

// CleanupNotifications deletes notifications that were read and are older
// than settings.retention.notifications_days (default 90). Unread ones are
// kept whatever their age: nobody has seen them yet.
func CleanupNotifications(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	days := retentionDays(app, "notifications_days", DefaultNotificationDays)
	if days <= 0 {
		return map[string]any{"deleted": 0, "retention_days": days, "disabled": true}, nil
	}
	cutoff := time.Now().UTC().Add(-time.Duration(days) * 24 * time.Hour)
	if run != nil {
		run.Progress("delete", 0, 0)
	}
	// One statement: notifications are bookkeeping (no audit, no hooks), and
	// a single DELETE keeps the writer busy for the shortest time.
	res, err := app.NonconcurrentDB().Delete(collections.Notifications, dbx.And(
		dbx.HashExp{"read": true},
		dbx.NewExp("[[created]] < {:cutoff}", dbx.Params{"cutoff": dbTime(cutoff)}),
	)).WithContext(ctx).Execute()
	if err != nil {
		return nil, err
	}
	n, _ := res.RowsAffected()
	if run != nil {
		run.Progress("delete", int(n), int(n))
		run.Logf("deleted %d read notifications older than %d days", n, days)
	}
	return map[string]any{"deleted": n, "retention_days": days, "cutoff": dbTime(cutoff)}, nil
}

// retentionDays reads settings.retention[key] of the "default" settings record.
func retentionDays(app core.App, key string, def int) int {
	rec, err := app.FindFirstRecordByData(collections.Settings, "key", "default")
	if err != nil {
		return def
	}
	var ret map[string]json.RawMessage
	if err := rec.UnmarshalJSONField("retention", &ret); err != nil {
		return def
	}
	raw, ok := ret[key]
	if !ok {
		return def
	}
	var days float64
	if err := json.Unmarshal(raw, &days); err != nil {
		return def
	}
	return int(days)
}
