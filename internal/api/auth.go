package api

import (
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
func requireRole(roles ...collections.Role) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Func: func(e *core.RequestEvent) error {
			if e.Auth == nil {
				return e.UnauthorizedError("Sign in first.", nil)
			}
			a := collections.ActorFromRequest(e)
			if a.Superuser() {
				return e.Next()
			}
			if a.Role == "" {
				return e.ForbiddenError("This account cannot use Aegis.", nil)
			}
			if !a.Is(roles...) {
				return e.ForbiddenError("Your role ("+string(a.Role)+") may not do this.", nil)
			}
			return e.Next()
		},
	}
}
