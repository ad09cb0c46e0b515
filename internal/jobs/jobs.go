// Package jobs is the job runner of DESIGN §7: a registry of named jobs with
// schedules, timeouts, retries, a lease so a job never runs twice at once,
// and a job_runs record per run. The scheduler, the "run now" API, the CLI
// (`aegis jobs run`, `aegis sync`, `aegis import`), the API upload and the
// start-up recovery all call the same function (Start).
//
// The package holds the runner and adapters only: each job's logic lives in
// its domain package (notify.Cleanup, evidence.Retention, evidence.Sweep,
// campaigns.SpawnDue, coverage.SnapshotJob, intel.ScanJob, the importers),
// and adapters.go connects it to a Run.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"github.com/aegis-sec/aegis/collections"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Job is one kind of work the runner knows how to do.
type Job struct {
	Name     string // stable id: job_runs.job, the {name} of the API, the cron id "aegis:<name>"
	Title    string // human label for the UI
	Schedule string // cron expression (PocketBase syntax: 5 fields or @daily…); empty = on demand only
	Timeout  time.Duration
	Retries  int           // extra attempts after a failure
	Backoff  time.Duration // wait before the first retry; doubles each retry
	// RetryInterrupted starts the job again at start-up when a run of it was
	// cut short by the process exiting. Only for jobs that are safe to repeat.
	RetryInterrupted bool
	// Integration is the integrations record id a sync job works for.
	Integration string
	// Run does the work. It returns the run's stats; it must honour ctx
	// (timeouts and shutdown cancel it) and may report progress and log
	// lines through run.
	Run func(ctx context.Context, app core.App, run *Run) (map[string]any, error)
}

// Defaults when a job leaves them zero.
const (
	DefaultTimeout = time.Hour
	maxBackoff     = 30 * time.Minute
)

func (j Job) timeout() time.Duration {
	if j.Timeout > 0 {
		return j.Timeout
	}
	return DefaultTimeout
}

// backoff is the wait before attempt n+1 after attempt n failed.
func (j Job) backoff(n int) time.Duration {
	d := j.Backoff
	if d <= 0 {
		return 0
	}
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// Triggers of a run (job_runs.trigger).
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerStartup  = "startup"
)

// Statuses of a run (job_runs.status).
const (
	StatusRunning   = collections.JobRunning
	StatusSucceeded = collections.JobSucceeded
	StatusFailed    = collections.JobFailed
	StatusRetrying  = collections.JobRetrying
)

// Options describe who or what started a run.
type Options struct {
	Trigger     string // schedule, manual (default) or startup
	RequestedBy string // user id, empty for the system
	// NoRetry makes one attempt only: for someone waiting at a terminal,
	// who sees the error at once and can run it again.
	NoRetry bool
}

// ErrAlreadyRunning is returned (wrapped in *AlreadyRunningError) when a job
// is started while a run of it holds the lease.
var ErrAlreadyRunning = errors.New("already running")

// AlreadyRunningError names the run that holds the lease.
type AlreadyRunningError struct {
	Job string
	Run *core.Record // the running job_runs record; nil if it could not be read
}

func (e *AlreadyRunningError) Error() string {
	id := ""
	if e.Run != nil {
		id = " (run " + e.Run.Id + ")"
	}
	return fmt.Sprintf("job %s is %s%s", e.Job, ErrAlreadyRunning, id)
}

func (e *AlreadyRunningError) Unwrap() error { return ErrAlreadyRunning }

// ErrUnknownJob is returned for a name that no job answers to.
var ErrUnknownJob = errors.New("unknown job")

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so the runner records the failure without retrying
// (bad input, missing configuration).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

var (
	registryMu  sync.RWMutex
	jobRegistry = map[string]Job{}
)

// Add registers jobs (replacing any with the same name). Default jobs are
// listed in defaults.go; tests and other packages may add their own.
func Add(list ...Job) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, j := range list {
		if err := validate(j); err != nil {
			return err
		}
		jobRegistry[j.Name] = j
	}
	return nil
}

// Remove unregisters a job added with Add (tests).
func Remove(name string) {
	registryMu.Lock()
	defer registryMu.Unlock()
	delete(jobRegistry, name)
}

func validate(j Job) error {
	if j.Name == "" || strings.ContainsAny(j.Name, " /?#") {
		return fmt.Errorf("job name %q: must be non-empty without spaces, slashes, ? or #", j.Name)
	}
	if strings.HasPrefix(j.Name, integrationPrefix) {
		return fmt.Errorf("job name %q: the %q prefix is reserved for integrations", j.Name, integrationPrefix)
	}
	if j.Run == nil {
		return fmt.Errorf("job %s: no Run function", j.Name)
	}
	if j.Schedule != "" {
		if _, err := ParseSchedule(j.Schedule); err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
	}
	return nil
}

// Registered returns the registered jobs sorted by name (integration sync
// jobs are listed by Integrations).
func Registered() []Job {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Job, 0, len(jobRegistry))
	for _, j := range jobRegistry {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Lookup finds a job by name: a registered job, or "sync:<integration id>"
// for an integration's sync job.
func Lookup(app core.App, name string) (Job, error) {
	registryMu.RLock()
	j, ok := jobRegistry[name]
	registryMu.RUnlock()
	if ok {
		return j, nil
	}
	if id, ok := strings.CutPrefix(name, integrationPrefix); ok {
		rec, err := app.FindRecordById(integrationsCollection, id)
		if err != nil {
			return Job{}, fmt.Errorf("%w: %s (no such integration)", ErrUnknownJob, name)
		}
		return IntegrationJob(rec), nil
	}
	return Job{}, fmt.Errorf("%w: %s", ErrUnknownJob, name)
}

func init() {
	if err := Add(defaults...); err != nil {
		panic(err) // a programming error in defaults.go, caught by every test run
	}
}
