package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Validation work: templates, campaigns, tests and what hangs off them.
// Workflow fields (state, revision, outcomes) are refused here and changed
// only through the transition endpoint; hooks add the per-role field checks.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		adminOnly := rule(c.RoleIn(c.RoleAdmin))
		redLeads := rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead))
		blueLeads := rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead))
		workers := []c.Role{c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator, c.RoleBlueLead, c.RoleBlueAnalyst}

		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return wrap(c.Users, err)
		}
		techniques, err := app.FindCollectionByNameOrId(c.Techniques)
		if err != nil {
			return wrap(c.Techniques, err)
		}
		actors, err := app.FindCollectionByNameOrId(c.ThreatActors)
		if err != nil {
			return wrap(c.ThreatActors, err)
		}

		templates := newCollection(c.TestTemplates, ruleSet{list: readAll, view: readAll,
			create: redLeads, update: redLeads, del: redLeads},
			selReq("source", []string{"atomic", "caldera", "manual"}), textReq("source_id"), rel("technique", techniques),
			text("technique_attack_id"), textReq("name"), longText("description"), jsonField("platforms"),
			jsonField("executor"), jsonField("input_arguments"), jsonField("dependencies"), text("path"),
			text("content_hash"),
		)
		index(templates, true, "source,source_id")
		index(templates, false, "technique")

		campaigns := core.NewBaseCollection(c.Campaigns)
		campaigns.Fields.Add(
			textReq("name"), longText("description"), sel("status", []string{"planned", "active", "completed", "archived"}),
			rel("threat_actor", actors), rel("owner", users), date("start_at"), date("end_at"),
			jsonField("tags"), boolean("blind"), text("attack_version"), text("recurrence"),
			date("next_run_at"), integer("round"), jsonField("platforms"),
		)
		timestamps(campaigns)
		ruleSet{list: readAll, view: readAll, create: redLeads, update: redLeads, del: redLeads}.apply(campaigns)
		index(campaigns, false, "status")
		index(campaigns, false, "threat_actor")
		index(campaigns, false, "next_run_at", "recurrence != ''")

		tools := newCollection(c.DefenseTools, ruleSet{list: readAll, view: readAll,
			create: blueLeads, update: blueLeads, del: blueLeads},
			textReq("name"), sel("kind", []string{"edr", "siem", "ndr", "firewall", "email", "other"}), text("vendor"), boolean("active"),
			longText("notes"),
		)
		index(tools, true, "name")

		visibleTest := rule(c.Authed + " && " + c.NotBlueOrRevealed(""))
		tests := core.NewBaseCollection(c.Tests)
		tests.Fields.Add(
			textReq("name"), relReq("technique", techniques, false),
			&core.RelationField{Name: "campaign", CollectionId: campaigns.Id, MaxSelect: 1, CascadeDelete: true},
			rel("template", templates), longText("procedure"), text("platform"),
			sel("state", []string{"draft", "ready", "executing", "blue_review", "validated", "closed", "cancelled"}), rel("red_assignee", users), rel("blue_assignee", users),
			sel("red_result", []string{"executed", "blocked_on_execution", "failed_to_execute"}), date("executed_at"),
			sel("prevention", []string{"blocked", "partial", "not_blocked"}), sel("detection", []string{"technique", "tactic", "general", "telemetry", "none"}),
			sel("alert_severity", []string{"critical", "high", "medium", "low", "informational"}), date("detected_at"), longText("red_notes"),
			longText("blue_notes"), boolean("revealed"), rel("validated_by", users), date("validated_at"),
			date("due_at"), jsonField("tags"), integer("revision"), longText("reason"),
		)
		timestamps(tests)
		ruleSet{
			list: visibleTest, view: visibleTest, create: redLeads,
			update: rule(c.RoleIn(workers...) + " && " + c.NotBlueOrRevealed("") +
				" && @request.body.state:isset = false && @request.body.revision:isset = false" +
				" && @request.body.prevention:isset = false && @request.body.detection:isset = false" +
				" && @request.body.red_result:isset = false && @request.body.revealed:isset = false" +
				" && @request.body.validated_by:isset = false && @request.body.validated_at:isset = false"),
			del: redLeads,
		}.apply(tests)
		index(tests, false, "technique")
		index(tests, false, "campaign,state")
		index(tests, false, "state")
		index(tests, false, "red_assignee")
		index(tests, false, "blue_assignee")
		index(tests, false, "template")
		index(tests, false, "validated_at")

		visibleChild := rule(c.Authed + " && " + c.NotBlueOrRevealed("test."))
		outcomes := newCollection(c.TestOutcomes, ruleSet{list: visibleChild, view: visibleChild,
			create: rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst)),
			update: rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst)),
			del:    rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead))},
			relReq("test", tests, true), rel("defense_tool", tools), sel("prevention", []string{"blocked", "partial", "not_blocked"}),
			sel("detection", []string{"technique", "tactic", "general", "telemetry", "none"}), date("detected_at"), longText("notes"),
		)
		index(outcomes, true, "test,defense_tool")

		findingManagers := rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead, c.RoleBlueLead))
		findings := newCollection(c.Findings, ruleSet{list: readAll, view: readAll,
			create: findingManagers, update: findingManagers, del: adminOnly},
			rel("test", tests), rel("technique", techniques), textReq("title"), sel("severity", []string{"critical", "high", "medium", "low", "informational"}),
			longText("recommendation"), rel("owner", users), sel("status", []string{"open", "in_progress", "resolved", "risk_accepted"}), date("due_at"),
			rel("resolved_by_test", tests), date("resolved_at"),
		)
		index(findings, false, "status")
		index(findings, false, "test")
		index(findings, false, "technique")
		index(findings, false, "owner")

		evidence := newCollection(c.Evidence, ruleSet{list: visibleChild, view: visibleChild,
			create: rule(c.RoleIn(workers...) + " && " + c.NotBlueOrRevealed("test.")),
			update: rule(c.Authed + " && uploaded_by = @request.auth.id && @request.body.file:isset = false"),
			del:    rule(c.Authed + " && (uploaded_by = @request.auth.id || @request.auth.role = 'admin')")},
			relReq("test", tests, true), selReq("team", []string{"red", "blue"}),
			&core.FileField{Name: "file", MaxSelect: 1, MaxSize: 1 << 30, Protected: true, Required: true},
			text("filename"), text("mime"), integer("size"), text("sha256"), longText("note"),
			rel("uploaded_by", users),
		)
		index(evidence, false, "test")
		index(evidence, false, "uploaded_by")

		comments := newCollection(c.TestComments, ruleSet{list: visibleChild, view: visibleChild,
			create: rule(c.RoleIn(workers...) + " && " + c.NotBlueOrRevealed("test.") +
				" && @request.body.author = @request.auth.id"),
			update: rule(c.Authed + " && author = @request.auth.id && @request.body.author:isset = false"),
			del:    rule(c.Authed + " && (author = @request.auth.id || @request.auth.role = 'admin')")},
			relReq("test", tests, true), relReq("author", users, false),
			&core.TextField{Name: "body", Required: true, Max: 100000},
		)
		index(comments, false, "test")

		if err := saveAll(app, templates, campaigns, tools, tests); err != nil {
			return err
		}
		// Self relations can only point at a collection that already exists.
		campaigns.Fields.Add(rel("parent", campaigns))
		index(campaigns, false, "parent")
		tests.Fields.Add(rel("retest_of", tests))
		index(tests, false, "retest_of")
		return saveAll(app, campaigns, tests, outcomes, findings, evidence, comments)
	}, func(app core.App) error {
		return dropAll(app, c.TestTemplates, c.Campaigns, c.DefenseTools, c.Tests, c.TestOutcomes,
			c.Findings, c.Evidence, c.TestComments)
	})
}
