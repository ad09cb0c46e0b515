package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Viewers are read-only (DESIGN §3). A user who uploaded evidence or wrote a
// comment and was later made a viewer keeps no right to change or delete it.
func init() {
	m.Register(func(app core.App) error {
		workers := c.RoleIn(c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator, c.RoleBlueLead, c.RoleBlueAnalyst)

		evidence, err := app.FindCollectionByNameOrId(c.Evidence)
		if err != nil {
			return wrap(c.Evidence, err)
		}
		evidence.UpdateRule = rule(workers + " && uploaded_by = @request.auth.id && @request.body.file:isset = false" +
			" && @request.body.test:isset = false && @request.body.team:isset = false && @request.body.uploaded_by:isset = false" +
			" && @request.body.sha256:isset = false && @request.body.size:isset = false && @request.body.mime:isset = false")
		evidence.DeleteRule = rule(workers + " && (uploaded_by = @request.auth.id || @request.auth.role = 'admin')")

		comments, err := app.FindCollectionByNameOrId(c.TestComments)
		if err != nil {
			return wrap(c.TestComments, err)
		}
		comments.UpdateRule = rule(workers + " && author = @request.auth.id" +
			" && @request.body.author:isset = false && @request.body.test:isset = false")
		comments.DeleteRule = rule(workers + " && (author = @request.auth.id || @request.auth.role = 'admin')")

		return saveAll(app, evidence, comments)
	}, nil)
}
