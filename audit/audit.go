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

// Write saves e through app (use the transaction's app inside one).
func Write(app core.App, e Entry) error {
	return writeEntry(app, e)
}
