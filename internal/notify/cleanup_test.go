package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
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
		require.NoError(t, app.Save(r), "save a notification")
		created := time.Now().UTC().Add(-age).Format("2006-01-02 15:04:05.000Z")
		_, err := app.DB().Update(collections.Notifications, dbx.Params{"created": created}, dbx.HashExp{"id": r.Id}).Execute()
		require.NoError(t, err, "backdate the notification")
		return r.Id
	}
	day := 24 * time.Hour
	oldRead := mk("old read", true, 100*day)
	oldUnread := mk("old unread", false, 400*day)
	newRead := mk("recent read", true, 10*day)
	midRead := mk("read 40 days ago", true, 40*day)

	exists := func(id string) bool {
		_, err := app.FindRecordById(collections.Notifications, id)
		return err == nil
	}

	// Default retention: 90 days, through the job runner as the cron runs it.
	job, err := jobs.Lookup(app, "notification-cleanup")
	require.NoError(t, err)
	rec, err := jobs.RunNow(context.Background(), app, job, jobs.Options{})
	require.NoError(t, err)
	require.Equal(t, jobs.StatusSucceeded, rec.GetString("status"), rec.GetString("error"))
	var stats map[string]any
	require.NoError(t, rec.UnmarshalJSONField("stats", &stats))
	assert.Equal(t, float64(1), stats["deleted"])
	assert.Equal(t, float64(notify.DefaultRetentionDays), stats["retention_days"])
	assert.False(t, exists(oldRead), "old read notification kept")
	assert.True(t, exists(oldUnread), "unread notification deleted")
	assert.True(t, exists(newRead), "recent read notification deleted")
	assert.True(t, exists(midRead), "40-day read notification deleted under 90-day retention")

	// A shorter retention from settings.
	s, err := app.FindFirstRecordByData(collections.Settings, "key", "default")
	require.NoError(t, err)
	s.Set("retention", map[string]any{"notifications_days": 30, "evidence_days": 0})
	require.NoError(t, app.Save(s))
	st, err := notify.Cleanup(context.Background(), app, time.Now(), nil)
	require.NoError(t, err)
	assert.Equal(t, notify.CleanupStats{Deleted: 1, RetentionDays: 30, Cutoff: st.Cutoff}, st)
	assert.False(t, exists(midRead), "40-day read notification kept under 30-day retention")
	assert.True(t, exists(newRead), "recent read notification deleted")
	assert.True(t, exists(oldUnread), "unread notification deleted")

	// Zero disables the cleanup.
	s.Set("retention", map[string]any{"notifications_days": 0})
	require.NoError(t, app.Save(s))
	st, err = notify.Cleanup(context.Background(), app, time.Now(), nil)
	require.NoError(t, err)
	assert.Equal(t, notify.CleanupStats{Disabled: true}, st)
	assert.True(t, exists(newRead))
}
