package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Tightens what the role-matrix review found:
//   - audit_logs.ip is hidden: only superusers may filter on it, and the API
//     shows it to admins and to the entry's own actor (hooks/audit.go).
//   - evidence: a team's evidence comes from that team (DESIGN §3: red
//     evidence by red roles, blue evidence by blue roles, admins both); the
//     uploader cannot be spoofed; an update may change the note and name but
//     not move the file to another test, team or uploader.
//   - test_outcomes: blue roles cannot touch outcomes of tests they may not
//     see yet (blind campaigns).
//   - test_comments: a comment cannot be moved to another test.
//   - settings: the single record's key cannot be renamed.
func init() {
	m.Register(func(app core.App) error {
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		if f := audit.Fields.GetByName("ip"); f != nil {
			f.SetHidden(true)
		}
		if err := app.Save(audit); err != nil {
			return wrap(c.AuditLogs, err)
		}

		workers := []c.Role{c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator, c.RoleBlueLead, c.RoleBlueAnalyst}
		evidence, err := app.FindCollectionByNameOrId(c.Evidence)
		if err != nil {
			return wrap(c.Evidence, err)
		}
		teamMatches := "((@request.body.team = 'red' && (@request.auth.role = 'admin' || @request.auth.role = 'red_lead' || @request.auth.role = 'red_operator'))" +
			" || (@request.body.team = 'blue' && (@request.auth.role = 'admin' || @request.auth.role = 'blue_lead' || @request.auth.role = 'blue_analyst')))"
		evidence.CreateRule = rule(c.RoleIn(workers...) + " && " + c.NotBlueOrRevealed("test.") + " && " + teamMatches +
			" && (@request.body.uploaded_by:isset = false || @request.body.uploaded_by = @request.auth.id)")
		evidence.UpdateRule = rule(c.Authed + " && uploaded_by = @request.auth.id && @request.body.file:isset = false" +
			" && @request.body.test:isset = false && @request.body.team:isset = false && @request.body.uploaded_by:isset = false" +
			" && @request.body.sha256:isset = false && @request.body.size:isset = false && @request.body.mime:isset = false")

		outcomes, err := app.FindCollectionByNameOrId(c.TestOutcomes)
		if err != nil {
			return wrap(c.TestOutcomes, err)
		}
		blue := c.RoleIn(c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst) + " && " + c.NotBlueOrRevealed("test.")
		outcomes.CreateRule = rule(blue)
		outcomes.UpdateRule = rule(blue)
		outcomes.DeleteRule = rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead) + " && " + c.NotBlueOrRevealed("test."))

		comments, err := app.FindCollectionByNameOrId(c.TestComments)
		if err != nil {
			return wrap(c.TestComments, err)
		}
		comments.UpdateRule = rule(c.Authed + " && author = @request.auth.id" +
			" && @request.body.author:isset = false && @request.body.test:isset = false")

		settings, err := app.FindCollectionByNameOrId(c.Settings)
		if err != nil {
			return wrap(c.Settings, err)
		}
		settings.UpdateRule = rule(c.RoleIn(c.RoleAdmin) + " && @request.body.key:isset = false")

		return saveAll(app, evidence, outcomes, comments, settings)
	}, nil)
}
