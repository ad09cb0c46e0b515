package collections

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// Actor kinds (audit_logs.actor_kind): who made a change.
const (
	KindUser      = "user"
	KindSuperuser = "superuser"
	KindSystem    = "system"
)

// Actor is who is acting: the one identity that the workflow checks, the
// audit trail records and the API asks for the caller's role.
//
// Role is empty when the caller may not act (nobody signed in, an inactive
// account, an auth record outside users): every role check refuses such an
// actor, while the audit trail still records who it was. Superusers act as
// admins.
type Actor struct {
	Id   string // user or superuser id; empty for the system
	Name string // display name (or email) at the time of the change
	Role Role   // the role the actor acts with; see above
	Kind string // KindUser, KindSuperuser or KindSystem
	IP   string // client IP when the change came over HTTP
}

// SystemActor is Aegis itself acting (jobs, imports, CLI) under name.
func SystemActor(name string) Actor { return Actor{Kind: KindSystem, Name: name} }

// ActorOf describes an auth record (a user or a superuser) acting from ip.
// A nil record is the system.
func ActorOf(auth *core.Record, ip string) Actor {
	if auth == nil {
		return Actor{Kind: KindSystem, IP: ip}
	}
	if auth.IsSuperuser() {
		return Actor{Id: auth.Id, Name: auth.Email(), Role: RoleAdmin, Kind: KindSuperuser, IP: ip}
	}
	u := AsUser(auth)
	name := u.Name()
	if name == "" {
		name = auth.Email()
	}
	a := Actor{Id: auth.Id, Name: name, Kind: KindUser, IP: ip}
	if auth.Collection().Name == Users && u.Active() {
		a.Role = u.Role()
	}
	return a
}

// ActorFromRequest is the actor of an HTTP request: the signed-in user or
// superuser, or the anonymous system actor, with the client IP.
func ActorFromRequest(e *core.RequestEvent) Actor {
	if e.Auth == nil {
		return Actor{Kind: KindSystem, Name: "anonymous", IP: e.RealIP()}
	}
	return ActorOf(e.Auth, e.RealIP())
}

// Is reports whether the actor holds one of roles.
func (a Actor) Is(roles ...Role) bool { return a.Role != "" && slices.Contains(roles, a.Role) }

// Blue reports whether the actor is on the blue team.
func (a Actor) Blue() bool { return IsBlue(a.Role) }

// Red reports whether the actor is on the red team.
func (a Actor) Red() bool { return IsRed(a.Role) }

// Superuser reports whether the actor is a superuser (acting as an admin).
func (a Actor) Superuser() bool { return a.Kind == KindSuperuser }

// UserId is the id to store in relations to users (empty for superusers
// and the system).
func (a Actor) UserId() string {
	if a.Superuser() || a.Kind == KindSystem {
		return ""
	}
	return a.Id
}

// AuditKind is the kind the audit trail records: Kind, or for an actor built
// without one, a user when it has an id and the system otherwise.
func (a Actor) AuditKind() string {
	switch {
	case a.Kind != "":
		return a.Kind
	case a.Id != "":
		return KindUser
	}
	return KindSystem
}

// CanSee reports whether the actor may see test: blue roles see a test of a
// blind campaign only once it is revealed (the same condition as the API rules).
func (a Actor) CanSee(test *core.Record) bool {
	if a.Role == "" {
		return false
	}
	return AsTest(test).Revealed() || !a.Blue()
}
