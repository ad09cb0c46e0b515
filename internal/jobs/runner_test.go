package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	if childMain() {
		return
	}
	testutil.Main(m)
}

// addJob registers j for the test's duration.
func addJob(t *testing.T, j jobs.Job) jobs.Job {
	t.Helper()
	require.NoError(t, jobs.Add(j))
	t.Cleanup(func() { jobs.Remove(j.Name) })
	return j
}

func wait(t *testing.T, app core.App, id string) *core.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rec, err := jobs.Wait(ctx, app, id)
	require.NoError(t, err, "wait for run %s", id)
	return rec
}

func runsOf(t *testing.T, app core.App, job string) []*core.Record {
	t.Helper()
	recs, err := app.FindAllRecords(collections.JobRuns, dbx.HashExp{"job": job})
	require.NoError(t, err)
	return recs
}

func TestConcurrentTriggersRunOnce(t *testing.T) {
	app := testutil.NewApp(t)
	var calls atomic.Int32
	release := make(chan struct{})
	addJob(t, jobs.Job{Name: "test-once", Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
		calls.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return map[string]any{"ok": true}, nil
	}})

	const n = 12
	var wg sync.WaitGroup
	started := make(chan *core.Record, n)
	busy := make(chan *jobs.AlreadyRunningError, n)
	errs := make(chan error, n)
	gate := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-gate
			rec, err := jobs.Trigger(app, "test-once", jobs.Options{Trigger: jobs.TriggerManual})
			var ar *jobs.AlreadyRunningError
			switch {
			case err == nil:
				started <- rec
			case errors.As(err, &ar):
				busy <- ar
			default:
				errs <- err
			}
		})
	}
	close(gate)
	wg.Wait()
	close(started)
	close(busy)
	close(errs)
	for err := range errs {
		assert.NoError(t, err, "no concurrent trigger fails other than as busy")
	}
	var winners []*core.Record
	for r := range started {
		winners = append(winners, r)
	}
	require.Len(t, winners, 1, "%d triggers started a run, want exactly 1", len(winners))
	id := winners[0].Id
	nbusy := 0
	for ar := range busy {
		nbusy++
		assert.ErrorIs(t, ar, jobs.ErrAlreadyRunning, "busy error does not wrap ErrAlreadyRunning")
		if assert.NotNil(t, ar.Run, "the busy error names the running run") {
			assert.Equal(t, id, ar.Run.Id, "the busy error names the running run")
		}
	}
	require.Equal(t, int(n-1), nbusy, "%d triggers were refused, want %d", nbusy, n-1)
	close(release)
	rec := wait(t, app, id)
	require.Equal(t, jobs.StatusSucceeded, rec.GetString("status"), "status %s, calls %d; want succeeded and 1 call", rec.GetString("status"), calls.Load())
	require.Equal(t, int32(1), calls.Load(), "status %s, calls %d; want succeeded and 1 call", rec.GetString("status"), calls.Load())
	got := len(runsOf(t, app, "test-once"))
	require.Equal(t, 1, got, "%d job_runs records, want 1", got)
	// The lease is free again: the next trigger runs.
	rec2, err := jobs.Trigger(app, "test-once", jobs.Options{})
	require.NoError(t, err, "second trigger after the first finished")
	require.Equal(t, jobs.StatusSucceeded, wait(t, app, rec2.Id).GetString("status"), "second run")
	leases, _ := app.CountRecords(jobs.LeasesCollection)
	require.Zero(t, leases, "no lease is left after both runs ended")
}

func TestFailingJobRetriesWithBackoffThenFails(t *testing.T) {
	app := testutil.NewApp(t)
	var mu sync.Mutex
	var at []time.Time
	var statuses []string
	app.OnRecordAfterUpdateSuccess(collections.JobRuns).BindFunc(func(e *core.RecordEvent) error {
		mu.Lock()
		statuses = append(statuses, fmt.Sprintf("%s/%d", e.Record.GetString("status"), e.Record.GetInt("attempt")))
		mu.Unlock()
		return e.Next()
	})
	backoff := 30 * time.Millisecond
	addJob(t, jobs.Job{Name: "test-fail", Title: "Always fails", Retries: 2, Backoff: backoff,
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
			return nil, fmt.Errorf("upstream answered 503 on attempt %d", run.Attempt)
		}})
	rec, err := jobs.Trigger(app, "test-fail", jobs.Options{RequestedBy: testutil.Users(t)["admin"].Id})
	require.NoError(t, err)
	rec = wait(t, app, rec.Id)
	require.Equal(t, jobs.StatusFailed, rec.GetString("status"), "status %s attempt %d, want failed after 3 attempts", rec.GetString("status"), rec.GetInt("attempt"))
	require.Equal(t, 3, rec.GetInt("attempt"), "status %s attempt %d, want failed after 3 attempts", rec.GetString("status"), rec.GetInt("attempt"))
	require.Equal(t, "upstream answered 503 on attempt 3", rec.GetString("error"), "error %q", rec.GetString("error"))
	require.NotEmpty(t, rec.GetString("finished_at"), "finished_at not set")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, at, 3, "%d attempts, want 3", len(at))
	// Backoff doubles: ≥30 ms before attempt 2, ≥60 ms before attempt 3.
	d := at[1].Sub(at[0])
	assert.GreaterOrEqual(t, d, backoff, "first backoff %s < %s", d, backoff)
	d = at[2].Sub(at[1])
	assert.GreaterOrEqual(t, d, 2*backoff, "second backoff %s < %s", d, 2*backoff)
	want := []string{"retrying/1", "running/2", "retrying/2", "running/3"}
	for _, w := range want {
		found := false
		for _, s := range statuses {
			if s == w {
				found = true
			}
		}
		assert.True(t, found, "status %s never recorded; saw %v", w, statuses)
	}
	last := statuses[len(statuses)-1]
	assert.Equal(t, "failed/3", last, "last status %s, want failed/3", last)
	// Admins hear about it.
	notes, err := app.FindAllRecords(collections.Notifications, dbx.HashExp{"kind": "job_failed", "user": testutil.Users(t)["admin"].Id})
	require.NoError(t, err, "admin job_failed notifications: %d (%v), want 1", len(notes), err)
	require.Len(t, notes, 1, "admin job_failed notifications: %d (%v), want 1", len(notes), err)
	assert.Equal(t, "Job failed: Always fails", notes[0].GetString("title"), "notification title %q", notes[0].GetString("title"))
	var log []string
	assert.NoError(t, rec.UnmarshalJSONField("log", &log), "log %v : want the retries and the failure", log)
	assert.GreaterOrEqual(t, len(log), 3, "log %v : want the retries and the failure", log)
}

func TestRetryThenSucceed(t *testing.T) {
	app := testutil.NewApp(t)
	var calls atomic.Int32
	addJob(t, jobs.Job{Name: "test-flaky", Retries: 3, Backoff: time.Millisecond,
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			if calls.Add(1) < 2 {
				return nil, errors.New("connection reset")
			}
			return map[string]any{"items": 7}, nil
		}})
	rec, err := jobs.Trigger(app, "test-flaky", jobs.Options{})
	require.NoError(t, err)
	rec = wait(t, app, rec.Id)
	require.Equal(t, jobs.StatusSucceeded, rec.GetString("status"), "status %s attempt %d error %q", rec.GetString("status"), rec.GetInt("attempt"), rec.GetString("error"))
	require.Equal(t, 2, rec.GetInt("attempt"), "status %s attempt %d error %q", rec.GetString("status"), rec.GetInt("attempt"), rec.GetString("error"))
	require.Empty(t, rec.GetString("error"), "status %s attempt %d error %q", rec.GetString("status"), rec.GetInt("attempt"), rec.GetString("error"))
	var stats map[string]any
	require.NoError(t, rec.UnmarshalJSONField("stats", &stats), "stats %v", stats)
	require.False(t, stats["items"] != float64(7), "stats %v", stats)
	n, _ := app.CountRecords(collections.Notifications, dbx.HashExp{"kind": "job_failed"})
	require.Equal(t, int64(0), n, "%d failure notifications for a run that succeeded", n)
}

func TestPermanentErrorAndPanicAreNotRetried(t *testing.T) {
	app := testutil.NewApp(t)
	var calls atomic.Int32
	addJob(t, jobs.Job{Name: "test-permanent", Retries: 5, Backoff: time.Millisecond,
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			calls.Add(1)
			return nil, jobs.Permanent(errors.New("bundle is not STIX"))
		}})
	addJob(t, jobs.Job{Name: "test-panic",
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			var m map[string]int
			//lint:ignore SA5000 a deliberate panic: the runner must recover from it
			m["boom"]++
			return nil, nil
		}})
	r1, err := jobs.Trigger(app, "test-permanent", jobs.Options{})
	require.NoError(t, err)
	r2, err := jobs.Trigger(app, "test-panic", jobs.Options{})
	require.NoError(t, err)
	r1, r2 = wait(t, app, r1.Id), wait(t, app, r2.Id)
	require.Equal(t, int32(1), calls.Load(), "permanent: %d calls, %s %q", calls.Load(), r1.GetString("status"), r1.GetString("error"))
	require.Equal(t, jobs.StatusFailed, r1.GetString("status"), "permanent: %d calls, %s %q", calls.Load(), r1.GetString("status"), r1.GetString("error"))
	require.Equal(t, "bundle is not STIX", r1.GetString("error"), "permanent: %d calls, %s %q", calls.Load(), r1.GetString("status"), r1.GetString("error"))
	require.Equal(t, jobs.StatusFailed, r2.GetString("status"), "panic: %s %q", r2.GetString("status"), r2.GetString("error"))
	require.NotEmpty(t, r2.GetString("error"), "panic: %s %q", r2.GetString("status"), r2.GetString("error"))
}

func TestTimeoutCancelsTheRun(t *testing.T) {
	app := testutil.NewApp(t)
	addJob(t, jobs.Job{Name: "test-slow", Timeout: 80 * time.Millisecond,
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(30 * time.Second):
				return nil, nil
			}
		}})
	start := time.Now()
	rec, err := jobs.Trigger(app, "test-slow", jobs.Options{})
	require.NoError(t, err)
	rec = wait(t, app, rec.Id)
	took := time.Since(start)
	require.LessOrEqual(t, took, time.Duration(5*time.Second), "timeout did not cancel the run: took %s", took)
	require.Equal(t, jobs.StatusFailed, rec.GetString("status"), "status %s", rec.GetString("status"))
	got := rec.GetString("error")
	require.Equal(t, "timed out after 80ms: context deadline exceeded", got, "error %q", got)
}

func TestProgressIsThrottledAndVisibleWhileRunning(t *testing.T) {
	app := testutil.NewApp(t)
	var updates atomic.Int32
	app.OnRecordAfterUpdateSuccess(collections.JobRuns).BindFunc(func(e *core.RecordEvent) error {
		updates.Add(1)
		return e.Next()
	})
	midway := make(chan struct{})
	resume := make(chan struct{})
	const steps = 20000
	addJob(t, jobs.Job{Name: "test-progress",
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			deadline := time.Now().Add(700 * time.Millisecond)
			for i := 1; i <= steps; i++ {
				run.Progress("write", i, steps)
				if i == steps/2 {
					close(midway)
					<-resume
				}
				if i%100 == 0 {
					time.Sleep(time.Until(deadline) / time.Duration((steps-i)/100+1))
				}
			}
			run.Logf("wrote %d", steps)
			return nil, nil
		}})
	rec, err := jobs.Trigger(app, "test-progress", jobs.Options{})
	require.NoError(t, err)
	<-midway
	// Within a few flush intervals the record shows the progress.
	var seen jobs.Progress
	for i := 0; i < 40 && seen.Done != steps/2; i++ {
		time.Sleep(50 * time.Millisecond)
		fresh, err := app.FindRecordById(collections.JobRuns, rec.Id)
		require.NoError(t, err)
		_ = fresh.UnmarshalJSONField("progress", &seen)
	}
	close(resume)
	require.Equal(t, jobs.Progress{Stage: "write", Done: steps / 2, Total: steps}, seen, "progress while running")
	rec = wait(t, app, rec.Id)
	var final jobs.Progress
	require.NoError(t, rec.UnmarshalJSONField("progress", &final), "final progress %+v", final)
	require.Equal(t, steps, final.Done, "final progress %+v", final)
	// 20,000 progress calls over ~0.7 s+ become a handful of writes, not 20,000.
	n := updates.Load()
	require.LessOrEqual(t, n, int32(20), "%d job_runs updates for %d progress calls: not throttled", n, steps)
}

func TestUnknownJob(t *testing.T) {
	app := testutil.NewApp(t)
	_, err := jobs.Trigger(app, "no-such-job", jobs.Options{})
	require.ErrorIs(t, err, jobs.ErrUnknownJob, "err %v, want ErrUnknownJob", err)
	_, err = jobs.Trigger(app, "sync:nosuchrecord123", jobs.Options{})
	require.ErrorIs(t, err, jobs.ErrUnknownJob, "err %v, want ErrUnknownJob", err)
}

func TestAddRejectsBadJobs(t *testing.T) {
	run := func(context.Context, core.App, *jobs.Run) (map[string]any, error) { return nil, nil }
	for _, j := range []jobs.Job{
		{Name: "", Run: run},
		{Name: "has space", Run: run},
		{Name: "no-run"},
		{Name: "bad-schedule", Schedule: "every day", Run: run},
		{Name: "sync:reserved", Run: run},
	} {
		err := jobs.Add(j)
		if err == nil {
			jobs.Remove(j.Name)
		}
		assert.Error(t, err, "Add(%q) is refused", j.Name)
	}
}

func TestDefaultJobsAreScheduledOnTheCron(t *testing.T) {
	app := testutil.NewApp(t)
	ids := map[string]string{}
	for _, j := range app.Cron().Jobs() {
		ids[j.Id()] = j.Expression()
	}
	for _, j := range jobs.Registered() {
		if j.Schedule == "" {
			continue
		}
		assert.Equal(t, j.Schedule, ids[jobs.CronPrefix+j.Name], "cron %s%s = %q, want %q", jobs.CronPrefix, j.Name, ids[jobs.CronPrefix+j.Name], j.Schedule)
	}
	_, ok := ids["aegis:notification-cleanup"]
	assert.True(t, ok, "notification cleanup not on the cron: %v", ids)
}
