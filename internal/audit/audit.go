// Package audit writes the append-only audit trail. Entries are saved with
// the app they are given, so a caller inside a transaction gets its entry
// committed or rolled back together with the change it describes.
package audit

import "github.com/pocketbase/pocketbase/core"

// Actor kinds.
const (
	KindUser      = "user"
	KindSuperuser = "superuser"
	KindSystem    = "system"
)

// Actions written by Aegis itself; other packages add their own (transition,
// import…) as plain strings listed in collections.AuditActions.
const (
	ActionCreate      = "create"
	ActionUpdate      = "update"
	ActionDelete      = "delete"
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionRoleChange  = "role_change"
	ActionSetup       = "setup"
	ActionLogoutAll   = "logout_all"
)

// Entry is one audit record.
type Entry struct {
	Actor      string         // user or superuser id; empty for the system
	ActorName  string         // email or name at the time, kept for history
	ActorKind  string         // user, superuser or system
	Action     string         // create, update, delete, login, login_failed, role_change, transition, import…
	Collection string         // collection name, if any
	RecordId   string         // record id, if any
	Details    map[string]any // changed fields {field: {old, new}} or action specifics
	IP         string
}

// Write saves e through app (use the transaction's app inside one). An entry
// without an actor is attributed to the actor bound to app's transaction
// (see Bind), else to the system.
func Write(app core.App, e Entry) error {
	return writeEntry(app, e)
}
