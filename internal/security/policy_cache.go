package security

import (
	"slices"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// The enrolment check runs on every API request of every user; reading the
// settings record and decoding its policy each time was a database query
// per request. The roles that must enrol are kept in the app's store for at
// most policyTTL, and dropped at once when the settings record changes
// through the model API (a policy saved, by any route), so a change applies
// to the next request; a write that bypasses the hooks applies within
// policyTTL.

const (
	mfaRolesKey = "aegis.security.mfaRoles"
	policyTTL   = time.Second
)

type mfaRolesEntry struct {
	roles []collections.Role
	at    time.Time
}

// mfaRequiredRoles is Load(app).MFARequiredRoles, cached.
func mfaRequiredRoles(app core.App) []collections.Role {
	if e, ok := app.Store().Get(mfaRolesKey).(*mfaRolesEntry); ok && time.Since(e.at) < policyTTL {
		return e.roles
	}
	roles := slices.Clone(Load(app).MFARequiredRoles)
	app.Store().Set(mfaRolesKey, &mfaRolesEntry{roles: roles, at: time.Now()})
	return roles
}

// bindPolicyCache drops the cached roles when the settings change.
func bindPolicyCache(app core.App) {
	drop := func(e *core.ModelEvent) error {
		e.App.Store().Remove(mfaRolesKey)
		return e.Next()
	}
	app.OnModelAfterCreateSuccess(collections.Settings).BindFunc(drop)
	app.OnModelAfterUpdateSuccess(collections.Settings).BindFunc(drop)
	app.OnModelAfterDeleteSuccess(collections.Settings).BindFunc(drop)
}
