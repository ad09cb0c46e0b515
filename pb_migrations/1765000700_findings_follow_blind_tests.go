package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Findings follow the visibility of their test: a finding opened by a miss
// on an unrevealed blind test names the test and the technique, so blue
// roles neither read nor change it until the test is revealed. Findings not
// tied to a test stay visible to everyone signed in.
func init() {
	m.Register(func(app core.App) error {
		findings, err := app.FindCollectionByNameOrId(c.Findings)
		if err != nil {
			return wrap(c.Findings, err)
		}
		visible := "(test = '' || " + c.NotBlueOrRevealed("test.") + ")"
		findings.ListRule = rule(c.Authed + " && " + visible)
		findings.ViewRule = rule(c.Authed + " && " + visible)
		findings.UpdateRule = rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead, c.RoleBlueLead) + " && " + visible)
		return app.Save(findings)
	}, func(app core.App) error {
		findings, err := app.FindCollectionByNameOrId(c.Findings)
		if err != nil {
			return wrap(c.Findings, err)
		}
		findings.ListRule = rule(c.Authed)
		findings.ViewRule = rule(c.Authed)
		findings.UpdateRule = rule(c.RoleIn(c.RoleAdmin, c.RoleRedLead, c.RoleBlueLead))
		return app.Save(findings)
	})
}
