package store

import (
	"fmt"
	"sort"

	"github.com/aegis-sec/aegis/importers"
)

// Add adds an upserter's counts to the report.
func Add(rep *importers.Report, c Counts) {
	rep.Created += c.Created
	rep.Updated += c.Updated
	rep.Unchanged += c.Unchanged
	rep.Removed += c.Removed
}

// Tally counts one Put outcome in the report.
func Tally(rep *importers.Report, out Outcome) {
	switch out {
	case Created:
		rep.Created++
	case Updated:
		rep.Updated++
	default:
		rep.Unchanged++
	}
}

// Skip reports an object that was not imported (or imported without a
// link), with a reason built like fmt.Sprintf.
func Skip(rep *importers.Report, id, format string, args ...any) {
	rep.Skipped = append(rep.Skipped, importers.Skip{Id: id, Reason: fmt.Sprintf(format, args...)})
}

// Count adds n to the report's per-type count key.
func Count(rep *importers.Report, key string, n int) {
	if rep.Counts == nil {
		rep.Counts = map[string]int{}
	}
	rep.Counts[key] += n
}

// SkipUnknown reports ATT&CK ids the catalogue lacks (id → how many objects
// name it), sorted, each with reason formatted with the count, and sets the
// report's unknown_techniques count.
func SkipUnknown(rep *importers.Report, unknown map[string]int, reason string) {
	ids := make([]string, 0, len(unknown))
	for id := range unknown {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		Skip(rep, id, reason, unknown[id])
	}
	Count(rep, "unknown_techniques", len(ids))
}
