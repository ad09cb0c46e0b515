package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Job leases: one row per job that is running, so the same job never runs
// twice at once, across goroutines and across processes (serve and a CLI
// command on the same data dir). A row names the run holding it, the process
// that holds it and when it expires unless renewed; a crashed holder is
// detected from its process id or the expiry. Only Go code writes it.
//
// job_runs gains a bounded log of what the run said, and an index for the
// integration page's history.
func init() {
	m.Register(func(app core.App) error {
		leases := newCollection("job_leases", ruleSet{list: superusersOnly, view: superusersOnly,
			create: superusersOnly, update: superusersOnly, del: superusersOnly},
			textReq("job"), text("run"), text("holder"), date("expires_at"),
		)
		index(leases, true, "job")

		runs, err := app.FindCollectionByNameOrId(c.JobRuns)
		if err != nil {
			return wrap(c.JobRuns, err)
		}
		runs.Fields.Add(jsonField("log"))
		index(runs, false, "integration,started_at")
		return saveAll(app, leases, runs)
	}, func(app core.App) error {
		if runs, err := app.FindCollectionByNameOrId(c.JobRuns); err == nil {
			runs.Fields.RemoveByName("log")
			runs.RemoveIndex("idx_job_runs_integration_started_at")
			if err := app.Save(runs); err != nil {
				return wrap(c.JobRuns, err)
			}
		}
		return dropAll(app, "job_leases")
	})
}
