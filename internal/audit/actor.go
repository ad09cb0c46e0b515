package audit

import (
	"sync"

	"github.com/aegis-sec/aegis/collections"

	"github.com/pocketbase/pocketbase/core"
)

// Actor is who made a change and from where: the project's one identity
// type, collections.Actor.
type Actor = collections.Actor

// System is the actor of changes made by Aegis itself (jobs, imports, CLI).
func System(name string) Actor { return collections.SystemActor(name) }

// ActorOf describes an auth record (a user or a superuser) as an actor.
// A nil record is the system.
func ActorOf(auth *core.Record) Actor { return collections.ActorOf(auth, "") }

// FromRequest is the actor of an HTTP request: the signed-in user or
// superuser (or the anonymous system actor) and the client IP.
func FromRequest(e *core.RequestEvent) Actor { return collections.ActorFromRequest(e) }

// actorKey stores the actor on a record. The @pbInternal prefix keeps it out
// of every serialisation (API responses, realtime, custom data exports) and
// it is not a collection field, so it is never written to the database.
const actorKey = "@pbInternalAegisAuditActor"

// SetActor attributes the next save or delete of record to user (a users or
// _superusers record). Go code acting for someone, such as workflow
// transitions, calls it before saving.
func SetActor(record, user *core.Record) {
	SetRecordActor(record, ActorOf(user))
}

// SetRecordActor attributes the next save or delete of record to a.
func SetRecordActor(record *core.Record, a Actor) {
	if record != nil {
		record.SetRaw(actorKey, a)
	}
}

// RecordActor returns the actor attached to record with SetActor, if any.
func RecordActor(record *core.Record) (Actor, bool) {
	if record == nil {
		return Actor{}, false
	}
	a, ok := record.GetRaw(actorKey).(Actor)
	return a, ok
}

// txActors maps an open transaction to the actor its changes belong to.
var txActors sync.Map // *core.TxAppInfo → Actor

// Bind attributes every audited change made through txApp (a transaction's
// app) to a, unless a record carries its own actor. It is a no-op outside a
// transaction and the binding ends with the transaction. The first binding
// of a transaction wins, so nested changes inherit the outer actor.
func Bind(txApp core.App, a Actor) {
	info := txApp.TxInfo()
	if info == nil {
		return
	}
	if _, loaded := txActors.LoadOrStore(info, a); !loaded {
		info.OnComplete(func(error) error {
			txActors.Delete(info)
			return nil
		})
	}
}

func boundActor(app core.App) (Actor, bool) {
	info := app.TxInfo()
	if info == nil {
		return Actor{}, false
	}
	v, ok := txActors.Load(info)
	if !ok {
		return Actor{}, false
	}
	return v.(Actor), true
}

// ActorFor resolves who changes record through app: the record's own actor,
// else the transaction's, else the system.
func ActorFor(app core.App, record *core.Record) Actor {
	if a, ok := RecordActor(record); ok {
		return a
	}
	if a, ok := boundActor(app); ok {
		return a
	}
	return Actor{Kind: KindSystem}
}
