package jobs

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/secrets"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// CronPrefix starts the app.Cron() id of every Aegis job, so the dashboard
// (Settings → Crons) lists them apart from PocketBase's own.
const CronPrefix = "aegis:"

// recoveryCron re-runs Recover every few minutes: a run whose process died
// on another host (or a lease that expired) is marked failed without waiting
// for a restart here.
const recoveryCron = CronPrefix + "job-recovery"

// Register binds the job registry to app: cron entries for every scheduled
// job and enabled integration, start-up recovery of interrupted runs, cron
// updates when integrations change, and shutdown of running jobs.
func Register(app core.App) {
	for _, j := range Registered() {
		if j.Schedule != "" {
			addCron(app, j.Name, j.Schedule)
		}
	}
	app.Cron().MustAdd(recoveryCron, "*/5 * * * *", func() {
		if _, err := Recover(app); err != nil {
			app.Logger().Error("job recovery", "error", err)
		}
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// Before the server accepts requests: nothing is uploading yet.
		cleanUploads(se.App)
		if marked, err := Recover(se.App); err != nil {
			se.App.Logger().Error("job recovery at start-up", "error", err)
		} else if len(marked) > 0 {
			se.App.Logger().Warn("marked interrupted job runs failed", "runs", marked)
		}
		syncIntegrationCrons(se.App)
		return se.Next()
	})

	app.OnRecordValidate(collections.Integrations).BindFunc(validateIntegration)
	secrets.Bind(app)
	refresh := func(e *core.RecordEvent) error {
		updateIntegrationCron(app, e.Record)
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(collections.Integrations).BindFunc(refresh)
	app.OnRecordAfterUpdateSuccess(collections.Integrations).BindFunc(refresh)
	app.OnRecordAfterDeleteSuccess(collections.Integrations).BindFunc(func(e *core.RecordEvent) error {
		app.Cron().Remove(CronPrefix + IntegrationJobName(e.Record.Id))
		return e.Next()
	})

	app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
		e.Exclude = append(e.Exclude, ".aegis_uploads")
		return e.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		shutdown(e.App, 10*time.Second)
		return e.Next()
	})
}

func addCron(app core.App, name, schedule string) {
	if err := app.Cron().Add(CronPrefix+name, schedule, func() { fire(app, name) }); err != nil {
		app.Logger().Error("schedule job", "job", name, "schedule", schedule, "error", err)
	}
}

// fire is what the cron calls: the same Start as the API and the CLI.
func fire(app core.App, name string) {
	_, err := Trigger(app, name, Options{Trigger: TriggerSchedule})
	var busy *AlreadyRunningError
	switch {
	case errors.As(err, &busy):
		app.Logger().Info("scheduled job skipped: previous run still going", "job", name)
	case err != nil:
		app.Logger().Error("scheduled job", "job", name, "error", err)
	}
}

// syncIntegrationCrons schedules every enabled integration.
func syncIntegrationCrons(app core.App) {
	jobs, err := IntegrationJobs(app)
	if err != nil {
		app.Logger().Error("load integrations", "error", err)
		return
	}
	for _, j := range jobs {
		app.Cron().Remove(CronPrefix + j.Name)
		if j.Schedule != "" {
			addCron(app, j.Name, j.Schedule)
		}
	}
}

func updateIntegrationCron(app core.App, rec *core.Record) {
	j := IntegrationJob(rec)
	app.Cron().Remove(CronPrefix + j.Name)
	if j.Schedule != "" {
		addCron(app, j.Name, j.Schedule)
	}
}

// validateIntegration refuses a schedule the cron cannot run and a source
// that is not {"spec": …}, with field errors the dashboard and SPA show.
func validateIntegration(e *core.RecordEvent) error {
	errs := validation.Errors{}
	ig := collections.AsIntegration(e.Record)
	if s := strings.TrimSpace(ig.Schedule()); s != "" {
		if _, err := ParseSchedule(s); err != nil {
			errs["schedule"] = validation.NewError("invalid_schedule",
				"Use a cron expression (min hour day month weekday, e.g. \"0 2 * * *\") or @daily/@weekly.")
		}
	}
	if raw := ig.Source(); raw != "" && raw != "null" {
		var s IntegrationSource
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			errs["source"] = validation.NewError("invalid_source", "The source must be a JSON object such as {\"spec\": \"https://…\"}.")
		} else if ig.Enabled() && strings.TrimSpace(s.Spec) == "" {
			errs["source"] = validation.NewError("missing_spec", "An enabled integration needs source.spec (a path, URL, github:owner/repo@ref or taxii+https://… URL).")
		}
	} else if ig.Enabled() {
		errs["source"] = validation.NewError("missing_spec", "An enabled integration needs source.spec.")
	}
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}
