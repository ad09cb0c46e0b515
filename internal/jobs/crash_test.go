package jobs_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// The crash test runs a real second process (this test binary, re-executed)
// that starts a job on the test's data dir, opens a write transaction and is
// then killed with SIGKILL mid-transaction, exactly as a crash would leave
// things. The test then "restarts" the app on the same data dir.

const (
	childDirEnv   = "AEGIS_JOBS_CRASH_CHILD_DIR"
	crashJob      = "test-crash"
	crashMarker   = "crash-child-in-tx"
	crashNoteKind = "crash_test_half_written"
)

// crashJobDef is registered in both processes: in the child it writes half a
// batch inside a transaction and hangs; after the restart it succeeds.
func crashJobDef(inChild bool, dir string) jobs.Job {
	return jobs.Job{Name: crashJob, RetryInterrupted: true,
		Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
			if !inChild {
				return map[string]any{"resumed": true}, nil
			}
			run.Progress("prepare", 1, 10)
			time.Sleep(3 * jobs.ProgressInterval) // let the progress reach the database
			err := app.RunInTransaction(func(tx core.App) error {
				users, err := tx.FindAllRecords(collections.Users, dbx.HashExp{"role": "admin"})
				if err != nil || len(users) == 0 {
					return err
				}
				col, err := tx.FindCachedCollectionByNameOrId(collections.Notifications)
				if err != nil {
					return err
				}
				for i := range 50 {
					r := core.NewRecord(col)
					r.Set("user", users[0].Id)
					r.Set("kind", crashNoteKind)
					r.Set("title", "half-written "+string(rune('a'+i%26)))
					if err := tx.Save(r); err != nil {
						return err
					}
				}
				if err := os.WriteFile(filepath.Join(dir, crashMarker), nil, 0o600); err != nil {
					return err
				}
				select {} // killed here, transaction open
			})
			return nil, err
		}}
}

// childMain is the child process's whole life; it reports whether it ran.
func childMain() bool {
	dir := os.Getenv(childDirEnv)
	if dir == "" {
		return false
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		os.Stderr.WriteString("child bootstrap: " + err.Error() + "\n")
		os.Exit(3)
	}
	if err := jobs.Add(crashJobDef(true, dir)); err != nil {
		os.Exit(4)
	}
	if _, err := jobs.Start(app, crashJobDef(true, dir), jobs.Options{Trigger: jobs.TriggerSchedule}); err != nil {
		os.Stderr.WriteString("child start: " + err.Error() + "\n")
		os.Exit(5)
	}
	select {}
}

func TestJobKilledMidRunIsMarkedFailedAtStartup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	app := testutil.NewApp(t)
	dir := app.DataDir()
	addJob(t, crashJobDef(false, dir))

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	}()

	// Wait until the child is inside its transaction.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, crashMarker)); err == nil {
			break
		}
		select {
		case err := <-exited:
			require.FailNow(t, "child exited early", "%v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		require.False(t, time.Now().After(deadline), "child never reached its transaction\n%s", stderr.String())
	}

	// What the crashed process left: a running run with progress, its lease.
	runs := runsOf(t, app, crashJob)
	require.Len(t, runs, 1, "before the kill: %d runs, want 1 running", len(runs))
	require.Equal(t, jobs.StatusRunning, runs[0].GetString("status"), "before the kill: %d runs, want 1 running", len(runs))
	var p jobs.Progress
	_ = runs[0].UnmarshalJSONField("progress", &p)
	assert.Equal(t, "prepare", p.Stage, "progress written by the child: %+v", p)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-exited
	n, _ := app.CountRecords(jobs.LeasesCollection, dbx.HashExp{"job": crashJob})
	require.Equal(t, int64(1), n, "%d leases after the kill, want the dead process's 1", n)

	// "Restart": the serve hooks run start-up recovery.
	testutil.Serve(t, app)

	old, err := app.FindRecordById(collections.JobRuns, runs[0].Id)
	require.NoError(t, err)
	require.Equal(t, jobs.StatusFailed, old.GetString("status"), "interrupted run: status %s error %q finished %q", old.GetString("status"), old.GetString("error"), old.GetString("finished_at"))
	require.Equal(t, "interrupted: process exited", old.GetString("error"), "interrupted run: status %s error %q finished %q", old.GetString("status"), old.GetString("error"), old.GetString("finished_at"))
	require.NotEmpty(t, old.GetString("finished_at"), "interrupted run: status %s error %q finished %q", old.GetString("status"), old.GetString("error"), old.GetString("finished_at"))
	// The job allows it, so it ran again at start-up, and succeeded.
	var retry *core.Record
	for _, r := range runsOf(t, app, crashJob) {
		if r.Id != old.Id {
			retry = r
		}
	}
	require.NotNil(t, retry, "interrupted job was not retried at start-up")
	assert.Equal(t, jobs.TriggerStartup, retry.GetString("trigger"), "retry trigger %s", retry.GetString("trigger"))
	got := wait(t, app, retry.Id).GetString("status")
	assert.Equal(t, jobs.StatusSucceeded, got, "retry status %s", got)

	// The database is consistent: nothing of the half-done transaction, no
	// lease left, integrity check passes.
	n, _ = app.CountRecords(collections.Notifications, dbx.HashExp{"kind": crashNoteKind})
	assert.Equal(t, int64(0), n, "%d half-written notifications survived the crash", n)
	n, _ = app.CountRecords(jobs.LeasesCollection)
	assert.Equal(t, int64(0), n, "%d leases left", n)
	var check string
	assert.NoError(t, app.DB().NewQuery("PRAGMA integrity_check").Row(&check), "integrity_check: %q", check)
	assert.Equal(t, "ok", check, "integrity_check: %q", check)
	n, _ = app.CountRecords(collections.Notifications, dbx.HashExp{"kind": "job_failed"})
	assert.NotEqual(t, int64(0), n, "admins were not told about the interrupted run")
}

func TestRecoverLeavesLiveRunsAlone(t *testing.T) {
	app := testutil.NewApp(t)
	release := make(chan struct{})
	addJob(t, jobs.Job{Name: "test-live", Run: func(ctx context.Context, app core.App, run *jobs.Run) (map[string]any, error) {
		<-release
		return nil, nil
	}})
	rec, err := jobs.Trigger(app, "test-live", jobs.Options{})
	require.NoError(t, err)
	marked, err := jobs.Recover(app)
	require.NoError(t, err, "Recover marked %v (%v) while the run is alive", marked, err)
	require.Empty(t, marked, "Recover marked %v (%v) while the run is alive", marked, err)
	close(release)
	got := wait(t, app, rec.Id).GetString("status")
	require.Equal(t, jobs.StatusSucceeded, got, "status %s", got)
}

func TestRecoverExpiredForeignLeaseAndOrphanRun(t *testing.T) {
	app := testutil.NewApp(t)
	col, _ := app.FindCachedCollectionByNameOrId(collections.JobRuns)
	mk := func(job string) *core.Record {
		r := core.NewRecord(col)
		r.Set("job", job)
		r.Set("status", jobs.StatusRunning)
		r.Set("trigger", jobs.TriggerSchedule)
		r.Set("started_at", time.Now().Add(-time.Hour))
		require.NoError(t, app.Save(r))
		return r
	}
	foreign := mk("test-foreign")
	orphan := mk("test-orphan")
	fresh := mk("test-fresh")
	// An expired lease of a process on another host, and a fresh one.
	_, err := app.DB().NewQuery(`INSERT INTO job_leases (id, job, run, holder, expires_at, created, updated) VALUES
		('lease0000000001', 'test-foreign', {:f}, 'other-host|4242|1|ab', '2020-01-01 00:00:00.000Z', '', ''),
		('lease0000000002', 'test-fresh', {:n}, 'other-host|4243|1|cd', '2999-01-01 00:00:00.000Z', '', '')`).
		Bind(dbx.Params{"f": foreign.Id, "n": fresh.Id}).Execute()
	require.NoError(t, err)
	marked, err := jobs.Recover(app)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, id := range marked {
		got[id] = true
	}
	require.True(t, got[foreign.Id], "marked %v; want the foreign-expired %s and orphan %s, not %s", marked, foreign.Id, orphan.Id, fresh.Id)
	require.True(t, got[orphan.Id], "marked %v; want the foreign-expired %s and orphan %s, not %s", marked, foreign.Id, orphan.Id, fresh.Id)
	require.False(t, got[fresh.Id], "marked %v; want the foreign-expired %s and orphan %s, not %s", marked, foreign.Id, orphan.Id, fresh.Id)
	require.Len(t, marked, 2, "marked %v; want the foreign-expired %s and orphan %s, not %s", marked, foreign.Id, orphan.Id, fresh.Id)
	n, _ := app.CountRecords(jobs.LeasesCollection)
	require.Equal(t, int64(1), n, "%d leases left, want only the fresh one", n)
	// A trigger of the fresh-leased job is refused: another host runs it.
	addJob(t, jobs.Job{Name: "test-fresh", Run: func(context.Context, core.App, *jobs.Run) (map[string]any, error) { return nil, nil }})
	_, err = jobs.Trigger(app, "test-fresh", jobs.Options{})
	require.Error(t, err, "a job whose lease another live host holds is not started")
}
