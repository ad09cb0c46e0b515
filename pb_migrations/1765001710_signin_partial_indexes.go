package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The sign-in lockout counts an identity's failed sign-ins and looks for its
// successful ones from an address (internal/security/lockout.go). Its index
// covered every audit entry and computed the identity expression (a JSON
// read of the private field) for each: on every audited save, and over
// every entry when an index is built (8 s of the xl demo's 2M entries).
// Two partial indexes now hold only the sign-in entries, one per action;
// the lockout's queries name the action as a literal so that SQLite can use
// them (TestLockoutQueriesUseTheSignInIndexes).
const (
	signInFailedIndex = "idx_audit_logs_login_failed"
	signInOKIndex     = "idx_audit_logs_login"
	identityExpr      = "LOWER(coalesce(json_extract(private, '$.actor_name'), actor_name))"
)

func init() {
	m.Register(func(app core.App) error {
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		audit.RemoveIndex(signInIndex)
		audit.AddIndex(signInFailedIndex, false, "collection, "+identityExpr+", created", "action = 'login_failed'")
		audit.AddIndex(signInOKIndex, false, "collection, ip, "+identityExpr+", created", "action = 'login'")
		return app.Save(audit)
	}, func(app core.App) error {
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		audit.RemoveIndex(signInFailedIndex)
		audit.RemoveIndex(signInOKIndex)
		audit.AddIndex(signInIndex, false, "action, collection, "+identityExpr+", created", "")
		return app.Save(audit)
	})
}
