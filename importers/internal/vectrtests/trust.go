package vectrtests

import (
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Trust marks the outcomes an import writes as imported, by whom, and
// confirmed when the importer is a blue lead or an admin: only confirmed
// imported outcomes count as validated (coverage scoring). Outcomes that a
// re-import leaves as they were keep their marks, so a later confirmation
// survives re-importing the same file.
type Trust struct {
	actor    string
	trusted  bool
	now      types.DateTime
	existing map[string]trustRow // test id → marks before this import
	upd      *store.Setter
}

type trustRow struct {
	Prevention  string `db:"prevention"`
	Detection   string `db:"detection"`
	Imported    bool   `db:"outcome_imported"`
	ImportedBy  string `db:"outcome_imported_by"`
	ConfirmedBy string `db:"outcome_confirmed_by"`
	ConfirmedAt string `db:"outcome_confirmed_at"`
}

// NewTrust reads the current marks of imported tests. Call it in the
// import's transaction before writing tests; actor is the importing user id
// ("" for the CLI and scheduled syncs, which are not trusted).
func NewTrust(tx core.App, actor string) (*Trust, error) {
	t := &Trust{existing: map[string]trustRow{}, now: types.NowDateTime()}
	if actor != "" {
		if u, err := tx.FindRecordById(collections.Users, actor); err == nil {
			t.actor = u.Id
			role := collections.RoleOf(u)
			t.trusted = u.GetBool("active") && (role == collections.RoleAdmin || role == collections.RoleBlueLead)
		}
	}
	var rows []struct {
		ID string `db:"id"`
		trustRow
	}
	err := tx.DB().NewQuery(`SELECT [[id]], [[prevention]], [[detection]], [[outcome_imported]], [[outcome_imported_by]],
		[[outcome_confirmed_by]], [[outcome_confirmed_at]] FROM {{tests}} WHERE [[import_key]] != ''`).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read imported outcomes: %w", err)
	}
	for _, r := range rows {
		t.existing[r.ID] = r.trustRow
	}
	t.upd = store.NewSetter(tx, store.Set{Collection: collections.Tests,
		Columns: []string{"outcome_imported", "outcome_imported_by", "outcome_confirmed_by", "outcome_confirmed_at"}})
	return t, nil
}

// Close releases the prepared statement.
func (t *Trust) Close() { t.upd.Close() }

// Trusted reports whether the importer's outcomes count without confirmation.
func (t *Trust) Trusted() bool { return t.trusted }

// Mark sets the marks of test id after the import put its outcome
// (prevention, detection); written says whether the import wrote the row
// (created or updated) or found it unchanged. It reports whether it changed
// the marks.
func (t *Trust) Mark(id string, written bool, prevention, detection string) (bool, error) {
	old, had := t.existing[id]
	if had && !written {
		// The row is as this import left it before; its outcome may since have
		// been recorded in Aegis, which the import must not mark.
		prevention, detection = old.Prevention, old.Detection
	}
	want := trustRow{Prevention: prevention, Detection: detection}
	switch {
	case prevention == "" && detection == "":
		// no outcome: no marks
	case had && old.Prevention == prevention && old.Detection == detection:
		// The same outcome as before: keep who imported and confirmed it (an
		// outcome recorded in Aegis stays Aegis's own), and let a trusted
		// importer confirm one that waited.
		want = old
		if want.Imported && want.ConfirmedBy == "" && want.ConfirmedAt == "" && t.trusted {
			want.ConfirmedBy, want.ConfirmedAt = t.actor, t.now.String()
		}
	default:
		want.Imported, want.ImportedBy = true, t.actor
		if t.trusted {
			want.ConfirmedBy, want.ConfirmedAt = t.actor, t.now.String()
		}
	}
	if had && old.Imported == want.Imported && old.ImportedBy == want.ImportedBy &&
		old.ConfirmedBy == want.ConfirmedBy && old.ConfirmedAt == want.ConfirmedAt {
		return false, nil
	}
	if !had && !want.Imported {
		return false, nil // a new test is created without marks
	}
	if err := t.upd.Set(id, want.Imported, want.ImportedBy, want.ConfirmedBy, want.ConfirmedAt); err != nil {
		return false, fmt.Errorf("mark imported outcome of test %s: %w", id, err)
	}
	want.Prevention, want.Detection = prevention, detection
	t.existing[id] = want
	return true, nil
}

// Unconfirmed reports whether test id now carries an imported outcome that
// does not count until a blue lead or an admin confirms it.
func (t *Trust) Unconfirmed(id string) bool {
	r, ok := t.existing[id]
	return ok && r.Imported && r.ConfirmedBy == "" && r.ConfirmedAt == ""
}
