package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestNotificationCleanup(t *testing.T) {
	app := testutil.NewApp(t)
	user := testutil.Users(t)["blue_analyst"].Id
	col, _ := app.FindCachedCollectionByNameOrId(collections.Notifications)
	mk := func(title string, read bool, age time.Duration) string {
		r := core.NewRecord(col)
		r.Set("user", user)
		r.Set("kind", "test")
		r.Set("title", title)
		r.Set("read", read)
		require.NoError(t, app.Save(r))
		created := time.Now().UTC().Add(-age).Format("2006-01-02 15:04:05.000Z")
		if _, err := app.DB().Update(collections.Notifications, dbx.Params{"created": created}, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		return r.Id
	}
	day := 24 * time.Hour
	oldRead := mk("old read", true, 100*day)
	oldUnread := mk("old unread", false, 400*day)
	newRead := mk("recent read", true, 10*day)
	midRead := mk("read 40 days ago", true, 40*day)

	run := func() map[string]any {
		job, err := jobs.Lookup(app, "notification-cleanup")
		require.NoError(t, err)
		rec, err := jobs.RunNow(context.Background(), app, job, jobs.Options{})
		require.NoError(t, err)
		if rec.GetString("status") != jobs.StatusSucceeded {
			t.Fatalf("cleanup %s: %s", rec.GetString("status"), rec.GetString("error"))
		}
		var stats map[string]any
		_ = rec.UnmarshalJSONField("stats", &stats)
		return stats
	}
	exists := func(id string) bool {
		_, err := app.FindRecordById(collections.Notifications, id)
		return err == nil
	}

	stats := run() // default retention: 90 days
	if stats["deleted"] != float64(1) || stats["retention_days"] != float64(90) {
		t.Fatalf("stats %v", stats)
	}
	if exists(oldRead) || !exists(oldUnread) || !exists(newRead) || !exists(midRead) {
		t.Fatal("90-day cleanup removed the wrong notifications")
	}

	// A shorter retention from settings.
	s, err := app.FindFirstRecordByData(collections.Settings, "key", "default")
	require.NoError(t, err)
	s.Set("retention", map[string]any{"notifications_days": 30, "evidence_days": 0})
	require.NoError(t, app.Save(s))
	if stats := run(); stats["deleted"] != float64(1) {
		t.Fatalf("30-day cleanup stats %v", stats)
	}
	if exists(midRead) || !exists(newRead) || !exists(oldUnread) {
		t.Fatal("30-day cleanup removed the wrong notifications")
	}
}
