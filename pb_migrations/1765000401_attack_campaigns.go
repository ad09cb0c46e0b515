package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// ATT&CK campaigns (C0001…): the intrusion activity MITRE describes with
// its techniques, software and attributed groups, imported with the
// catalogue. A validation campaign planned from one points at it.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		adminOnly := rule(c.RoleIn(c.RoleAdmin))
		lookup := func(name string) (*core.Collection, error) {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return nil, wrap(name, err)
			}
			return col, nil
		}
		techniques, err := lookup(c.Techniques)
		if err != nil {
			return err
		}
		software, err := lookup(c.Software)
		if err != nil {
			return err
		}
		actors, err := lookup(c.ThreatActors)
		if err != nil {
			return err
		}
		camps := newCollection(c.AttackCampaigns, ruleSet{list: readAll, view: readAll,
			create: adminOnly, update: adminOnly, del: adminOnly},
			textReq("stix_id"), text("attack_id"), textReq("name"), jsonField("aliases"), longText("description"),
			jsonField("references"), text("domain"), text("first_seen"), text("last_seen"),
			relMany("techniques", techniques), relMany("software", software), relMany("actors", actors),
			boolean("revoked"), boolean("deprecated"), text("url"), text("content_hash"),
		)
		index(camps, true, "stix_id")
		index(camps, false, "attack_id")
		if err := saveAll(app, camps); err != nil {
			return err
		}
		planned, err := lookup(c.Campaigns)
		if err != nil {
			return err
		}
		planned.Fields.Add(rel("attack_campaign", camps))
		return saveAll(app, planned)
	}, func(app core.App) error {
		if planned, err := app.FindCollectionByNameOrId(c.Campaigns); err == nil {
			planned.Fields.RemoveByName("attack_campaign")
			if err := app.Save(planned); err != nil {
				return wrap(c.Campaigns, err)
			}
		}
		return dropAll(app, c.AttackCampaigns)
	})
}
