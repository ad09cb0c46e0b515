package security

import (
	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
)

// What the external tests read of the empty-list check.
var (
	HidesNoRow         = hidesNoRow
	EmptyListsPriority = emptyListsPriority
)

// RuleValue is a rule's value for auth over every row: "always", "never"
// or "unknown".
func RuleValue(groups []fexpr.ExprGroup, auth *core.Record) string {
	return [...]string{unknown: "unknown", never: "never", always: "always"}[evalGroups(groups, auth)]
}
