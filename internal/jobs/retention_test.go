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
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/stretchr/testify/require"
)

func TestEvidenceRetention(t *testing.T) {
	app := testutil.NewApp(t)
	techCol, _ := app.FindCachedCollectionByNameOrId(collections.Techniques)
	tech := core.NewRecord(techCol)
	tech.Set("stix_id", "attack-pattern--ret")
	tech.Set("name", "Retention technique")
	require.NoError(t, app.Save(tech))
	testCol, _ := app.FindCachedCollectionByNameOrId(collections.Tests)
	mkTest := func(state string) string {
		r := core.NewRecord(testCol)
		r.Set("name", "Retention "+state)
		r.Set("technique", tech.Id)
		require.NoError(t, app.Save(r))
		// Workflow guards keep state out of plain saves; set it as the transitions would.
		if _, err := app.DB().Update(collections.Tests, dbx.Params{"state": state}, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
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
		require.NoError(t, app.Save(r))
		created := time.Now().UTC().Add(-age).Format("2006-01-02 15:04:05.000Z")
		if _, err := app.DB().Update(collections.Evidence, dbx.Params{"created": created}, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		return r.Id
	}
	oldClosed := mkEvidence(closed, 400*24*time.Hour)
	newClosed := mkEvidence(closed, 2*24*time.Hour)
	oldRunning := mkEvidence(running, 400*24*time.Hour)

	// Default: keep forever.
	stats, err := jobs.EvidenceRetention(context.Background(), app, nil)
	if err != nil || stats["disabled"] != true {
		t.Fatalf("default retention should keep everything: %v %v", stats, err)
	}

	settings, _ := app.FindFirstRecordByData(collections.Settings, "key", "default")
	settings.Set("retention", map[string]any{"notifications_days": 90, "evidence_days": 365})
	require.NoError(t, app.Save(settings))
	stats, err = jobs.EvidenceRetention(context.Background(), app, nil)
	require.NoError(t, err)
	if stats["deleted"] != 1 {
		t.Fatalf("deleted %v, want 1 (%v)", stats["deleted"], stats)
	}
	for id, want := range map[string]bool{oldClosed: false, newClosed: true, oldRunning: true} {
		_, err := app.FindRecordById(collections.Evidence, id)
		if (err == nil) != want {
			t.Errorf("evidence %s kept=%v, want %v", id, err == nil, want)
		}
	}
	entries, _ := app.FindRecordsByFilter(collections.AuditLogs, "action = 'delete' && record_id = {:id}", "", 0, 0, dbx.Params{"id": oldClosed})
	if len(entries) != 1 {
		t.Fatalf("retention deletion not audited: %d entries", len(entries))
	}
}
