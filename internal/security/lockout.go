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

// The lockout counts failed password sign-ins from the audit log, so it
// survives restarts and is visible there. It has two tiers:
//
//   - per identity and client address: Threshold failures within the window
//     lock that identity from that address only. Someone guessing a named
//     user's password locks themselves out, not the user signing in from
//     elsewhere.
//   - per identity from every address: IdentityFactor × Threshold failures
//     within the window lock the identity from every address except those
//     it signed in from successfully in the last KnownAddressDays. A
//     distributed guess is still capped, and the user's usual workstation
//     keeps working (with its own per-address limit).
const (
	IdentityFactor   = 4
	KnownAddressDays = 30
)

// Lockout scopes, written in the login_locked audit entry.
const (
	lockScopeAddress  = "address"
	lockScopeIdentity = "identity"
)

// signInAction selects entries of one sign-in action, named as a literal
// (a constant of the vocabulary, never input): the partial indexes of the
// sign-in entries (migration 1765001710) serve only a query whose WHERE
// names their action, which a bound parameter does not.
func signInAction(action string) dbx.Expression {
	return dbx.NewExp("[[action]] = '" + action + "'")
}

// countFailures counts failed password sign-ins into collection for identity
// within window; from ip only, unless ip is empty.
func countFailures(app core.App, collection, identity, ip string, window time.Duration) (int, error) {
	q := app.DB().Select("count(*)").From(collections.AuditLogs).
		Where(signInAction(audit.ActionLoginFailed)).AndWhere(dbx.HashExp{"collection": collection}).
		AndWhere(dbx.NewExp(audit.IdentitySQL+" = {:who}", dbx.Params{"who": strings.ToLower(identity)})).
		AndWhere(dbx.NewExp("[[created]] >= {:since}", dbx.Params{"since": types.NowDateTime().Add(-window).String()}))
	if ip != "" {
		q = q.AndWhere(dbx.HashExp{"ip": ip})
	}
	var n int
	if err := q.Row(&n); err != nil {
		return 0, fmt.Errorf("lockout: count failures: %w", err)
	}
	return n, nil
}

// knownAddress reports whether identity signed in successfully from ip in
// the last KnownAddressDays.
func knownAddress(app core.App, collection, identity, ip string) (bool, error) {
	var n int
	err := app.DB().Select("count(*)").From(collections.AuditLogs).
		Where(signInAction(audit.ActionLogin)).AndWhere(dbx.HashExp{"collection": collection, "ip": ip}).
		AndWhere(dbx.NewExp(audit.IdentitySQL+" = {:who}", dbx.Params{"who": strings.ToLower(identity)})).
		AndWhere(dbx.NewExp("[[created]] >= {:since}", dbx.Params{"since": types.NowDateTime().AddDate(0, 0, -KnownAddressDays).String()})).
		Limit(1).Row(&n)
	if err != nil {
		return false, fmt.Errorf("lockout: known address: %w", err)
	}
	return n > 0, nil
}

// lockScope says whether identity is locked out for a sign-in from ip, and
// how ("" when not), with the failures that decided it.
func lockScope(app core.App, collection, identity, ip string, l Lockout) (string, int, error) {
	window := time.Duration(l.WindowMinutes) * time.Minute
	n, err := countFailures(app, collection, identity, ip, window)
	if err != nil {
		return "", 0, err
	}
	if n >= l.Threshold {
		return lockScopeAddress, n, nil
	}
	total, err := countFailures(app, collection, identity, "", window)
	if err != nil {
		return "", 0, err
	}
	if total < IdentityFactor*l.Threshold {
		return "", total, nil
	}
	known, err := knownAddress(app, collection, identity, ip)
	if err != nil {
		return "", 0, err
	}
	if known {
		return "", total, nil
	}
	return lockScopeIdentity, total, nil
}

// enforceLockout runs before the password check of users and superusers: an
// identity with too many recent failures is refused without its password
// being tried.
func enforceLockout(e *core.RecordAuthWithPasswordRequestEvent) error {
	p := Load(e.App)
	if p.Lockout.Threshold <= 0 {
		return e.Next()
	}
	collection := e.Collection.Name
	scope, n, err := lockScope(e.App, collection, e.Identity, e.RealIP(), p.Lockout)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if scope == "" {
		return e.Next()
	}
	kind := audit.KindUser
	if collection == core.CollectionNameSuperusers {
		kind = audit.KindSuperuser
	}
	entry := audit.Entry{ActorKind: kind, ActorName: e.Identity, Action: audit.ActionLoginLocked,
		Collection: collection, IP: e.RealIP(),
		Details: map[string]any{"identity": e.Identity, "failures": n, "scope": scope, "window_minutes": p.Lockout.WindowMinutes}}
	if e.Record != nil {
		entry.Actor, entry.RecordId = e.Record.Id, e.Record.Id
	}
	if werr := audit.Write(e.App, entry); werr != nil {
		e.App.Logger().Error("audit lockout", "error", werr)
	}
	from := "from this address"
	if scope == lockScopeIdentity {
		from = "from many addresses"
	}
	return e.TooManyRequestsError(fmt.Sprintf(
		"Too many failed sign-ins for this account %s. Try again in %d minutes or ask an admin to check the audit log.",
		from, p.Lockout.WindowMinutes), nil)
}
