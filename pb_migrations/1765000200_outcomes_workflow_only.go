package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// signInIndex serves the lockout's per-identity counts.
const signInIndex = "idx_audit_logs_signin"

// Trust at the seams:
//   - test_outcomes are written only by the workflow (the transition
//     endpoint) and by importers, both from Go: the records API refuses
//     create, update and delete for every role (superusers keep the
//     dashboard as break-glass).
//   - the users password field carries the policy minimum (the saved one,
//     else the default) from the first start, so the dashboard and every records-API path agree with the
//     policy before an admin ever saves it (security/policy.go enforces it
//     in a validate hook as well).
//   - audit_logs gets an index for the sign-in lockout, which counts an
//     identity's failures and successful sign-ins (security/lockout.go):
//     without it every sign-in scanned all failures ever recorded.
func init() {
	m.Register(func(app core.App) error {
		outcomes, err := app.FindCollectionByNameOrId(c.TestOutcomes)
		if err != nil {
			return wrap(c.TestOutcomes, err)
		}
		outcomes.CreateRule = superusersOnly
		outcomes.UpdateRule = superusersOnly
		outcomes.DeleteRule = superusersOnly

		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return wrap(c.Users, err)
		}
		if f, ok := users.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); ok {
			f.Min = storedMinPasswordLength(app)
		}
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		audit.AddIndex(signInIndex, false, "action, collection, LOWER(coalesce(json_extract(private, '$.actor_name'), actor_name)), created", "")
		return saveAll(app, outcomes, users, audit)
	}, func(app core.App) error {
		outcomes, err := app.FindCollectionByNameOrId(c.TestOutcomes)
		if err != nil {
			return wrap(c.TestOutcomes, err)
		}
		blue := c.RoleIn(c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst) + " && " + c.NotBlueOrRevealed("test.")
		outcomes.CreateRule = rule(blue)
		outcomes.UpdateRule = rule(blue)
		outcomes.DeleteRule = rule(c.RoleIn(c.RoleAdmin, c.RoleBlueLead) + " && " + c.NotBlueOrRevealed("test."))
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		audit.RemoveIndex(signInIndex)
		return saveAll(app, outcomes, audit)
	})
}

// storedMinPasswordLength is the saved policy's minimum (an admin may have
// chosen 8 or 9 before this migration), else the default.
func storedMinPasswordLength(app core.App) int {
	var policy struct {
		PasswordMinLength int `json:"password_min_length"`
	}
	rec, err := app.FindFirstRecordByData(c.Settings, "key", "default")
	if err != nil || rec.UnmarshalJSONField("security", &policy) != nil || policy.PasswordMinLength < 8 || policy.PasswordMinLength > 71 {
		return c.MinPasswordLength
	}
	return policy.PasswordMinLength
}
