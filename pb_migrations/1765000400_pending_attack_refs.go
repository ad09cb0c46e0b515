package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// References that do not depend on import order: a compliance or D3FEND
// mapping (or a test planned from a layer) naming an ATT&CK id the catalogue
// does not have yet waits in pending_attack_refs until an ATT&CK import
// brings the id. Test templates remember the source folder they came from
// and, like detection rules, are marked removed (never deleted) when they
// disappear from it; D3FEND mappings likewise.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		adminOnly := rule(c.RoleIn(c.RoleAdmin))
		pending := newCollection(c.PendingAttackRefs, ruleSet{list: readAll, view: readAll,
			create: superusersOnly, update: superusersOnly, del: adminOnly},
			selReq("kind", []string{"control_mapping", "d3fend_mapping", "campaign_test"}), textReq("attack_id"), textReq("owner"), text("detail"),
			jsonField("data"), text("source"),
		)
		index(pending, true, "kind,owner,attack_id,detail")
		index(pending, false, "attack_id")
		if err := saveAll(app, pending); err != nil {
			return err
		}
		templates, err := app.FindCollectionByNameOrId(c.TestTemplates)
		if err != nil {
			return wrap(c.TestTemplates, err)
		}
		templates.Fields.Add(boolean("removed"), text("origin"))
		mappings, err := app.FindCollectionByNameOrId(c.D3fendMappings)
		if err != nil {
			return wrap(c.D3fendMappings, err)
		}
		mappings.Fields.Add(boolean("removed"))
		return saveAll(app, templates, mappings)
	}, func(app core.App) error {
		for name, fields := range map[string][]string{c.TestTemplates: {"removed", "origin"}, c.D3fendMappings: {"removed"}} {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				continue
			}
			for _, f := range fields {
				col.Fields.RemoveByName(f)
			}
			if err := app.Save(col); err != nil {
				return wrap(name, err)
			}
		}
		return dropAll(app, c.PendingAttackRefs)
	})
}
