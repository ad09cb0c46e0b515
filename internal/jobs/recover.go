package jobs

import (
	"errors"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// interruptedPrefix starts the error of every run cut short by its process
// ending (crash, kill or shutdown); recovery retries those jobs.
const interruptedPrefix = "interrupted:"

// Recover finds runs left "running" or "retrying" by a process that no
// longer holds their lease (killed, crashed, or on another host and
// expired), marks them failed ("interrupted: process exited"), removes
// their stale leases and starts once more every job that allows it
// (RetryInterrupted) whose latest run was interrupted. It runs at start-up
// and every few minutes. It returns the ids of the runs it marked.
func Recover(app core.App) ([]string, error) {
	// Runs first, leases second: a run's lease is taken before its record
	// is created and released after its final save, so a running run seen
	// here without a live lease afterwards really is orphaned.
	runs, err := app.FindAllRecords(collections.JobRuns, dbx.In("status", StatusRunning, StatusRetrying))
	if err != nil {
		return nil, err
	}
	leases, err := allLeases(app)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	live := map[string]bool{}
	for _, l := range leases {
		if !l.stale(now) {
			live[l.Run] = true
			continue
		}
		if err := releaseLease(app, l.Job, l.Run); err != nil {
			return nil, err
		}
	}
	var marked []string
	for _, r := range runs {
		if live[r.Id] {
			continue
		}
		if markInterrupted(app, r.Id, "interrupted: process exited") {
			marked = append(marked, r.Id)
		}
	}
	retryInterrupted(app)
	return marked, nil
}

// markInterrupted records that run id ended with its process. It reports
// whether it changed the record (false when the run had finished after all).
func markInterrupted(app core.App, id, reason string) bool {
	rec, err := app.FindRecordById(collections.JobRuns, id)
	if err != nil {
		return false
	}
	if s := collections.AsJobRun(rec).Status(); s != StatusRunning && s != StatusRetrying {
		return false
	}
	jr := collections.AsJobRun(rec)
	jr.SetStatus(StatusFailed)
	jr.SetFinishedAt(types.NowDateTime())
	jr.SetErrorText(reason)
	var log []string
	_ = rec.UnmarshalJSONField("log", &log)
	jr.SetLog(append(log, time.Now().UTC().Format("15:04:05")+" "+reason))
	if err := app.Save(rec); err != nil {
		app.Logger().Error("mark interrupted job run", "run", id, "error", err)
		return false
	}
	app.Logger().Warn("job run interrupted", "job", jr.Job(), "run", id)
	job := Job{Name: jr.Job()}
	if j, err := Lookup(app, job.Name); err == nil {
		job = j
	}
	notifyFailure(app, job, id, reason)
	return true
}

// retryInterrupted starts each RetryInterrupted job whose latest run was
// interrupted, once: a run that was itself such a retry is not retried
// again, so a job that kills the process cannot crash-loop it.
func retryInterrupted(app core.App) {
	candidates := Registered()
	if ij, err := IntegrationJobs(app); err == nil {
		candidates = append(candidates, ij...)
	}
	for _, job := range candidates {
		if !job.RetryInterrupted {
			continue
		}
		last, err := app.FindRecordsByFilter(collections.JobRuns, "job = {:job}", "-started_at", 1, 0, dbx.Params{"job": job.Name})
		if err != nil || len(last) == 0 {
			continue
		}
		r := last[0]
		if collections.AsJobRun(r).Status() != StatusFailed || !strings.HasPrefix(collections.AsJobRun(r).ErrorText(), interruptedPrefix) ||
			collections.AsJobRun(r).Trigger() == TriggerStartup {
			continue
		}
		_, err = Start(app, job, Options{Trigger: TriggerStartup, RequestedBy: collections.AsJobRun(r).RequestedBy()})
		var busy *AlreadyRunningError
		if err != nil && !errors.As(err, &busy) {
			app.Logger().Error("retry interrupted job", "job", job.Name, "error", err)
		}
	}
}
