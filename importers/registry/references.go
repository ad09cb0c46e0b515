package registry

import (
	"github.com/aegis-sec/aegis/importers/internal/attackref"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/pocketbase/pocketbase/core"
)

// The ATT&CK references of stored content, as the rest of the application
// sees them: the resolution itself (technique index, revoked successors,
// pending references) lives in importers/internal/attackref and
// importers/internal/store.
type (
	// UnknownReport lists ATT&CK ids stored content names that the
	// catalogue lacks (GET /api/aegis/content/unknown-techniques).
	UnknownReport = attackref.UnknownReport
	// UnknownID is one such id with how much content waits for it.
	UnknownID = attackref.UnknownID
	// UnknownRule is a rule naming at least one unknown id.
	UnknownRule = attackref.UnknownRule
	// DeprecatedRule is a rule linked to a deprecated technique.
	DeprecatedRule = attackref.DeprecatedRule
	// Resolved counts what a catalogue import did to stored references.
	Resolved = attackref.Resolved
	// PendingReference is a reference waiting for its ATT&CK id.
	PendingReference = attackref.Pending
	// PendingRow is a stored pending reference whose id now resolves.
	PendingRow = attackref.PendingRow
)

// UnknownTechniques reports the ATT&CK ids stored content names that the
// catalogue does not have (up to limit rules listed).
func UnknownTechniques(app core.App, limit int) (UnknownReport, error) {
	return attackref.Unknown(app, limit)
}

// RememberReference stores a reference whose ATT&CK id the catalogue does
// not have yet; the ATT&CK import that brings the id creates it through the
// resolver registered for its kind. It reports whether a new row was written.
func RememberReference(tx core.App, p PendingReference) (bool, error) {
	return attackref.Remember(tx, p)
}

// RegisterReferenceResolver sets how pending references of kind are
// created once their id resolves (PendingRow.Technique holds the technique
// record); create returns how many it created.
func RegisterReferenceResolver(kind string, create func(tx core.App, refs []PendingRow) (int, error)) {
	attackref.RegisterResolver(kind, func(tx core.App, _ *store.Index, refs []PendingRow) (int, error) {
		return create(tx, refs)
	})
}

// ResolveReferences brings every stored reference up to date with the
// technique catalogue (what the ATT&CK import runs in its transaction).
func ResolveReferences(tx core.App) (Resolved, error) {
	return attackref.ResolveAll(tx)
}
