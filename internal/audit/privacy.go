package audit

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Other users' private data (emails, the identities typed into a failed
// sign-in) is kept out of the fields anyone may read or filter on
// (actor_name, details) and stored in audit_logs.private, a hidden field:
// nobody but a superuser can filter on it, and the records API and the
// export show it, merged back, only to admins and to the entry's own actor
// (Present). Client IPs stay in the hidden ip field.

// IdentitySQL is the lower-cased sign-in identity of an entry (the email or
// what was typed) as an SQL expression over audit_logs, for queries by Go
// code such as the lockout: the identity lives in the private field, and in
// actor_name only for entries written before it existed.
const IdentitySQL = "LOWER(coalesce(json_extract([[private]], '$.actor_name'), [[actor_name]]))"

// HiddenValue replaces a private value in the visible details.
const HiddenValue = "(hidden)"

// privateKeys are details keys that hold an email or a typed identity.
var privateKeys = []string{core.FieldNameEmail, "user", "identity"}

// signInActions are the entries whose details and actor name are what
// someone typed at the sign-in form.
var signInActions = []string{ActionLogin, ActionLoginFailed, ActionLoginLocked}

// Private is what audit_logs.private holds: the values taken out of
// actor_name and details.
type Private struct {
	ActorName string         `json:"actor_name,omitempty"`
	Details   map[string]any `json:"details,omitempty"`
}

func (p Private) empty() bool { return p.ActorName == "" && len(p.Details) == 0 }

// Split separates what anyone signed in may read of an entry from what only
// admins may: it returns the visible actor name and details and the
// private rest.
func Split(action, collection, actorName string, details map[string]any) (string, map[string]any, Private) {
	var p Private
	typed := slices.Contains(signInActions, action) && action != ActionLogin
	if typed || strings.Contains(actorName, "@") {
		p.ActorName, actorName = actorName, ""
	}
	if details == nil {
		return actorName, nil, p
	}
	if slices.Contains(signInActions, action) {
		return actorName, nil, Private{ActorName: p.ActorName, Details: details}
	}
	userish := collection == collections.Users || collection == core.CollectionNameSuperusers
	var visible map[string]any
	for k, v := range details {
		if slices.Contains(privateKeys, k) && (userish || k == "identity") && v != nil {
			if visible == nil {
				visible = make(map[string]any, len(details))
				for k2, v2 := range details {
					visible[k2] = v2
				}
			}
			if p.Details == nil {
				p.Details = map[string]any{}
			}
			p.Details[k] = v
			visible[k] = HiddenValue
		}
	}
	if visible == nil {
		visible = details
	}
	return actorName, visible, p
}

// Present prepares an audit record for a reader: a privileged reader (an
// admin, a superuser, the entry's own actor) gets the private values merged
// back and the IP; anyone else gets neither. Both the records API (through
// OnRecordEnrich) and the export call it, so they show the same.
func Present(r *core.Record, privileged bool) {
	r.Hide("private")
	if !privileged {
		r.Hide("ip")
		if n := r.GetString("actor_name"); n == "" || strings.Contains(n, "@") {
			r.Hide("actor_name") // private (or none), or written before the split
		}
		return
	}
	r.Unhide("ip")
	var p Private
	if err := r.UnmarshalJSONField("private", &p); err != nil || p.empty() {
		return
	}
	if p.ActorName != "" {
		r.Set("actor_name", p.ActorName)
	}
	if len(p.Details) > 0 {
		var d map[string]any
		_ = r.UnmarshalJSONField("details", &d)
		if d == nil {
			d = map[string]any{}
		}
		for k, v := range p.Details {
			d[k] = v
		}
		r.Set("details", d)
	}
}

// Privileged reports whether auth may read the private values of entry r.
func Privileged(auth, r *core.Record) bool {
	if auth == nil {
		return false
	}
	return auth.IsSuperuser() || collections.RoleOf(auth) == collections.RoleAdmin ||
		(r != nil && r.GetString("actor") == auth.Id)
}

// privateJSON is p as the private field stores it (nil when empty).
func privateJSON(p Private) any {
	if p.empty() {
		return nil
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil
	}
	return json.RawMessage(raw)
}
