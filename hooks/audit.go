package hooks

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// auditPriority runs the audit wrapper before every other execute handler,
// so that the whole execute chain (the INSERT/UPDATE/DELETE, file uploads,
// other hooks' writes and the audit entry) shares one transaction: an error
// anywhere in it rolls back the change together with its entry.
const auditPriority = -1000

// Messages returned when someone tries to alter the audit trail.
const errAuditImmutable = "Audit entries are append-only: nobody can create, change or delete them through the API."

func bindAudit(app core.App) {
	// Request-level hooks know who is calling; they attach the actor to the
	// record before the model hooks (which do not see the request) run.
	app.OnRecordCreateRequest(collections.Domain...).BindFunc(stashRequestActor)
	app.OnRecordUpdateRequest(collections.Domain...).BindFunc(stashRequestActor)
	app.OnRecordDeleteRequest(collections.Domain...).BindFunc(stashRequestActor)

	app.OnRecordCreateExecute(collections.Domain...).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "aegisAuditCreate", Priority: auditPriority, Func: auditedExecute(audit.ActionCreate),
	})
	app.OnRecordUpdateExecute(collections.Domain...).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "aegisAuditUpdate", Priority: auditPriority, Func: auditedExecute(audit.ActionUpdate),
	})
	app.OnRecordDeleteExecute(collections.Domain...).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "aegisAuditDelete", Priority: auditPriority, Func: auditedExecute(audit.ActionDelete),
	})

	app.OnRecordAuthWithPasswordRequest().BindFunc(auditLogin)

	// The trail is append-only, for superusers too.
	refuse := func(e *core.RecordRequestEvent) error { return e.ForbiddenError(errAuditImmutable, nil) }
	app.OnRecordCreateRequest(collections.AuditLogs).BindFunc(refuse)
	app.OnRecordUpdateRequest(collections.AuditLogs).BindFunc(refuse)
	app.OnRecordDeleteRequest(collections.AuditLogs).BindFunc(refuse)
	app.OnRecordUpdate(collections.AuditLogs).BindFunc(func(e *core.RecordEvent) error {
		return router.NewForbiddenError("Audit entries cannot be changed.", nil)
	})
	app.OnRecordDelete(collections.AuditLogs).BindFunc(func(e *core.RecordEvent) error {
		return router.NewForbiddenError("Audit entries cannot be deleted.", nil)
	})

	app.OnRecordEnrich(collections.AuditLogs).BindFunc(redactAuditEntry)
}

func stashRequestActor(e *core.RecordRequestEvent) error {
	audit.SetRecordActor(e.Record, audit.FromRequest(e.RequestEvent))
	return e.Next()
}

// auditedExecute wraps the execute step of action in a transaction (unless
// the caller already opened one) and writes the audit entry last, inside it.
func auditedExecute(action string) func(e *core.RecordEvent) error {
	return func(e *core.RecordEvent) error {
		var before *core.Record
		if action == audit.ActionUpdate {
			before = e.Record.Original()
		}
		run := func(txApp core.App) error {
			e.App = txApp
			if a, ok := audit.RecordActor(e.Record); ok {
				// Changes cascading from this one (relations deleted with it,
				// records written by other hooks) belong to the same actor.
				audit.Bind(txApp, a)
			}
			if err := e.Next(); err != nil {
				return err
			}
			return writeChange(txApp, action, before, e.Record)
		}
		if e.App.IsTransactional() {
			return run(e.App)
		}
		outer := e.App
		err := outer.RunInTransaction(run)
		e.App = outer
		return err
	}
}

func writeChange(txApp core.App, action string, before, record *core.Record) error {
	var details map[string]any
	switch action {
	case audit.ActionCreate:
		details = audit.Diff(nil, record)
	case audit.ActionUpdate:
		details = audit.Diff(before, record)
		if len(details) == 0 {
			return nil // a save that changed nothing is not a change
		}
	case audit.ActionDelete:
		details = audit.Diff(record, nil)
	}
	a := audit.ActorFor(txApp, record)
	entry := audit.Entry{
		Actor: a.Id, ActorName: a.Name, ActorKind: a.AuditKind(), IP: a.IP,
		Action: action, Collection: record.Collection().Name, RecordId: record.Id, Details: details,
		Test: audit.TestOf(record),
	}
	if record.Collection().Name == collections.Tests {
		revealed := collections.AsTest(record).Revealed()
		entry.TestRevealed = &revealed
		if action == audit.ActionUpdate && collections.AsTest(before).Revealed() != revealed {
			// The test's history follows it: revealed, blue reads it all.
			if err := audit.SyncTestVisibility(txApp, record.Id, revealed); err != nil {
				return err
			}
		}
	}
	if err := audit.Write(txApp, entry); err != nil {
		return err
	}
	if action == audit.ActionUpdate && record.Collection().Name == collections.Users &&
		collections.AsUser(before).Role() != collections.AsUser(record).Role() {
		entry.Action = audit.ActionRoleChange
		entry.Details = map[string]any{
			"user": record.Email(),
			"role": audit.Change{Old: collections.AsUser(before).Role(), New: collections.AsUser(record).Role()},
		}
		return audit.Write(txApp, entry)
	}
	return nil
}

// auditLogin records every password sign-in attempt, successful or not, of
// users and superusers, with the identity that was tried.
func auditLogin(e *core.RecordAuthWithPasswordRequestEvent) error {
	err := e.Next()
	kind := audit.KindUser
	if e.Collection.Name == core.CollectionNameSuperusers {
		kind = audit.KindSuperuser
	}
	entry := audit.Entry{ActorKind: kind, Collection: e.Collection.Name, IP: e.RealIP()}
	if e.Record != nil {
		entry.Actor = e.Record.Id
		entry.RecordId = e.Record.Id
		entry.ActorName = e.Record.Email()
	}
	if err == nil {
		entry.Action = audit.ActionLogin
	} else {
		entry.Action = audit.ActionLoginFailed
		reason := "unknown identity"
		if e.Record != nil {
			reason = "rejected: " + err.Error()
		}
		entry.Details = map[string]any{"identity": e.Identity, "reason": reason}
		if entry.ActorName == "" {
			entry.ActorName = e.Identity
		}
	}
	if werr := audit.Write(e.App, entry); werr != nil {
		e.App.Logger().Error("audit login", "error", werr, "identity", e.Identity)
	}
	return err
}

// redactAuditEntry keeps other users' private data (IPs, emails, the
// identities typed into a failed sign-in) from non-admins: they live in the
// hidden ip and private fields, which only superusers can filter on, and are
// shown only to admins and to the entry's own actor. The export calls the
// same code (audit.Present).
func redactAuditEntry(e *core.RecordEnrichEvent) error {
	var auth *core.Record
	if e.RequestInfo != nil {
		auth = e.RequestInfo.Auth
	}
	audit.Present(e.Record, audit.Privileged(auth, e.Record))
	return e.Next()
}
