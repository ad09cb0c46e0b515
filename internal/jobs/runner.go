package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// appState is the runner's per-app state: a context cancelled when the app
// terminates, and the runs in flight so termination can wait for them.
type appState struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   sync.Map // run id → chan struct{}, closed when the run has finished
}

const stateKey = "aegis.jobs.state"

func stateOf(app core.App) *appState {
	return app.Store().GetOrSet(stateKey, func() any {
		ctx, cancel := context.WithCancel(context.Background())
		return &appState{ctx: ctx, cancel: cancel}
	}).(*appState)
}

// shutdown cancels every run of app and waits up to grace for them to
// record their end.
func shutdown(app core.App, grace time.Duration) {
	st := stateOf(app)
	st.cancel()
	waited := make(chan struct{})
	go func() { st.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(grace):
		app.Logger().Warn("jobs still running at shutdown; they will be marked interrupted at the next start")
	}
}

// Trigger starts the named job in the background (see Start).
func Trigger(app core.App, name string, opts Options) (*core.Record, error) {
	job, err := Lookup(app, name)
	if err != nil {
		return nil, err
	}
	return Start(app, job, opts)
}

// Start takes the job's lease, creates its job_runs record and runs it in
// the background, returning the new record. When a run of the job already
// holds the lease it returns an *AlreadyRunningError naming that run, and no
// record is created. The cron, the API and the CLI all come through here.
// Pass the app itself, never a transaction's app: the run outlives the call.
func Start(app core.App, job Job, opts Options) (*core.Record, error) {
	if err := validateForStart(job); err != nil {
		return nil, err
	}
	st := stateOf(app)
	if st.ctx.Err() != nil {
		return nil, fmt.Errorf("job %s: the application is shutting down", job.Name)
	}
	if opts.Trigger == "" {
		opts.Trigger = TriggerManual
	}
	runId := core.GenerateDefaultRandomId()
	active.Store(runId, struct{}{})
	ok, holding, interrupted, err := acquireLease(app, job.Name, runId)
	if err != nil || !ok {
		active.Delete(runId)
		if err != nil {
			return nil, fmt.Errorf("start job %s: %w", job.Name, err)
		}
		return nil, &AlreadyRunningError{Job: job.Name, Run: holdingRun(app, holding)}
	}
	if interrupted != "" {
		markInterrupted(app, interrupted, "interrupted: process exited")
	}

	col, err := app.FindCachedCollectionByNameOrId(collections.JobRuns)
	if err != nil {
		return nil, abortStart(app, job.Name, runId, err)
	}
	rec := core.NewRecord(col)
	rec.Id = runId
	jr := collections.AsJobRun(rec)
	jr.SetJob(job.Name)
	jr.SetTrigger(opts.Trigger)
	jr.SetStartedAt(types.NowDateTime())
	jr.SetStatus(StatusRunning)
	jr.SetAttempt(1)
	jr.SetProgress(Progress{})
	jr.SetLog([]string{})
	jr.SetIntegration(job.Integration)
	jr.SetRequestedBy(opts.RequestedBy)
	if err := app.Save(rec); err != nil {
		return nil, abortStart(app, job.Name, runId, err)
	}
	out := rec.Fresh()
	if opts.NoRetry {
		job.Retries = 0
	}

	run := &Run{Id: runId, Job: job.Name, Trigger: opts.Trigger, RequestedBy: opts.RequestedBy, Attempt: 1, app: app}
	done := make(chan struct{})
	st.done.Store(runId, done)
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		defer st.done.Delete(runId)
		defer close(done)
		defer active.Delete(runId)
		execute(st.ctx, app, job, rec, run)
	}()
	return out, nil
}

// holdingRun reads the run holding a lease. Its holder creates the record
// right after taking the lease, so a miss is retried for a moment.
func holdingRun(app core.App, id string) *core.Record {
	for range 40 {
		if rec, err := app.FindRecordById(collections.JobRuns, id); err == nil {
			return rec
		}
		time.Sleep(25 * time.Millisecond)
	}
	return nil
}

func validateForStart(j Job) error {
	if j.Name == "" || j.Run == nil {
		return fmt.Errorf("job %q: incomplete definition", j.Name)
	}
	return nil
}

func abortStart(app core.App, job, runId string, cause error) error {
	active.Delete(runId)
	if err := releaseLease(app, job, runId); err != nil {
		app.Logger().Error("release lease", "job", job, "error", err)
	}
	return fmt.Errorf("start job %s: %w", job, cause)
}

// Wait blocks until the run finishes (or ctx ends) and returns its record.
// Runs of other processes are polled.
func Wait(ctx context.Context, app core.App, runId string) (*core.Record, error) {
	if ch, ok := stateOf(app).done.Load(runId); ok {
		select {
		case <-ch.(chan struct{}):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return app.FindRecordById(collections.JobRuns, runId)
	}
	for {
		rec, err := app.FindRecordById(collections.JobRuns, runId)
		if err != nil {
			return nil, err
		}
		if s := collections.AsJobRun(rec).Status(); s == StatusSucceeded || s == StatusFailed {
			return rec, nil
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// RunNow starts the job and waits for it to finish: the CLI's way in.
func RunNow(ctx context.Context, app core.App, job Job, opts Options) (*core.Record, error) {
	rec, err := Start(app, job, opts)
	if err != nil {
		return nil, err
	}
	return Wait(ctx, app, rec.Id)
}

// errShutdown ends a run cut short by the application stopping.
var errShutdown = errors.New("interrupted: process shutting down")

// execute runs the attempts of one run and records the outcome.
func execute(base context.Context, app core.App, job Job, rec *core.Record, run *Run) {
	pub := newPublisher(app, job, rec, run)
	save := func(mutate func(rec *core.Record)) { pub.save(mutate) }

	var stats map[string]any
	var err error
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			run.Attempt = attempt
			save(func(rec *core.Record) {
				jr := collections.AsJobRun(rec)
				jr.SetStatus(StatusRunning)
				jr.SetAttempt(attempt)
			})
		}
		stats, err = attemptOnce(base, app, job, run)
		if err == nil || attempt > job.Retries || isPermanent(err) || base.Err() != nil {
			break
		}
		wait := job.backoff(attempt)
		run.Logf("attempt %d failed: %v; retrying in %s", attempt, err, wait)
		failed := err
		save(func(rec *core.Record) {
			jr := collections.AsJobRun(rec)
			jr.SetStatus(StatusRetrying)
			jr.SetErrorText(redact.Error(failed))
		})
		select {
		case <-time.After(wait):
		case <-base.Done():
		}
		if base.Err() != nil {
			break
		}
	}
	if base.Err() != nil && err != nil {
		err = fmt.Errorf("%w (last error: %v)", errShutdown, err)
	}

	pub.close()
	status := StatusSucceeded
	if err != nil {
		status = StatusFailed
		run.Logf("failed: %v", err)
	}
	save(func(rec *core.Record) {
		jr := collections.AsJobRun(rec)
		jr.SetStatus(status)
		jr.SetFinishedAt(types.NowDateTime())
		if stats == nil {
			stats = map[string]any{}
		}
		jr.SetStats(stats)
		if err != nil {
			jr.SetErrorText(redact.Error(err))
		} else {
			jr.SetErrorText("")
		}
	})
	if err := releaseLease(app, job.Name, rec.Id); err != nil {
		app.Logger().Error("release job lease", "job", job.Name, "run", rec.Id, "error", err)
	}
	if status == StatusFailed {
		notifyFailure(app, job, rec.Id, err.Error())
	}
}

// attemptOnce runs the job once under its timeout, turning a panic into an
// error so one broken job cannot take the process down.
func attemptOnce(base context.Context, app core.App, job Job, run *Run) (stats map[string]any, err error) {
	ctx, cancel := context.WithTimeout(base, job.timeout())
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			app.Logger().Error("job panicked", "job", job.Name, "panic", p, "stack", string(debug.Stack()))
			stats, err = nil, fmt.Errorf("job %s panicked: %v", job.Name, p)
		}
	}()
	stats, err = job.Run(ctx, app, run)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && base.Err() == nil {
		err = fmt.Errorf("timed out after %s: %w", job.timeout(), err)
	}
	return stats, err
}

// notifyFailure tells every admin that a job failed for good.
func notifyFailure(app core.App, job Job, runId, msg string) {
	title := job.Title
	if title == "" {
		title = job.Name
	}
	_, err := notify.Role(app, notify.Message{
		Kind:  "job_failed",
		Title: "Job failed: " + title,
		Body:  redact.Text(msg),
		Link:  "/jobs?run=" + runId,
	}, collections.RoleAdmin)
	if err != nil {
		app.Logger().Error("notify job failure", "job", job.Name, "run", runId, "error", err)
	}
}
