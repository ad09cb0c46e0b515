package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

type jobItem struct {
	Name, Title, Schedule, Integration, Kind string
	NextRun                                  string `json:"next_run"`
	Enabled                                  bool
	Running                                  *struct{ Id string }
	LastRuns                                 []struct{ Id, Status string } `json:"last_runs"`
}

func listJobs(t *testing.T, url, token string) map[string]jobItem {
	t.Helper()
	res := testutil.Do(t, http.MethodGet, url+"/api/aegis/jobs", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET jobs: %d %s", res.Status, res.Body)
	}
	var body struct{ Items []jobItem }
	res.JSON(t, &body)
	out := map[string]jobItem{}
	for _, it := range body.Items {
		out[it.Name] = it
	}
	return out
}

func TestJobsAPI(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)

	if res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/jobs", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", res.Status)
	}
	items := listJobs(t, srv.URL, users["viewer"].Token)
	cleanup, ok := items["notification-cleanup"]
	if !ok || cleanup.Schedule != "30 1 * * *" || cleanup.NextRun == "" || !cleanup.Enabled || cleanup.Running != nil {
		t.Fatalf("notification-cleanup in the list: %+v", cleanup)
	}
	ent, err := jobs.FindIntegration(app, "MITRE ATT&CK Enterprise")
	if err != nil {
		t.Fatal(err)
	}
	sync := items["sync:"+ent.Id]
	if sync.Integration != ent.Id || sync.Kind != "attack" || sync.Enabled || sync.Schedule != "" || sync.Title != "Sync MITRE ATT&CK Enterprise" {
		t.Fatalf("seeded integration job: %+v", sync)
	}

	run := func(name, token string) testutil.Response {
		return testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/jobs/"+name+"/run", token, nil)
	}
	for _, role := range []string{"viewer", "red_lead", "blue_lead"} {
		if res := run("notification-cleanup", users[role].Token); res.Status != http.StatusForbidden {
			t.Errorf("%s runs a job: %d", role, res.Status)
		}
	}
	if res := run("notification-cleanup", ""); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous runs a job: %d", res.Status)
	}
	if res := run("no-such-job", users["admin"].Token); res.Status != http.StatusNotFound {
		t.Errorf("unknown job: %d %s", res.Status, res.Body)
	}
	res := run("notification-cleanup", users["admin"].Token)
	if res.Status != http.StatusAccepted {
		t.Fatalf("admin runs cleanup: %d %s", res.Status, res.Body)
	}
	var ans runAnswer
	res.JSON(t, &ans)
	if ans.JobRun.Job != "notification-cleanup" || ans.JobRun.RequestedBy != users["admin"].Id {
		t.Fatalf("job_run %+v", ans.JobRun)
	}
	if got := waitRun(t, app, ans.JobRun.Id).GetString("status"); got != jobs.StatusSucceeded {
		t.Fatalf("cleanup run %s", got)
	}
	items = listJobs(t, srv.URL, users["blue_analyst"].Token)
	if lr := items["notification-cleanup"].LastRuns; len(lr) != 1 || lr[0].Id != ans.JobRun.Id || lr[0].Status != "succeeded" {
		t.Fatalf("last runs after the run: %+v", lr)
	}

	// A job in progress: the list shows it, a second run is 409 naming it.
	release := make(chan struct{})
	if err := jobs.Add(jobs.Job{Name: "test-hold", Run: func(ctx context.Context, app core.App, r *jobs.Run) (map[string]any, error) {
		<-release
		return nil, nil
	}}); err != nil {
		t.Fatal(err)
	}
	defer jobs.Remove("test-hold")
	res = run("test-hold", users["admin"].Token)
	res.JSON(t, &ans)
	items = listJobs(t, srv.URL, users["viewer"].Token)
	if r := items["test-hold"].Running; r == nil || r.Id != ans.JobRun.Id {
		t.Errorf("running run in the list: %+v", items["test-hold"].Running)
	}
	res = run("test-hold", users["admin"].Token)
	var busy struct {
		Status int
		Data   runAnswer
	}
	res.JSON(t, &busy)
	if res.Status != http.StatusConflict || busy.Data.JobRun.Id != ans.JobRun.Id {
		t.Fatalf("second run: %d %s", res.Status, res.Body)
	}
	close(release)
	waitRun(t, app, ans.JobRun.Id)
}

func TestIntegrationSyncAPI(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"type":"bundle","id":"bundle--2","objects":[]}`)
	}))
	defer feed.Close()
	restore := registry.Override("intel", func(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
		rep := &importers.Report{Kind: "intel", Source: src.String()}
		err := src.Walk(ctx, func(e source.Entry) error { rep.Files++; return nil })
		return rep, err
	})
	defer restore()

	col, _ := app.FindCachedCollectionByNameOrId(collections.Integrations)
	rec := core.NewRecord(col)
	rec.Load(map[string]any{"kind": "intel", "name": "Feed", "enabled": false, "source": map[string]any{"spec": feed.URL + "/r.json"}})
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	path := srv.URL + "/api/aegis/integrations/" + rec.Id + "/sync"
	if res := testutil.Do(t, http.MethodPost, path, users["blue_lead"].Token, nil); res.Status != http.StatusForbidden {
		t.Fatalf("blue lead syncs: %d", res.Status)
	}
	if res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/integrations/nosuchid123456/sync", users["admin"].Token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("unknown integration: %d", res.Status)
	}
	res := testutil.Do(t, http.MethodPost, path, users["admin"].Token, nil)
	if res.Status != http.StatusAccepted {
		t.Fatalf("sync: %d %s", res.Status, res.Body)
	}
	var ans runAnswer
	res.JSON(t, &ans)
	if ans.JobRun.Job != "sync:"+rec.Id {
		t.Fatalf("job %q", ans.JobRun.Job)
	}
	run := waitRun(t, app, ans.JobRun.Id)
	if run.GetString("status") != jobs.StatusSucceeded || run.GetString("integration") != rec.Id {
		t.Fatalf("sync run %s %q", run.GetString("status"), run.GetString("error"))
	}
	rec, _ = app.FindRecordById(collections.Integrations, rec.Id)
	if rec.GetString("last_status") != "succeeded" {
		t.Fatalf("integration last_status %q", rec.GetString("last_status"))
	}
}

// TestJobProgressOverRealtime is what the SPA does: subscribe to job_runs
// over SSE as an ordinary user and watch a run advance and finish, both for
// a job that saves as it goes and for one that holds the database writer in
// a transaction the whole time (as an import does).
func TestJobProgressOverRealtime(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	const steps = 8
	steady := func(ctx context.Context, app core.App, r *jobs.Run) (map[string]any, error) {
		for i := 1; i <= steps; i++ {
			r.Progress("work", i, steps)
			time.Sleep(2 * jobs.ProgressInterval / 3)
		}
		return map[string]any{"steps": steps}, nil
	}
	inTx := func(ctx context.Context, app core.App, r *jobs.Run) (map[string]any, error) {
		return nil, app.RunInTransaction(func(tx core.App) error {
			col, err := tx.FindCachedCollectionByNameOrId(collections.Notifications)
			if err != nil {
				return err
			}
			for i := 1; i <= steps; i++ {
				n := core.NewRecord(col)
				n.Set("user", users["viewer"].Id)
				n.Set("title", "step")
				if err := tx.Save(n); err != nil {
					return err
				}
				r.Progress("write", i, steps)
				time.Sleep(2 * jobs.ProgressInterval / 3)
			}
			return nil
		})
	}
	for name, fn := range map[string]func(context.Context, core.App, *jobs.Run) (map[string]any, error){
		"test-steps": steady, "test-tx-steps": inTx} {
		if err := jobs.Add(jobs.Job{Name: name, Run: fn}); err != nil {
			t.Fatal(err)
		}
		defer jobs.Remove(name)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	type event struct{ name, data string }
	events := make(chan event, 100)
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(line[6:])
			case strings.HasPrefix(line, "data:"):
				ev.data = strings.TrimSpace(line[5:])
			case line == "":
				if ev.name != "" {
					events <- ev
				}
				ev = event{}
			}
		}
		close(events)
	}()
	next := func() event {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("realtime stream closed")
			}
			return ev
		case <-time.After(15 * time.Second):
			t.Fatal("no realtime event")
		}
		return event{}
	}
	connect := next()
	var hello struct{ ClientId string }
	if err := json.Unmarshal([]byte(connect.data), &hello); connect.name != "PB_CONNECT" || err != nil {
		t.Fatalf("first event %+v", connect)
	}
	sub := testutil.Do(t, http.MethodPost, srv.URL+"/api/realtime", users["viewer"].Token,
		map[string]any{"clientId": hello.ClientId, "subscriptions": []string{"job_runs/*"}})
	if sub.Status != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", sub.Status, sub.Body)
	}

	for _, name := range []string{"test-steps", "test-tx-steps"} {
		start := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/jobs/"+name+"/run", users["admin"].Token, nil)
		var ans runAnswer
		start.JSON(t, &ans)
		var midway []int
		for {
			ev := next()
			var msg struct {
				Action string
				Record struct {
					Id, Status string
					Progress   jobs.Progress
				}
			}
			if err := json.Unmarshal([]byte(ev.data), &msg); err != nil || msg.Record.Id != ans.JobRun.Id {
				continue
			}
			if ev.name != "job_runs/*" || msg.Action != "update" && msg.Action != "create" {
				t.Errorf("%s: event %s action %s", name, ev.name, msg.Action)
			}
			if msg.Record.Status == jobs.StatusRunning && msg.Record.Progress.Done > 0 && msg.Record.Progress.Done < steps {
				midway = append(midway, msg.Record.Progress.Done)
			}
			if msg.Record.Status == jobs.StatusSucceeded {
				if msg.Record.Progress.Done != steps {
					t.Errorf("%s: final progress %+v", name, msg.Record.Progress)
				}
				break
			}
		}
		if len(midway) < 2 {
			t.Errorf("%s: progress events while running: %v, want several", name, midway)
		}
	}
}
