package evidence_test

import (
	"context"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvidenceRetention(t *testing.T) {
	app := testutil.NewApp(t)
	techCol, _ := app.FindCachedCollectionByNameOrId(collections.Techniques)
	tech := core.NewRecord(techCol)
	tech.Set("stix_id", "attack-pattern--ret")
	tech.Set("name", "Retention technique")
	require.NoError(t, app.Save(tech), "save the technique")
	testCol, _ := app.FindCachedCollectionByNameOrId(collections.Tests)
	mkTest := func(state string) string {
		r := core.NewRecord(testCol)
		r.Set("name", "Retention "+state)
		r.Set("technique", tech.Id)
		require.NoError(t, app.Save(r), "save a test")
		// Workflow guards keep state out of plain saves; set it as the transitions would.
		_, err := app.DB().Update(collections.Tests, dbx.Params{"state": state}, dbx.HashExp{"id": r.Id}).Execute()
		require.NoError(t, err, "set the test's state")
		return r.Id
	}
	closed, running := mkTest(collections.StateClosed), mkTest(collections.StateExecuting)
	evCol, _ := app.FindCachedCollectionByNameOrId(collections.Evidence)
	mkEvidence := func(test string, age time.Duration) string {
		r := core.NewRecord(evCol)
		f, _ := filesystem.NewFileFromBytes([]byte("log line"), "log.txt")
		r.Set("test", test)
		r.Set("team", "red")
		r.Set("file", f)
		r.Set("size", 8)
		require.NoError(t, app.Save(r), "save an evidence record")
		created := time.Now().UTC().Add(-age).Format("2006-01-02 15:04:05.000Z")
		_, err := app.DB().Update(collections.Evidence, dbx.Params{"created": created}, dbx.HashExp{"id": r.Id}).Execute()
		require.NoError(t, err, "backdate the evidence")
		return r.Id
	}
	oldClosed := mkEvidence(closed, 400*24*time.Hour)
	newClosed := mkEvidence(closed, 2*24*time.Hour)
	oldRunning := mkEvidence(running, 400*24*time.Hour)

	// Default: keep forever.
	stats, err := evidence.Retention(context.Background(), app, time.Now(), nil)
	require.NoError(t, err, "default retention should keep everything: %+v", stats)
	require.True(t, stats.Disabled, "default retention should keep everything: %+v %v", stats, err)
	require.Equal(t, 0, stats.Deleted, "default retention should keep everything: %+v %v", stats, err)

	settings, _ := app.FindFirstRecordByData(collections.Settings, "key", "default")
	settings.Set("retention", map[string]any{"notifications_days": 90, "evidence_days": 365})
	require.NoError(t, app.Save(settings), "save the retention settings")
	stats, err = evidence.Retention(context.Background(), app, time.Now(), nil)
	require.NoError(t, err, "run retention with the settings")
	require.Equal(t, 1, stats.Deleted, "stats %+v, want 1 deleted (8 bytes) at 365 days", stats)
	require.Equal(t, int64(8), stats.Bytes, "stats %+v, want 1 deleted (8 bytes) at 365 days", stats)
	require.Equal(t, 365, stats.RetentionDays, "stats %+v, want 1 deleted (8 bytes) at 365 days", stats)
	for _, tc := range []struct {
		name, id string
		kept     bool
	}{
		{"old evidence of a closed test is removed", oldClosed, false},
		{"recent evidence of a closed test is kept", newClosed, true},
		{"old evidence of a running test is kept", oldRunning, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := app.FindRecordById(collections.Evidence, tc.id)
			assert.Equal(t, tc.kept, err == nil, "evidence %s kept: %v", tc.id, err)
		})
	}
	entries, _ := app.FindRecordsByFilter(collections.AuditLogs, "action = 'delete' && record_id = {:id}", "", 0, 0, dbx.Params{"id": oldClosed})
	require.Len(t, entries, 1, "retention deletion not audited: %d entries", len(entries))
}
