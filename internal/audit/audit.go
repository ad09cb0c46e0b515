// Package audit writes the append-only audit trail. Entries are saved with
// the app they are given, so a caller inside a transaction gets its entry
// committed or rolled back together with the change it describes.
package audit

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Actor kinds (the vocabulary's).
const (
	KindUser      = collections.KindUser
	KindSuperuser = collections.KindSuperuser
	KindSystem    = collections.KindSystem
)

// Actions written by Aegis itself (the values live in collections with the
// rest of the vocabulary: collections.AuditActions).
const (
	ActionCreate      = collections.AuditCreate
	ActionUpdate      = collections.AuditUpdate
	ActionDelete      = collections.AuditDelete
	ActionLogin       = collections.AuditLogin
	ActionLoginFailed = collections.AuditLoginFailed
	ActionLoginLocked = collections.AuditLoginLocked // written by the account lockout (package security)
	ActionRoleChange  = collections.AuditRoleChange
	ActionSetup       = collections.AuditSetup
	ActionLogoutAll   = collections.AuditLogoutAll
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
	// Test is the test the entry concerns when it is about something hung
	// on a test (an outcome, comment, evidence, finding); entries about a
	// test itself (Collection tests) get RecordId by default. The entry is
	// visible to blue only when the test is (see SyncTestVisibility).
	Test string
	// TestRevealed, when set, is the test's revealed flag at the time (for
	// a test being deleted, whose row is gone); else it is read.
	TestRevealed *bool
}

// Write saves e through app (use the transaction's app inside one). An entry
// without an actor is attributed to the actor bound to app's transaction
// (see Bind), else to the system.
func Write(app core.App, e Entry) error {
	return writeEntry(app, e)
}
