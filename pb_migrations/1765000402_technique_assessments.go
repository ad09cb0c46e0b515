package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Technique assessments: the detection and visibility scores a team keeps
// in DeTT&CT technique administration files, one row per technique, score
// kind and applicable_to systems, with the dated score logbook. They are an
// input of the technique's score (component D), never a validated test.
func init() {
	m.Register(func(app core.App) error {
		readAll := rule(c.Authed)
		blueLeads := rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead))
		techniques, err := app.FindCollectionByNameOrId(c.Techniques)
		if err != nil {
			return wrap(c.Techniques, err)
		}
		col := newCollection(c.TechniqueAssessments, ruleSet{list: readAll, view: readAll,
			create: blueLeads, update: blueLeads, del: blueLeads},
			textReq("source"), rel("technique", techniques), textReq("attack_id"), selReq("kind", []string{"detection", "visibility"}),
			textReq("applicable_to"), jsonField("systems"), &core.NumberField{Name: "score", OnlyInt: true, Min: ptr(-1.0), Max: ptr(5.0)},
			text("scored_at"), longText("comment"), jsonField("logbook"), jsonField("location"), text("origin"),
			text("content_hash"),
		)
		index(col, true, "source,attack_id,kind,applicable_to")
		index(col, false, "technique")
		return saveAll(app, col)
	}, func(app core.App) error {
		return dropAll(app, c.TechniqueAssessments)
	})
}

func ptr(f float64) *float64 { return &f }
