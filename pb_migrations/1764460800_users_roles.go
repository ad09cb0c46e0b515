package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Roles live on the built-in users collection. Only admins manage users; a
// user may edit their own profile but never their own role or active flag,
// and inactive users cannot authenticate.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return wrap(c.Users, err)
		}
		users.Fields.Add(
			&core.SelectField{Name: "role", Values: []string{"admin", "red_lead", "red_operator", "blue_lead", "blue_analyst", "viewer"}, MaxSelect: 1, Required: true},
			&core.BoolField{Name: "active"},
		)
		notSelf := "id != @request.auth.id"
		users.ListRule = rule(c.Authed)
		users.ViewRule = rule(c.Authed)
		users.CreateRule = rule(c.RoleIn(c.RoleAdmin))
		users.UpdateRule = rule(c.Authed +
			" && (id = @request.auth.id || @request.auth.role = 'admin')" +
			" && (@request.body.role:isset = false || (@request.auth.role = 'admin' && " + notSelf + "))" +
			" && (@request.body.active:isset = false || (@request.auth.role = 'admin' && " + notSelf + "))")
		users.DeleteRule = rule(c.RoleIn(c.RoleAdmin) + " && " + notSelf)
		users.ManageRule = rule(c.RoleIn(c.RoleAdmin))
		users.AuthRule = types.Pointer("active = true")
		// No mailer is configured on most appliances; new-device alerts would
		// only fail noisily.
		users.AuthAlert.Enabled = false
		index(users, false, "role")
		return app.Save(users)
	}, func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return err
		}
		users.Fields.RemoveByName("role")
		users.Fields.RemoveByName("active")
		users.RemoveIndex("idx_users_role")
		return app.Save(users)
	})
}
