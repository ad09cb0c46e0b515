// Package registry maps an import kind (the KIND of `aegis import KIND
// SOURCE`, the {kind} of POST /api/aegis/import/{kind} and an integration's
// kind) to its importer, so the CLI, the API and the sync jobs call the same
// function. It is the one package that imports every format, and the public
// door to what the rest of the application needs of the importers' internals:
// ATT&CK reference resolution (references.go). layering_test.go keeps the
// formats apart from each other and free of raw SQL writes.
package registry

import (
	"sort"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/atomiclog"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/caldera"
	"github.com/aegis-sec/aegis/importers/compliance"
	"github.com/aegis-sec/aegis/importers/d3fend"
	"github.com/aegis-sec/aegis/importers/dettect"
	"github.com/aegis-sec/aegis/importers/elastic"
	"github.com/aegis-sec/aegis/importers/intel"
	"github.com/aegis-sec/aegis/importers/navigator"
	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/aegis-sec/aegis/importers/vectr"
	"github.com/aegis-sec/aegis/importers/vectrbundle"
)

// kinds lists every importer. Add a line when a new format lands.
var kinds = map[string]importers.Func{
	attack.Kind:      attack.Import,
	atomic.Kind:      atomic.Import,
	caldera.Kind:     caldera.Import,
	navigator.Kind:   navigator.Import,
	vectr.Kind:       vectr.Import,
	vectrbundle.Kind: vectrbundle.Import,
	atomiclog.Kind:   atomiclog.Import,
	sigma.Kind:       sigma.Import,
	elastic.Kind:     elastic.Import,
	d3fend.Kind:      d3fend.Import,
	compliance.Kind:  compliance.Import,
	intel.Kind:       intel.Import,
	dettect.Kind:     dettect.Import,
}

// Lookup returns the importer for kind.
func Lookup(kind string) (importers.Func, bool) {
	fn, ok := kinds[kind]
	return fn, ok
}

// Kinds lists the registered kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Override replaces the importer of kind (adding it when absent) and returns
// a function that restores what was there. Tests use it to run the sync and
// upload plumbing with an importer of their own; call it before starting any
// work that looks kinds up, and restore after that work has finished.
func Override(kind string, fn importers.Func) (restore func()) {
	prev, had := kinds[kind]
	kinds[kind] = fn
	return func() {
		if had {
			kinds[kind] = prev
		} else {
			delete(kinds, kind)
		}
	}
}
