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
)

func TestEvidenceRetention(t *testing.T) {
	app := testutil.NewApp(t)
	techCol, _ := app.FindCachedCollectionByNameOrId(collections.Techniques)
	tech := core.NewRecord(techCol)
	tech.Set("stix_id", "attack-pattern--ret")
	tech.Set("name", "Retention technique")
	if err := app.Save(tech); err != nil {
		t.Fatal(err)
	}
	testCol, _ := app.FindCachedCollectionByNameOrId(collections.Tests)
	mkTest := func(state string) string {
		r := core.NewRecord(testCol)
		r.Set("name", "Retention "+state)
		r.Set("technique", tech.Id)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
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
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
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
	stats, err := evidence.Retention(context.Background(), app, time.Now(), nil)
	if err != nil || !stats.Disabled || stats.Deleted != 0 {
		t.Fatalf("default retention should keep everything: %+v %v", stats, err)
	}

	settings, _ := app.FindFirstRecordByData(collections.Settings, "key", "default")
	settings.Set("retention", map[string]any{"notifications_days": 90, "evidence_days": 365})
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}
	stats, err = evidence.Retention(context.Background(), app, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Deleted != 1 || stats.Bytes != 8 || stats.RetentionDays != 365 {
		t.Fatalf("stats %+v, want 1 deleted (8 bytes) at 365 days", stats)
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
