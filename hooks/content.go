package hooks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Content guards. Blue leads manage detection rules, D3FEND status and
// control status (DESIGN §3), but what an import owns is rewritten on every
// sync, so an API edit of it would be silently lost. The guards make that
// explicit:
//
//   - a rule imported from Sigma or Elastic (it carries a sync origin) accepts
//     only `enabled` changes through the API, from any role; custom and Splunk
//     rules, and rules created by hand, are fully editable;
//   - on d3fend_techniques a blue lead may change only `status`;
//   - on compliance_controls a blue lead may change only `status`, `owner`
//     and `notes` (admins may still curate a hand-made framework).
//
// Superusers (the dashboard break-glass accounts) are not restricted. Every
// accepted change is written to the audit log by the generic audit hook.
func bindContentGuards(app core.App) {
	app.OnRecordUpdateRequest(collections.DetectionRules).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.HasSuperuserAuth() || !isImportedRule(e.Record.Original()) {
			return e.Next()
		}
		if f := changedExcept(e.Record, "enabled"); f != "" {
			return e.BadRequestError(fmt.Sprintf(
				"This rule is imported from %s and rewritten on every sync: only \"enabled\" can be changed (not %q). Change the rule upstream or copy it as a custom rule.",
				collections.AsDetectionRule(e.Record.Original()).Source(), f), nil)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(collections.D3fendTechniques).BindFunc(func(e *core.RecordRequestEvent) error {
		if !isBlueLeadOnly(e) {
			return e.Next()
		}
		if f := changedExcept(e.Record, "status"); f != "" {
			return e.BadRequestError(fmt.Sprintf("Only the organisation's status of a D3FEND technique can be changed (not %q); the rest comes from the D3FEND import.", f), nil)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(collections.ComplianceControls).BindFunc(func(e *core.RecordRequestEvent) error {
		if !isBlueLeadOnly(e) {
			return e.Next()
		}
		if f := changedExcept(e.Record, "status", "owner", "notes"); f != "" {
			return e.BadRequestError(fmt.Sprintf("Only status, owner and notes of a control can be changed (not %q); the rest comes from the framework import.", f), nil)
		}
		return e.Next()
	})
}

// isImportedRule reports whether a detection rule was written by a Sigma or
// Elastic import (those record their source in meta.origin).
func isImportedRule(r *core.Record) bool {
	src := collections.AsDetectionRule(r).Source()
	if src != "sigma" && src != "elastic" {
		return false
	}
	var meta map[string]any
	_ = r.UnmarshalJSONField("meta", &meta)
	origin, _ := meta["origin"].(string)
	return origin != ""
}

// isBlueLeadOnly is true for a caller whose role is blue_lead (admins and
// superusers are not restricted by the content guards).
func isBlueLeadOnly(e *core.RecordRequestEvent) bool {
	if e.HasSuperuserAuth() || e.Auth == nil {
		return false
	}
	return collections.AsUser(e.Auth).Role() == collections.RoleBlueLead
}

// changedExcept returns the first field whose submitted value differs from
// the stored one, ignoring allowed fields and the autodate timestamps.
func changedExcept(r *core.Record, allowed ...string) string {
	orig := r.Original()
	for _, f := range r.Collection().Fields {
		name := f.GetName()
		if name == "id" || name == "created" || name == "updated" || slices.Contains(allowed, name) {
			continue
		}
		if !contentValueEqual(orig.Get(name), r.Get(name)) {
			return name
		}
	}
	return ""
}

func contentValueEqual(a, b any) bool {
	return strings.TrimSpace(fmt.Sprint(a)) == strings.TrimSpace(fmt.Sprint(b))
}
