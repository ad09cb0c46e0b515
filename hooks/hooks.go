// Package hooks binds Aegis behaviour to PocketBase record events: the audit
// trail, user and role guards, notifications, the workflow guards, evidence
// checks and campaign generation. Each concern lives in its own file and is
// bound here, so the list below is the map of what runs on a record change.
package hooks

import "github.com/pocketbase/pocketbase/core"

// Register binds every record hook to app.
func Register(app core.App) {
	bindAudit(app)
	bindUserGuards(app)
	bindNotifications(app)
	bindWorkflowGuards(app)
	bindEvidence(app)
	bindContentGuards(app)
	bindSecretGuards(app)
}
