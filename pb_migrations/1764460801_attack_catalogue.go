package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The ATT&CK catalogue is written by the importer (Go, no rules) and read by
// everyone; admins may correct it by hand, blue leads may scope techniques.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		adminOnly := rule(c.RoleIn(c.RoleAdmin))
		catalogue := ruleSet{list: readAll, view: readAll, create: adminOnly, update: adminOnly, del: adminOnly}

		tactics := newCollection(c.Tactics, catalogue,
			textReq("stix_id"), text("attack_id"), textReq("name"), text("shortname"), text("domain"),
			integer("matrix_order"), longText("description"), text("url"), text("content_hash"),
		)
		index(tactics, true, "stix_id")
		index(tactics, false, "domain,matrix_order")
		index(tactics, false, "shortname")

		dataComponents := newCollection(c.DataComponents, catalogue,
			textReq("stix_id"), textReq("name"), text("data_source"), jsonField("log_sources"),
			longText("description"), text("domain"), boolean("deprecated"), text("content_hash"),
		)
		index(dataComponents, true, "stix_id")

		techniques := core.NewBaseCollection(c.Techniques)
		techniques.Fields.Add(
			textReq("stix_id"), text("attack_id"), textReq("name"), longText("description"), text("domain"),
			relMany("tactics", tactics), jsonField("platforms"), boolean("is_subtechnique"),
			longText("detection"), relMany("data_components", dataComponents),
			boolean("revoked"), boolean("deprecated"), text("version"),
			date("modified"), text("url"), jsonField("meta"), text("content_hash"),
			boolean("in_scope"), sel("priority", []string{"critical", "high", "medium", "low"}),
		)
		timestamps(techniques)
		ruleSet{list: readAll, view: readAll, create: adminOnly,
			update: rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead)), del: adminOnly}.apply(techniques)
		index(techniques, true, "stix_id")
		index(techniques, false, "attack_id")
		index(techniques, false, "domain,is_subtechnique")

		mitigations := newCollection(c.Mitigations, catalogue,
			textReq("stix_id"), text("attack_id"), textReq("name"), longText("description"), text("domain"),
			relMany("techniques", techniques), boolean("revoked"), boolean("deprecated"), text("url"),
			text("content_hash"),
		)
		index(mitigations, true, "stix_id")
		index(mitigations, false, "attack_id")

		strategies := newCollection(c.DetectionStrategies, catalogue,
			textReq("stix_id"), text("attack_id"), textReq("name"), text("domain"),
			relMany("techniques", techniques), jsonField("analytics"), boolean("revoked"), boolean("deprecated"),
			text("content_hash"),
		)
		index(strategies, true, "stix_id")
		index(strategies, false, "attack_id")

		releases := newCollection(c.AttackReleases, ruleSet{list: readAll, view: readAll,
			create: superusersOnly, update: superusersOnly, del: adminOnly},
			textReq("domain"), text("version"), date("imported_at"), jsonField("changes"),
			jsonField("stats"), text("source"),
		)
		index(releases, false, "domain,imported_at")

		actors := newCollection(c.ThreatActors, ruleSet{list: readAll, view: readAll,
			create: rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead)),
			update: rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead)), del: adminOnly},
			text("stix_id"), text("attack_id"), textReq("name"), jsonField("aliases"), longText("description"),
			jsonField("target_sectors"), jsonField("target_regions"), jsonField("references"),
			sel("source", []string{"attack", "intel", "manual"}), text("domain"), boolean("revoked"), boolean("deprecated"),
			text("url"), text("content_hash"),
		)
		index(actors, true, "stix_id", "stix_id != ''")
		index(actors, false, "attack_id")
		index(actors, false, "name")

		actorTechniques := newCollection(c.ActorTechniques, ruleSet{list: readAll, view: readAll,
			create: rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead)),
			update: rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead)), del: adminOnly},
			relReq("actor", actors, true), relReq("technique", techniques, true), longText("procedure"),
			jsonField("references"), text("stix_id"), sel("source", []string{"attack", "intel", "manual"}), text("content_hash"),
		)
		index(actorTechniques, true, "actor,technique")
		index(actorTechniques, false, "technique")

		software := newCollection(c.Software, catalogue,
			textReq("stix_id"), text("attack_id"), textReq("name"), sel("kind", []string{"malware", "tool"}),
			jsonField("aliases"), longText("description"), jsonField("platforms"), text("domain"),
			relMany("techniques", techniques), relMany("actors", actors), boolean("revoked"),
			boolean("deprecated"), text("url"), text("content_hash"),
		)
		index(software, true, "stix_id")
		index(software, false, "attack_id")

		if err := saveAll(app, tactics, dataComponents, techniques); err != nil {
			return err
		}
		// Self relations can only point at a collection that already exists.
		techniques.Fields.Add(rel("parent", techniques), rel("revoked_by", techniques))
		index(techniques, false, "parent")
		index(techniques, false, "revoked_by")
		return saveAll(app, techniques, mitigations, strategies, releases, actors, actorTechniques, software)
	}, func(app core.App) error {
		return dropAll(app, c.Tactics, c.DataComponents, c.Techniques, c.Mitigations,
			c.DetectionStrategies, c.AttackReleases, c.ThreatActors, c.ActorTechniques, c.Software)
	})
}
