package workflow

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Fields each role may edit through the CRUD API. Workflow fields (state,
// revision, outcomes, revealed, validation) are refused by the API rules and
// change only through Transition.
var (
	planFields     = []string{"name", "technique", "campaign", "template", "procedure", "platform", "red_assignee", "blue_assignee", "due_at", "tags", "red_notes"}
	redOwnFields   = []string{"red_notes"}
	blueFields     = []string{"blue_notes", "alert_severity", "detected_at", "detection_rules"}
	blueLeadFields = append([]string{"blue_assignee"}, blueFields...)
	auditOnly      = map[string]bool{"updated": true, "created": true}
)

// EditableFields lists what actor may change on test via CRUD.
func EditableFields(actor Actor, test *core.Record) []string {
	t := c.AsTest(test)
	switch actor.Role {
	case c.RoleAdmin:
		return append(append([]string{}, planFields...), blueFields...)
	case c.RoleRedLead:
		return planFields
	case c.RoleRedOperator:
		if t.RedAssignee() == actor.Id {
			return redOwnFields
		}
	case c.RoleBlueLead:
		if t.Revealed() {
			return blueLeadFields
		}
	case c.RoleBlueAnalyst:
		if t.Revealed() {
			return blueFields
		}
	}
	return nil
}

// ChangedFields lists the fields whose value differs from the stored record.
func ChangedFields(r *core.Record) []string {
	orig := r.Original()
	var out []string
	for _, f := range r.Collection().Fields {
		name := f.GetName()
		if auditOnly[name] {
			continue
		}
		a, _ := json.Marshal(orig.Get(name))
		b, _ := json.Marshal(r.Get(name))
		if string(a) != string(b) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// CheckEdit refuses a CRUD update of test that touches a field the actor's
// role may not change (403), naming the fields.
func CheckEdit(actor Actor, test *core.Record) error {
	allowed := EditableFields(actor, test)
	var bad []string
	for _, f := range ChangedFields(test) {
		if !contains(allowed, f) {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		return forbidden(fmt.Sprintf("Your role may not change %s on this test.", strings.Join(bad, ", ")))
	}
	return nil
}
