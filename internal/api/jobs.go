package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/pocketbase/pocketbase/core"
)

// Job routes: the jobs page (any signed-in user), "run now" and "sync now"
// for admins. "Run now" calls the same jobs.Start as the scheduler.
func registerJobRoutes(g *Group) {
	g.GET("/jobs", handleListJobs).Bind(requireUser())
	g.POST("/jobs/{name}/run", handleRunJob).Bind(requireRole(collections.RoleAdmin))
	g.POST("/integrations/{id}/sync", handleSyncIntegration).Bind(requireRole(collections.RoleAdmin))

	exampleRun := map[string]any{"id": "mj7sawo0szvkns1", "job": "notification-cleanup", "trigger": "manual",
		"status": collections.JobRunning, "attempt": 1, "started_at": "2026-11-30 05:00:00.000Z", "finished_at": "",
		"progress": jobs.Progress{Stage: "delete", Done: 0, Total: 0}, "stats": nil, "error": "", "log": []string{},
		"integration": "", "requested_by": "u1a2b3c4d5e6f7g"}
	busy := "409 when a run of the job is in progress; `data.job_run` is that run."
	document(
		Op{Method: "GET", Path: Prefix + "/jobs", Tags: []string{"jobs"}, Auth: "user",
			Summary: "Jobs with their schedule, next run, the run in progress and the latest runs",
			Description: "Lists the built-in jobs and one sync job per integration (`sync:<integration id>`). " +
				"Live progress: subscribe to the `job_runs` collection over realtime.",
			Query: []Param{{Name: "last", Description: "how many recent runs per job (1–50, default 5)"}},
			Response: map[string]any{"items": []jobs.Status{{Name: "notification-cleanup", Title: "Delete old read notifications",
				Schedule: "30 1 * * *", NextRun: "2026-12-01T01:30:00Z", TimeoutSeconds: 600, Retries: 2, Enabled: true}}}},
		Op{Method: "POST", Path: Prefix + "/jobs/{name}/run", Tags: []string{"jobs"}, Auth: "admin",
			Summary:     "Run a job now, in the background",
			Description: "202 with the new run. " + busy + " 404 for an unknown job.",
			Response:    map[string]any{"job_run": exampleRun}},
		Op{Method: "POST", Path: Prefix + "/integrations/{id}/sync", Tags: []string{"jobs", "integrations"}, Auth: "admin",
			Summary:     "Sync an integration now (enabled or not), in the background",
			Description: "Same as running job `sync:{id}`. 202 with the new run. " + busy,
			Response:    map[string]any{"job_run": exampleRun}},
	)
}

func handleListJobs(e *core.RequestEvent) error {
	last := 5
	if v := e.Request.URL.Query().Get("last"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return e.BadRequestError("last must be a number from 1 to 50.", nil)
		}
		last = n
	}
	list, err := jobs.List(e.App, time.Now(), last)
	if err != nil {
		return e.InternalServerError("Cannot list the jobs.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": list})
}

func handleRunJob(e *core.RequestEvent) error {
	return startJob(e, e.Request.PathValue("name"))
}

func handleSyncIntegration(e *core.RequestEvent) error {
	rec, err := e.App.FindRecordById(collections.Integrations, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such integration.", nil)
	}
	return startJob(e, jobs.IntegrationJobName(rec.Id))
}

// startJob starts the named job for the caller and answers 202 {job_run}.
func startJob(e *core.RequestEvent, name string) error {
	rec, err := jobs.Trigger(e.App, name, jobs.Options{Trigger: jobs.TriggerManual, RequestedBy: requesterId(e)})
	return answerRun(e, rec, err)
}

// answerRun writes the outcome of starting a run: 202 with the run, 409
// with the run in progress, 404 for an unknown job.
func answerRun(e *core.RequestEvent, rec *core.Record, err error) error {
	var busy *jobs.AlreadyRunningError
	switch {
	case err == nil:
		return e.JSON(http.StatusAccepted, map[string]any{"job_run": rec})
	case errors.As(err, &busy):
		data := map[string]any{}
		if busy.Run != nil {
			data["job_run"] = busy.Run
		}
		return e.JSON(http.StatusConflict, map[string]any{"status": http.StatusConflict,
			"message": "The job " + busy.Job + " is already running.", "data": data})
	case errors.Is(err, jobs.ErrUnknownJob):
		return e.NotFoundError("No such job.", nil)
	default:
		return e.InternalServerError("Cannot start the job.", err)
	}
}

// requesterId is the user id recorded as requested_by; superusers (who are
// not users records) leave it empty.
func requesterId(e *core.RequestEvent) string {
	if e.Auth == nil || e.Auth.IsSuperuser() {
		return ""
	}
	return e.Auth.Id
}
