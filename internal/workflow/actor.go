// Package workflow is the red/blue validation state machine of DESIGN §4:
// the transitions of a test, the findings an outcome opens or a passing
// retest resolves, retests, bulk actions for leads, the per-role field
// checks of CRUD edits and the history of a test built from the audit log.
package workflow

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Actor is who asks for a change: the project's one identity type,
// collections.Actor. Superusers act as admins; an actor without a role
// (nobody signed in, an inactive account) may take no action.
type Actor = c.Actor

// ActorFromRecord builds the actor of an authenticated request.
func ActorFromRecord(auth *core.Record, ip string) Actor { return c.ActorOf(auth, ip) }

// ActorFromRequest builds the actor of a request event.
func ActorFromRequest(e *core.RequestEvent) Actor { return c.ActorFromRequest(e) }
