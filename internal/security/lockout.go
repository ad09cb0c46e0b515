package security

import (
	"fmt"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// recentFailures counts failed password sign-ins for identity within window,
// from the audit log, so a lockout survives restarts and is visible there.
func recentFailures(app core.App, identity string, window time.Duration) (int, error) {
	since := types.NowDateTime().Add(-window)
	var n int
	err := app.DB().Select("count(*)").From(collections.AuditLogs).
		Where(dbx.HashExp{"action": audit.ActionLoginFailed, "collection": collections.Users}).
		AndWhere(dbx.NewExp("LOWER([[actor_name]]) = {:who}", dbx.Params{"who": strings.ToLower(identity)})).
		AndWhere(dbx.NewExp("[[created]] >= {:since}", dbx.Params{"since": since.String()})).
		Row(&n)
	return n, err
}

// enforceLockout runs before the password check: an identity with too many
// recent failures is refused without its password being tried.
func enforceLockout(e *core.RecordAuthWithPasswordRequestEvent) error {
	p := Load(e.App)
	if p.Lockout.Threshold <= 0 {
		return e.Next()
	}
	window := time.Duration(p.Lockout.WindowMinutes) * time.Minute
	n, err := recentFailures(e.App, e.Identity, window)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if n >= p.Lockout.Threshold {
		entry := audit.Entry{ActorKind: audit.KindUser, ActorName: e.Identity, Action: "login_locked",
			Collection: collections.Users, IP: e.RealIP(),
			Details: map[string]any{"identity": e.Identity, "failures": n, "window_minutes": p.Lockout.WindowMinutes}}
		if e.Record != nil {
			entry.Actor, entry.RecordId = e.Record.Id, e.Record.Id
		}
		if werr := audit.Write(e.App, entry); werr != nil {
			e.App.Logger().Error("audit lockout", "error", werr)
		}
		return e.TooManyRequestsError(fmt.Sprintf(
			"Too many failed sign-ins for this account. Try again in %d minutes or ask an admin to check the audit log.",
			p.Lockout.WindowMinutes), nil)
	}
	return e.Next()
}
