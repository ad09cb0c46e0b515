// Package jobs is the job runner of DESIGN §7: a registry of named jobs with
// schedules, timeouts, retries, a lease so a job never runs twice at once,
// and a job_runs record per run. The scheduler and "run now" call the same
// function.
package jobs

import "github.com/pocketbase/pocketbase/core"

// Register binds the job registry to app's cron and lifecycle.
func Register(app core.App) {}
