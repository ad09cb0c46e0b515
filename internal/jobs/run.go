package jobs

import (
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Progress is what a run reports about its advance (job_runs.progress).
type Progress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"` // 0 when unknown
}

// maxLogLines bounds job_runs.log; older lines are dropped first.
const maxLogLines = 200

// Run is the handle a job uses while it runs: progress and log lines. Both
// are cheap to call in tight loops; the runner writes them to the job_runs
// record at most every ProgressInterval, so subscribers to job_runs see live
// progress over realtime without the job paying a write per step.
type Run struct {
	Id          string
	Job         string
	Trigger     string
	RequestedBy string
	Attempt     int

	app core.App

	mu       sync.Mutex
	progress Progress
	log      []string
	dropped  int
	version  uint64 // bumped on every change
}

// ProgressInterval is the shortest time between two progress writes.
var ProgressInterval = 250 * time.Millisecond

// Progress records the current stage and counts.
func (r *Run) Progress(stage string, done, total int) {
	r.mu.Lock()
	r.progress = Progress{Stage: stage, Done: done, Total: total}
	r.version++
	r.mu.Unlock()
}

// Logf adds a line to the run's log (also sent to the app logger).
func (r *Run) Logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.app.Logger().Info(msg, "job", r.Job, "run", r.Id, "attempt", r.Attempt)
	line := time.Now().UTC().Format("15:04:05") + " " + msg
	r.mu.Lock()
	r.log = append(r.log, line)
	if len(r.log) > maxLogLines {
		n := len(r.log) - maxLogLines
		r.dropped += n
		r.log = append(r.log[:0:0], r.log[n:]...)
	}
	r.version++
	r.mu.Unlock()
}

// changes is a counter that moves whenever progress or log change.
func (r *Run) changes() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.version
}

// state returns the progress and a copy of the log to write.
func (r *Run) state() (Progress, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	log := make([]string, 0, len(r.log)+1)
	if r.dropped > 0 {
		log = append(log, fmt.Sprintf("(%d earlier lines dropped)", r.dropped))
	}
	log = append(log, r.log...)
	return r.progress, log
}
