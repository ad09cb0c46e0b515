package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Detection and defence content: rules, D3FEND, compliance and intel. Blue
// leads own the organisation's status fields; imports own the rest.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		adminOnly := rule(c.RoleIn(c.RoleAdmin))
		blueLeads := rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead))

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

		rules := newCollection(c.DetectionRules, ruleSet{list: readAll, view: readAll,
			create: blueLeads, update: blueLeads, del: blueLeads},
			selReq("source", []string{"sigma", "elastic", "splunk", "custom"}), textReq("source_rule_id"), textReq("title"),
			longText("description"), text("status"), sel("severity", []string{"critical", "high", "medium", "low", "informational"}),
			relMany("techniques", techniques), jsonField("tactics"), jsonField("platforms"),
			jsonField("log_sources"), text("author"), jsonField("references"),
			&core.TextField{Name: "content", Max: 4 << 20}, text("path"), text("content_hash"),
			boolean("enabled"), boolean("removed"), jsonField("meta"), jsonField("unknown_techniques"),
		)
		index(rules, true, "source,source_rule_id")
		index(rules, false, "enabled,removed")
		index(rules, false, "status")

		d3fend := newCollection(c.D3fendTechniques, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: blueLeads, del: adminOnly},
			textReq("d3fend_id"), textReq("name"), sel("tactic", []string{"model", "harden", "detect", "isolate", "deceive", "evict", "restore"}), longText("definition"),
			text("level0"), text("level1"), text("uri"), sel("status", []string{"not_implemented", "partial", "implemented"}), text("content_hash"),
		)
		index(d3fend, true, "d3fend_id")
		index(d3fend, false, "status")

		d3fendMappings := newCollection(c.D3fendMappings, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: adminOnly, del: adminOnly},
			relReq("technique", techniques, true), relReq("d3fend", d3fend, true), text("via"),
		)
		index(d3fendMappings, true, "technique,d3fend")
		index(d3fendMappings, false, "d3fend")

		frameworks := newCollection(c.ComplianceFrameworks, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: adminOnly, del: adminOnly},
			textReq("name"), text("version"), text("source"), longText("description"),
		)
		index(frameworks, true, "name")

		controls := newCollection(c.ComplianceControls, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: blueLeads, del: adminOnly},
			relReq("framework", frameworks, true), textReq("control_id"), text("title"), text("family"),
			longText("description"), sel("status", []string{"not_assessed", "not_implemented", "planned", "partial", "implemented"}), rel("owner", users), longText("notes"),
		)
		index(controls, true, "framework,control_id")
		index(controls, false, "status")

		controlMappings := newCollection(c.ControlMappings, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: adminOnly, del: adminOnly},
			relReq("control", controls, true), relReq("technique", techniques, true),
			sel("mapping_type", []string{"mitigates", "protects", "detects", "related"}), text("source"),
		)
		index(controlMappings, true, "control,technique,mapping_type")
		index(controlMappings, false, "technique")

		intel := newCollection(c.IntelReports, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: adminOnly, del: adminOnly},
			text("source"), textReq("external_id"), textReq("title"), date("published"), text("url"),
			relMany("techniques", techniques), relMany("actors", actors), longText("summary"),
			jsonField("new_links"), jsonField("unknown_techniques"), text("content_hash"),
		)
		index(intel, true, "external_id")
		index(intel, false, "published")

		if err := saveAll(app, rules, d3fend, d3fendMappings, frameworks, controls, controlMappings, intel); err != nil {
			return err
		}

		// Tests record which rules fired; the rules collection exists only now.
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		tests.Fields.Add(relMany("detection_rules", rules))
		return app.Save(tests)
	}, func(app core.App) error {
		if tests, err := app.FindCollectionByNameOrId(c.Tests); err == nil {
			tests.Fields.RemoveByName("detection_rules")
			if err := app.Save(tests); err != nil {
				return err
			}
		}
		return dropAll(app, c.DetectionRules, c.D3fendTechniques, c.D3fendMappings,
			c.ComplianceFrameworks, c.ComplianceControls, c.ControlMappings, c.IntelReports)
	})
}
