package security

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Register binds the sign-in checks: lockout first (users and superusers),
// then the second factor, both before PocketBase checks the password and
// issues a token; the password policy on every password set; and the
// enrolment requirement on REST, realtime and file downloads; and empty
// filtered lists answered at once where the caller's rules hide nothing,
// in a constant time where they do (emptylists.go).
func Register(app core.App) {
	bindPolicyCache(app)
	app.OnRecordAuthWithPasswordRequest(collections.Users, core.CollectionNameSuperusers).Bind(&hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id: "aegisLockout", Priority: -30, Func: enforceLockout,
	})
	app.OnRecordAuthWithPasswordRequest(collections.Users).Bind(&hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id: "aegisTOTP", Priority: -20, Func: requireTOTP,
	})
	app.OnRecordAuthWithOAuth2Request(collections.Users).Bind(&hook.Handler[*core.RecordAuthWithOAuth2RequestEvent]{
		Id: "aegisSSORole", Priority: -20, Func: mapSSORole,
	})
	app.OnRecordValidate(collections.Users, core.CollectionNameSuperusers).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "aegisPasswordPolicy", Priority: -20, Func: enforcePasswordPolicy,
	})
	app.OnRealtimeMessageSend().Bind(&hook.Handler[*core.RealtimeMessageEvent]{
		Id: "aegisMFARealtime", Priority: -20, Func: enforceEnrolmentRealtime,
	})
	app.OnFileDownloadRequest().Bind(&hook.Handler[*core.FileDownloadRequestEvent]{
		Id: "aegisMFAFiles", Priority: -20, Func: enforceEnrolmentFiles,
	})
	app.OnRecordsListRequest().Bind(&hook.Handler[*core.RecordsListRequestEvent]{
		Id: "aegisEmptyLists", Priority: emptyListsPriority, Func: answerEmptyList,
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id: "aegisListStart", Priority: apis.DefaultWWWRedirectMiddlewarePriority + 1, Func: markListStart,
		})
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id: "aegisMFAEnrolment", Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 5, Func: enforceEnrolment,
		})
		return se.Next()
	})
}
