package security

import (
	"time"

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

// EmptyListFloor is the time an empty answer takes where rules hide rows.
func EmptyListFloor() time.Duration { return time.Duration(emptyListFloor.Load()) }

// SetEmptyListFloor sets it for a test; the returned function puts it back.
func SetEmptyListFloor(d time.Duration) func() {
	was := emptyListFloor.Swap(int64(d))
	return func() { emptyListFloor.Store(was) }
}
