package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const feedBundle = `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
{"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3","name":"A","published":"2026-01-01T00:00:00Z","object_refs":["attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5"]},
{"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb4","name":"B","published":"2026-01-02T00:00:00Z","object_refs":["attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5"]},
{"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb5","name":"C","published":"2026-01-03T00:00:00Z","object_refs":["attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5"]}]}`

// countingImporter is a stand-in importer for the plumbing tests: it reads
// every file of the source, decodes it as a bundle, reports progress per
// object and counts them as created. It writes nothing.
func countingImporter(kind string) importers.Func {
	return func(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
		rep := &importers.Report{Kind: kind, Source: src.String(), Skipped: []importers.Skip{}, FileErrors: []importers.FileError{}}
		err := src.Walk(ctx, func(e source.Entry) error {
			var b struct {
				Type    string            `json:"type"`
				Objects []json.RawMessage `json:"objects"`
			}
			if err := json.NewDecoder(e.Body).Decode(&b); err != nil {
				return fmt.Errorf("%s: %w", e.Path, err)
			}
			if b.Type != "bundle" {
				return fmt.Errorf("%s: not a STIX bundle", e.Path)
			}
			rep.Files++
			for i := range b.Objects {
				rep.Created++
				if opts.Progress != nil {
					opts.Progress("parse", i+1, len(b.Objects))
				}
			}
			return nil
		})
		return rep, err
	}
}

func useImporter(t *testing.T, kind string, fn importers.Func) {
	t.Helper()
	restore := registry.Override(kind, fn)
	t.Cleanup(restore)
}

func newIntegration(t *testing.T, app core.App, fields map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCachedCollectionByNameOrId(collections.Integrations)
	require.NoError(t, err)
	r := core.NewRecord(col)
	r.Load(fields)
	require.NoError(t, app.Save(r), "create integration")
	return r
}

func cronExpr(app core.App, id string) (string, bool) {
	for _, j := range app.Cron().Jobs() {
		if j.Id() == id {
			return j.Expression(), true
		}
	}
	return "", false
}

func TestIntegrationSyncFromHTTP(t *testing.T) {
	app := testutil.NewApp(t)
	useImporter(t, "intel", countingImporter("intel"))
	var hits atomic.Int32
	var auth sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth.Store("h", r.Header.Get("Authorization"))
		if r.URL.Path != "/feeds/reports.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, feedBundle)
	}))
	defer srv.Close()

	rec := newIntegration(t, app, map[string]any{
		"kind": "intel", "name": "Partner reports", "enabled": true,
		"source": map[string]any{"spec": srv.URL + "/feeds/reports.json", "token": "s3cret"},
	})
	expr, ok := cronExpr(app, "aegis:sync:"+rec.Id)
	require.True(t, ok, "cron for the new integration: %q %v, want the weekly default", expr, ok)
	require.Equal(t, jobs.ContentSyncSchedule, expr, "cron for the new integration: %q %v, want the weekly default", expr, ok)

	runs, err := jobs.SyncNow(context.Background(), app, "partner REPORTS", jobs.Options{RequestedBy: testutil.Users(t)["admin"].Id})
	require.NoError(t, err, "SyncNow: %v (%d runs)", err, len(runs))
	require.Len(t, runs, 1, "SyncNow: %v (%d runs)", err, len(runs))
	run := runs[0]
	require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), "run: status %s integration %s job %s error %q", run.GetString("status"), run.GetString("integration"), run.GetString("job"), run.GetString("error"))
	require.Equal(t, rec.Id, run.GetString("integration"), "run: status %s integration %s job %s error %q", run.GetString("status"), run.GetString("integration"), run.GetString("job"), run.GetString("error"))
	require.Equal(t, "sync:"+rec.Id, run.GetString("job"), "run: status %s integration %s job %s error %q", run.GetString("status"), run.GetString("integration"), run.GetString("job"), run.GetString("error"))
	require.Equal(t, testutil.Users(t)["admin"].Id, run.GetString("requested_by"), "run: status %s integration %s job %s error %q", run.GetString("status"), run.GetString("integration"), run.GetString("job"), run.GetString("error"))
	var stats importers.Report
	require.NoError(t, run.UnmarshalJSONField("stats", &stats), "run stats %+v", stats)
	require.Equal(t, 3, stats.Created, "run stats %+v", stats)
	require.Equal(t, 1, stats.Files, "run stats %+v", stats)
	got, _ := auth.Load("h")
	assert.Equal(t, "Bearer s3cret", got, "the integration's Authorization header is sent")
	var p jobs.Progress
	_ = run.UnmarshalJSONField("progress", &p)
	assert.Equal(t, jobs.Progress{Stage: "parse", Done: 3, Total: 3}, p, "final progress")

	rec, _ = app.FindRecordById(collections.Integrations, rec.Id)
	require.Equal(t, jobs.StatusSucceeded, rec.GetString("last_status"), "integration after sync: status %q error %q at %v", rec.GetString("last_status"), rec.GetString("last_error"), rec.GetDateTime("last_sync_at"))
	require.Empty(t, rec.GetString("last_error"), "integration after sync: status %q error %q at %v", rec.GetString("last_status"), rec.GetString("last_error"), rec.GetDateTime("last_sync_at"))
	require.False(t, rec.GetDateTime("last_sync_at").IsZero(), "integration after sync: status %q error %q at %v", rec.GetString("last_status"), rec.GetString("last_error"), rec.GetDateTime("last_sync_at"))
	var last importers.Report
	require.NoError(t, rec.UnmarshalJSONField("last_sync_stats", &last), "last_sync_stats %+v", last)
	require.Equal(t, 3, last.Created, "last_sync_stats %+v", last)

	// The same sync when the upstream fails: retried with backoff, then
	// recorded as failed on the run and on the integration.
	rec.Set("source", map[string]any{"spec": srv.URL + "/feeds/moved.json"})
	require.NoError(t, app.Save(rec))
	before := hits.Load()
	job := jobs.IntegrationJob(rec)
	job.Backoff = time.Millisecond // same job, test-sized backoff
	r2, err := jobs.RunNow(context.Background(), app, job, jobs.Options{Trigger: jobs.TriggerSchedule})
	require.NoError(t, err)
	require.Equal(t, jobs.StatusFailed, r2.GetString("status"), "failing sync: status %s attempt %d error %q", r2.GetString("status"), r2.GetInt("attempt"), r2.GetString("error"))
	require.Equal(t, 3, r2.GetInt("attempt"), "failing sync: status %s attempt %d error %q", r2.GetString("status"), r2.GetInt("attempt"), r2.GetString("error"))
	require.Contains(t, r2.GetString("error"), "404", "failing sync: status %s attempt %d error %q", r2.GetString("status"), r2.GetInt("attempt"), r2.GetString("error"))
	n := hits.Load() - before
	assert.Equal(t, int32(3), n, "upstream asked %d times, want 3 (1 + 2 retries)", n)
	rec, _ = app.FindRecordById(collections.Integrations, rec.Id)
	require.Equal(t, jobs.StatusFailed, rec.GetString("last_status"), "integration after failed sync: %q %q", rec.GetString("last_status"), rec.GetString("last_error"))
	require.Contains(t, rec.GetString("last_error"), "404", "integration after failed sync: %q %q", rec.GetString("last_status"), rec.GetString("last_error"))
}

func TestIntegrationScheduleFollowsTheRecord(t *testing.T) {
	app := testutil.NewApp(t)
	ent, err := jobs.FindIntegration(app, "MITRE ATT&CK Enterprise")
	require.NoError(t, err)
	cronId := "aegis:sync:" + ent.Id
	_, onCron := cronExpr(app, cronId)
	require.False(t, onCron, "a disabled integration is not on the cron")
	ent.Set("enabled", true)
	require.NoError(t, app.Save(ent))
	expr, ok := cronExpr(app, cronId)
	require.True(t, ok, "enabled ATT&CK integration cron %q %v, want the daily default", expr, ok)
	require.Equal(t, jobs.AttackSyncSchedule, expr, "enabled ATT&CK integration cron %q %v, want the daily default", expr, ok)
	// "Due" as the cron decides it.
	s, _ := jobs.ParseSchedule(expr)
	due := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	assert.True(t, jobs.IsDue(s, due), "daily ATT&CK sync due at the wrong minutes")
	assert.False(t, jobs.IsDue(s, due.Add(time.Minute)), "daily ATT&CK sync due at the wrong minutes")
	assert.False(t, jobs.IsDue(s, due.Add(-time.Hour)), "daily ATT&CK sync due at the wrong minutes")
	next := jobs.NextRun(expr, due)
	assert.True(t, next.Equal(due.Add(24*time.Hour)), "next after a run: %s", next)

	ent.Set("schedule", "*/30 * * * *")
	require.NoError(t, app.Save(ent))
	expr, _ = cronExpr(app, cronId)
	require.Equal(t, "*/30 * * * *", expr, "the integration's own schedule is on the cron")
	ent.Set("schedule", "every half hour")
	require.ErrorContains(t, app.Save(ent), "schedule", "invalid schedule accepted")
	ent, _ = app.FindRecordById(collections.Integrations, ent.Id)
	ent.Set("enabled", false)
	require.NoError(t, app.Save(ent))
	_, onCron = cronExpr(app, cronId)
	require.False(t, onCron, "disabling removes the cron")
	// An enabled integration needs somewhere to sync from.
	col, _ := app.FindCachedCollectionByNameOrId(collections.Integrations)
	bad := core.NewRecord(col)
	bad.Load(map[string]any{"kind": "sigma", "name": "No source", "enabled": true})
	require.ErrorContains(t, app.Save(bad), "source", "enabled integration without a source accepted")
}

func TestSeededAttackIntegrations(t *testing.T) {
	app := testutil.NewApp(t)
	for _, tc := range []struct{ name, file, collection string }{
		{"MITRE ATT&CK Enterprise", "enterprise-attack/enterprise-attack.json", "x-mitre-collection--1f5f1533-f617-4ca8-9ab4-6a02367fa019"},
		{"MITRE ATT&CK Mobile", "mobile-attack/mobile-attack.json", "x-mitre-collection--dac0d2d7-8653-445c-9bff-82f934c1e858"},
		{"MITRE ATT&CK ICS", "ics-attack/ics-attack.json", "x-mitre-collection--90c00720-636b-4485-b342-8751d232bf09"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := jobs.FindIntegration(app, tc.name)
			require.NoError(t, err, "find the integration")
			assert.False(t, rec.GetBool("enabled"), "%s: enabled %v kind %s; want a disabled attack integration", tc.name, rec.GetBool("enabled"), rec.GetString("kind"))
			assert.Equal(t, "attack", rec.GetString("kind"), "%s: enabled %v kind %s; want a disabled attack integration", tc.name, rec.GetBool("enabled"), rec.GetString("kind"))
			src, err := jobs.ParseIntegrationSource(rec)
			require.NoError(t, err, "parse the integration's source")
			assert.Equal(t, "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/"+tc.file, src.Spec, "%s: spec %s", tc.name, src.Spec)
			if assert.Len(t, src.Alternatives, 1, "alternatives %v", src.Alternatives) {
				assert.Equal(t, "taxii+https://attack-taxii.mitre.org/api/v21/collections/"+tc.collection+"/", src.Alternatives[0]["spec"], "the TAXII alternative")
			}
			// Both specs are ones the source layer accepts.
			for _, spec := range []string{src.Spec, src.Alternatives[0]["spec"].(string)} {
				_, err := source.Open(spec, source.Options{})
				assert.NoError(t, err, "%s: source.Open(%s)", tc.name, spec)
			}
		})
	}
}
