package security

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Register binds the sign-in checks: lockout first, then the second factor,
// both before PocketBase checks the password and issues a token.
func Register(app core.App) {
	app.OnRecordAuthWithPasswordRequest(collections.Users).Bind(&hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id: "aegisLockout", Priority: -30, Func: enforceLockout,
	})
	app.OnRecordAuthWithPasswordRequest(collections.Users).Bind(&hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id: "aegisTOTP", Priority: -20, Func: requireTOTP,
	})
	app.OnRecordAuthWithOAuth2Request(collections.Users).Bind(&hook.Handler[*core.RecordAuthWithOAuth2RequestEvent]{
		Id: "aegisSSORole", Priority: -20, Func: mapSSORole,
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id: "aegisMFAEnrolment", Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 5, Func: enforceEnrolment,
		})
		return se.Next()
	})
}
