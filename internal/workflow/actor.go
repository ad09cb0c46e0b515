// Package workflow is the red/blue validation state machine of DESIGN §4:
// the transitions of a test, the findings an outcome opens or a passing
// retest resolves, retests, bulk actions for leads, the per-role field
// checks of CRUD edits and the history of a test built from the audit log.
package workflow

import (
	"slices"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
)

// Actor is who asks for a change. Superusers act as admins.
type Actor struct {
	Id        string
	Name      string
	Role      string
	Superuser bool
	IP        string
}

// ActorFromRecord builds the actor of an authenticated request; nil auth
// yields the zero Actor, which no action accepts.
func ActorFromRecord(auth *core.Record, ip string) Actor {
	if auth == nil {
		return Actor{IP: ip}
	}
	if auth.IsSuperuser() {
		return Actor{Id: auth.Id, Name: auth.Email(), Role: c.RoleAdmin, Superuser: true, IP: ip}
	}
	if !auth.GetBool("active") || auth.Collection().Name != c.Users {
		return Actor{IP: ip}
	}
	name := auth.GetString("name")
	if name == "" {
		name = auth.Email()
	}
	return Actor{Id: auth.Id, Name: name, Role: auth.GetString("role"), IP: ip}
}

// ActorFromRequest builds the actor of a request event.
func ActorFromRequest(e *core.RequestEvent) Actor {
	return ActorFromRecord(e.Auth, e.RealIP())
}

// Is reports whether the actor holds one of roles.
func (a Actor) Is(roles ...string) bool { return a.Role != "" && slices.Contains(roles, a.Role) }

// Blue reports whether the actor is on the blue team.
func (a Actor) Blue() bool { return c.IsBlue(a.Role) }

// Red reports whether the actor is on the red team.
func (a Actor) Red() bool { return c.IsRed(a.Role) }

// kind is the audit actor kind.
func (a Actor) kind() string {
	if a.Superuser {
		return "superuser"
	}
	return "user"
}

// userId is the id to store in relations to users (empty for superusers).
func (a Actor) userId() string {
	if a.Superuser {
		return ""
	}
	return a.Id
}

// CanSee reports whether the actor may see test: blue roles see a test of a
// blind campaign only once it is revealed (the same condition as the API rules).
func (a Actor) CanSee(test *core.Record) bool {
	if a.Role == "" {
		return false
	}
	return test.GetBool("revealed") || !a.Blue()
}

// Audit is the actor as the audit trail records it.
func (a Actor) Audit() audit.Actor {
	return audit.Actor{Id: a.Id, Name: a.Name, Kind: a.kind(), IP: a.IP}
}
