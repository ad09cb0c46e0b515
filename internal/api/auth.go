package api

import (
	"slices"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// requireUser lets through superusers and signed-in, active Aegis users.
// Use it on routes every role may call.
func requireUser() *hook.Handler[*core.RequestEvent] {
	return requireRole(collections.Roles...)
}

// requireRole lets through superusers and active users holding one of roles;
// anonymous callers get 401, other roles 403.
func requireRole(roles ...string) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Func: func(e *core.RequestEvent) error {
			if e.Auth == nil {
				return e.UnauthorizedError("Sign in first.", nil)
			}
			if e.Auth.IsSuperuser() {
				return e.Next()
			}
			if e.Auth.Collection().Name != collections.Users || !e.Auth.GetBool("active") {
				return e.ForbiddenError("This account cannot use Aegis.", nil)
			}
			if !slices.Contains(roles, e.Auth.GetString("role")) {
				return e.ForbiddenError("Your role ("+e.Auth.GetString("role")+") may not do this.", nil)
			}
			return e.Next()
		},
	}
}

// callerRole is the role of the caller; superusers act as admins.
func callerRole(e *core.RequestEvent) string {
	if e.Auth == nil {
		return ""
	}
	if e.Auth.IsSuperuser() {
		return collections.RoleAdmin
	}
	return e.Auth.GetString("role")
}
