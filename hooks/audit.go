package hooks

import (
	"slices"
	"strings"

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

// actionLoginLocked is written by the account lockout (package security)
// when an identity with too many failures is refused.
const actionLoginLocked = "login_locked"

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
		Actor: a.Id, ActorName: a.Name, ActorKind: a.Kind, IP: a.IP,
		Action: action, Collection: record.Collection().Name, RecordId: record.Id, Details: details,
	}
	if err := audit.Write(txApp, entry); err != nil {
		return err
	}
	if action == audit.ActionUpdate && record.Collection().Name == collections.Users &&
		before.GetString("role") != record.GetString("role") {
		entry.Action = audit.ActionRoleChange
		entry.Details = map[string]any{
			"user": record.Email(),
			"role": audit.Change{Old: before.GetString("role"), New: record.GetString("role")},
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
// identities typed into a failed sign-in) from non-admins. The ip field is
// hidden in the schema, so only superusers can filter on it.
func redactAuditEntry(e *core.RecordEnrichEvent) error {
	var auth *core.Record
	if e.RequestInfo != nil {
		auth = e.RequestInfo.Auth
	}
	privileged := auth != nil && (auth.IsSuperuser() || auth.GetString("role") == collections.RoleAdmin)
	own := auth != nil && e.Record.GetString("actor") == auth.Id
	if privileged || own {
		e.Record.Unhide("ip")
		return e.Next()
	}
	e.Record.Hide("ip")
	action := e.Record.GetString("action")
	if slices.Contains([]string{audit.ActionLogin, audit.ActionLoginFailed, actionLoginLocked}, action) {
		e.Record.Hide("details")
		if action != audit.ActionLogin {
			e.Record.Hide("actor_name") // may be whatever was typed as the identity
		}
	}
	if strings.Contains(e.Record.GetString("actor_name"), "@") {
		e.Record.Hide("actor_name")
	}
	if e.Record.GetString("collection") == collections.Users {
		redactEmails(e.Record)
	}
	return e.Next()
}

// redactEmails drops email changes from the details of users entries.
func redactEmails(r *core.Record) {
	var details map[string]any
	if err := r.UnmarshalJSONField("details", &details); err != nil || details == nil {
		return
	}
	changed := false
	for _, k := range []string{core.FieldNameEmail, "user"} {
		if _, ok := details[k]; ok {
			details[k] = "(hidden)"
			changed = true
		}
	}
	if changed {
		r.Set("details", details)
	}
}
