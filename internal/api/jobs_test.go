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
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type jobItem struct {
	Name, Title, Schedule, Integration, Kind string
	NextRun                                  string `json:"next_run"`
	Enabled                                  bool
	Running                                  *struct{ Id string }
	LastRuns                                 []struct{ Id, Status string } `json:"last_runs"`
}

func listJobs(t testing.TB, url, token string) map[string]jobItem {
	t.Helper()
	res := testutil.Do(t, http.MethodGet, url+"/api/aegis/jobs", token, nil)
	require.Equal(t, http.StatusOK, res.Status, "GET jobs: %s", res.Body)
	var body struct{ Items []jobItem }
	res.JSON(t, &body)
	out := map[string]jobItem{}
	for _, it := range body.Items {
		out[it.Name] = it
	}
	return out
}

func TestJobsAPI(t *testing.T) {
	s := testutil.NewServer(t)
	app := s.App
	users := testutil.Users(t)
	admin := users[collections.RoleAdmin]

	s.Run(t, testutil.Scenario{
		Name: "a guest cannot list jobs", Method: http.MethodGet, URL: "/api/aegis/jobs",
		ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
	})
	items := listJobs(t, s.URL, users["viewer"].Token)
	cleanup, ok := items["notification-cleanup"]
	require.True(t, ok, "notification-cleanup in the list")
	assert.Equal(t, "30 1 * * *", cleanup.Schedule)
	assert.NotEmpty(t, cleanup.NextRun)
	assert.True(t, cleanup.Enabled)
	require.Nil(t, cleanup.Running)
	ent, err := jobs.FindIntegration(app, "MITRE ATT&CK Enterprise")
	require.NoError(t, err)
	sync := items["sync:"+ent.Id]
	require.Equal(t, jobItem{Name: "sync:" + ent.Id, Title: "Sync MITRE ATT&CK Enterprise", Integration: ent.Id, Kind: "attack",
		Schedule: "", Enabled: false, NextRun: sync.NextRun, Running: sync.Running, LastRuns: sync.LastRuns}, sync, "seeded integration job")

	const cleanupRun = "/api/aegis/jobs/notification-cleanup/run"
	var scenarios []testutil.Scenario
	for _, role := range []collections.Role{"viewer", "red_lead", "blue_lead"} {
		scenarios = append(scenarios, testutil.Scenario{
			Name: string(role) + " cannot run a job", Method: http.MethodPost, URL: cleanupRun, Token: users[role].Token,
			ExpectedStatus: http.StatusForbidden, ExpectedError: true,
		})
	}
	var ans runAnswer
	scenarios = append(scenarios,
		testutil.Scenario{
			Name: "a guest cannot run a job", Method: http.MethodPost, URL: cleanupRun,
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "an unknown job is 404", Method: http.MethodPost, URL: "/api/aegis/jobs/no-such-job/run", Token: admin.Token,
			ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "admin runs the cleanup", Method: http.MethodPost, URL: cleanupRun, Token: admin.Token,
			ExpectedStatus: http.StatusAccepted, ExpectedContent: []string{`"job":"notification-cleanup"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, r testutil.Response) {
				r.JSON(t, &ans)
				require.Equal(t, "notification-cleanup", ans.JobRun.Job)
				require.Equal(t, admin.Id, ans.JobRun.RequestedBy)
				require.Equal(t, jobs.StatusSucceeded, waitRun(t, app, ans.JobRun.Id).GetString("status"), "cleanup run")
			},
		},
	)
	s.Run(t, scenarios...)
	items = listJobs(t, s.URL, users["blue_analyst"].Token)
	lr := items["notification-cleanup"].LastRuns
	require.Len(t, lr, 1, "last runs after the run: %+v", lr)
	require.Equal(t, ans.JobRun.Id, lr[0].Id)
	require.Equal(t, "succeeded", lr[0].Status)

	// A job in progress: the list shows it, a second run is 409 naming it.
	release := make(chan struct{})
	require.NoError(t, jobs.Add(jobs.Job{Name: "test-hold", Run: func(ctx context.Context, app core.App, r *jobs.Run) (map[string]any, error) {
		<-release
		return nil, nil
	}}))
	defer jobs.Remove("test-hold")
	const holdRun = "/api/aegis/jobs/test-hold/run"
	s.Run(t,
		testutil.Scenario{
			Name: "admin starts a held job", Method: http.MethodPost, URL: holdRun, Token: admin.Token,
			ExpectedStatus: http.StatusAccepted, ExpectedContent: []string{`"job":"test-hold"`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				r.JSON(t, &ans)
				items := listJobs(t, s.URL, users["viewer"].Token)
				if assert.NotNil(t, items["test-hold"].Running, "running run in the list") {
					assert.Equal(t, ans.JobRun.Id, items["test-hold"].Running.Id, "running run in the list")
				}
			},
		},
		testutil.Scenario{
			Name: "a second run while it runs is 409 naming the running one", Method: http.MethodPost, URL: holdRun, Token: admin.Token,
			ExpectedStatus: http.StatusConflict, ExpectedError: true,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				var busy struct {
					Status int
					Data   runAnswer
				}
				r.JSON(t, &busy)
				require.Equal(t, ans.JobRun.Id, busy.Data.JobRun.Id, "second run: %s", r.Body)
			},
		},
	)
	close(release)
	waitRun(t, app, ans.JobRun.Id)
}

func TestIntegrationSyncAPI(t *testing.T) {
	s := testutil.NewServer(t)
	app := s.App
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

	col, err := app.FindCachedCollectionByNameOrId(collections.Integrations)
	require.NoError(t, err)
	rec := core.NewRecord(col)
	rec.Load(map[string]any{"kind": "intel", "name": "Feed", "enabled": false, "source": map[string]any{"spec": feed.URL + "/r.json"}})
	require.NoError(t, app.Save(rec))
	path := "/api/aegis/integrations/" + rec.Id + "/sync"
	s.Run(t,
		testutil.Scenario{
			Name: "a blue lead cannot sync", Method: http.MethodPost, URL: path, Token: users["blue_lead"].Token,
			ExpectedStatus: http.StatusForbidden, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "an unknown integration is 404", Method: http.MethodPost, URL: "/api/aegis/integrations/nosuchid123456/sync",
			Token: users["admin"].Token, ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "admin syncs: a job run that succeeds and marks the integration", Method: http.MethodPost, URL: path,
			Token: users["admin"].Token, ExpectedStatus: http.StatusAccepted, ExpectedContent: []string{`"job":"sync:` + rec.Id + `"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, r testutil.Response) {
				var ans runAnswer
				r.JSON(t, &ans)
				require.Equal(t, "sync:"+rec.Id, ans.JobRun.Job)
				run := waitRun(t, app, ans.JobRun.Id)
				require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), "sync run error %q", run.GetString("error"))
				require.Equal(t, rec.Id, run.GetString("integration"))
				got, err := app.FindRecordById(collections.Integrations, rec.Id)
				require.NoError(t, err)
				require.Equal(t, "succeeded", got.GetString("last_status"), "integration last_status")
			},
		},
	)
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
		require.NoError(t, jobs.Add(jobs.Job{Name: name, Run: fn}))
		defer jobs.Remove(name)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
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
			require.True(t, ok, "realtime stream closed")
			return ev
		case <-time.After(15 * time.Second):
			require.FailNow(t, "no realtime event within 15 s")
		}
		return event{}
	}
	connect := next()
	var hello struct{ ClientId string }
	require.Equal(t, "PB_CONNECT", connect.name, "first event %+v", connect)
	require.NoError(t, json.Unmarshal([]byte(connect.data), &hello), "first event %+v", connect)
	sub := testutil.Do(t, http.MethodPost, srv.URL+"/api/realtime", users["viewer"].Token,
		map[string]any{"clientId": hello.ClientId, "subscriptions": []string{"job_runs/*"}})
	require.Equal(t, http.StatusNoContent, sub.Status, "subscribe: %s", sub.Body)

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
			assert.Equal(t, "job_runs/*", ev.name, "%s: event name", name)
			assert.Contains(t, []string{"update", "create"}, msg.Action, "%s: event action", name)
			if msg.Record.Status == jobs.StatusRunning && msg.Record.Progress.Done > 0 && msg.Record.Progress.Done < steps {
				midway = append(midway, msg.Record.Progress.Done)
			}
			if msg.Record.Status == jobs.StatusSucceeded {
				assert.Equal(t, steps, msg.Record.Progress.Done, "%s: final progress %+v", name, msg.Record.Progress)
				break
			}
		}
		assert.GreaterOrEqual(t, len(midway), 2, "%s: progress events while running: %v, want several", name, midway)
	}
}
