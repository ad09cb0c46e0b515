package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Operational collections: snapshots, notifications, the append-only audit
// log, integrations, job history and the single settings record.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		adminOnly := rule(c.RoleIn(c.RoleAdmin))

		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return wrap(c.Users, err)
		}

		snapshots := newCollection(c.CoverageSnapshots, ruleSet{list: readAll, view: readAll,
			create: superusersOnly, update: superusersOnly, del: adminOnly},
			date("taken_at"), text("trigger"), text("label"), jsonField("totals"), jsonField("by_tactic"),
			&core.TextField{Name: "by_technique", Max: 16 << 20, Hidden: true},
		)
		index(snapshots, false, "taken_at")

		own := c.Authed + " && user = @request.auth.id"
		notifications := newCollection(c.Notifications, ruleSet{list: rule(own), view: rule(own),
			create: superusersOnly,
			update: rule(own + " && @request.body.user:isset = false && @request.body.title:isset = false" +
				" && @request.body.body:isset = false && @request.body.kind:isset = false && @request.body.link:isset = false"),
			del: rule(own)},
			relReq("user", users, true), text("kind"), textReq("title"), longText("body"), text("link"),
			boolean("read"),
		)
		index(notifications, false, "user,read")
		index(notifications, false, "created")

		// Audit entries are written only by Go hooks; no rule lets anyone
		// change them, and a hook refuses even superusers (see hooks/audit).
		audit := newCollection(c.AuditLogs, ruleSet{list: readAll, view: readAll,
			create: superusersOnly, update: superusersOnly, del: superusersOnly},
			text("actor"), text("actor_name"), sel("actor_kind", []string{"user", "superuser", "system"}), textReq("action"),
			text("collection"), text("record_id"), jsonField("details"), text("ip"),
		)
		index(audit, false, "created")
		index(audit, false, "collection,record_id")
		index(audit, false, "actor")
		index(audit, false, "action")

		integrations := newCollection(c.Integrations, ruleSet{list: adminOnly, view: adminOnly,
			create: adminOnly, update: adminOnly, del: adminOnly},
			selReq("kind", []string{"attack", "sigma", "elastic", "atomic", "caldera", "d3fend", "compliance", "intel"}), textReq("name"), boolean("enabled"), jsonField("source"),
			text("schedule"), date("last_sync_at"), text("last_status"), jsonField("last_sync_stats"),
			longText("last_error"),
		)
		index(integrations, true, "name")
		index(integrations, false, "kind,enabled")

		jobRuns := newCollection(c.JobRuns, ruleSet{list: readAll, view: readAll,
			create: superusersOnly, update: superusersOnly, del: adminOnly},
			textReq("job"), sel("trigger", []string{"schedule", "manual", "startup"}), date("started_at"), date("finished_at"),
			sel("status", []string{"running", "succeeded", "failed", "retrying"}), integer("attempt"), jsonField("stats"), longText("error"),
			jsonField("progress"), text("integration"), text("requested_by"),
		)
		index(jobRuns, false, "job,started_at")
		index(jobRuns, false, "status")

		settings := newCollection(c.Settings, ruleSet{list: readAll, view: readAll,
			create: superusersOnly, update: adminOnly, del: superusersOnly},
			textReq("key"), jsonField("scoring"), jsonField("evidence"), jsonField("intel_keywords"),
			jsonField("retention"),
		)
		index(settings, true, "key")

		if err := saveAll(app, snapshots, notifications, audit, integrations, jobRuns, settings); err != nil {
			return err
		}
		return seedSettings(app, settings)
	}, func(app core.App) error {
		return dropAll(app, c.CoverageSnapshots, c.Notifications, c.AuditLogs, c.Integrations,
			c.JobRuns, c.Settings)
	})
}

// seedSettings writes the single settings record with the defaults of
// DESIGN §5 (scoring) and §4 (evidence).
func seedSettings(app core.App, col *core.Collection) error {
	r := core.NewRecord(col)
	r.Set("key", "default")
	r.Set("scoring", c.DefaultScoring())
	r.Set("evidence", c.DefaultEvidencePolicy())
	r.Set("intel_keywords", []string{})
	r.Set("retention", map[string]any{"notifications_days": 90, "evidence_days": 0})
	return app.Save(r)
}
