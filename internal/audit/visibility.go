package audit

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Entries about a test, or about what hangs on one (outcomes, comments,
// evidence, findings), carry the test's id in audit_logs.test and a copy of
// its revealed flag in audit_logs.revealed. The collection's list and view
// rules use the same condition as the tests collection
// (collections.NotBlueOrRevealed), so an entry about a test that blue may
// not see yet is hidden from blue in the records API, realtime and the
// export, and shows up when the test is revealed (SyncTestVisibility).

// TestChildren are the collections whose records belong to one test
// through their `test` field.
var TestChildren = []string{collections.TestOutcomes, collections.TestComments, collections.Evidence, collections.Findings}

// TestOf returns the id of the test record concerns: itself for a test, its
// `test` field for what hangs on a test, else "".
func TestOf(record *core.Record) string {
	if record == nil {
		return ""
	}
	name := record.Collection().Name
	if name == collections.Tests {
		return record.Id
	}
	for _, c := range TestChildren {
		if c == name {
			return record.GetString("test")
		}
	}
	return ""
}

// testRevealed reads whether blue may see test id. A test that no longer
// exists keeps the visibility of its latest entry; one never seen stays
// hidden.
func testRevealed(app core.App, id string) (bool, error) {
	var row struct {
		Revealed bool `db:"revealed"`
	}
	err := app.DB().Select("revealed").From(collections.Tests).Where(dbx.HashExp{"id": id}).Limit(1).One(&row)
	if err == nil {
		return row.Revealed, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("audit: visibility of test %s: %w", id, err)
	}
	err = app.DB().Select("revealed").From(collections.AuditLogs).Where(dbx.HashExp{"test": id}).
		OrderBy("created DESC", "rowid DESC").Limit(1).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("audit: visibility of test %s: %w", id, err)
	}
	return row.Revealed, nil
}

// SyncTestVisibility gives every entry about test id the test's revealed
// flag: revealing a test shows its whole history to blue. It is the one
// column of an entry that ever changes, and it changes in the transaction
// that changes the test.
func SyncTestVisibility(app core.App, id string, revealed bool) error {
	_, err := app.DB().NewQuery("UPDATE " + collections.AuditLogs + " SET revealed = {:r} WHERE test = {:id} AND revealed != {:r}").
		Bind(dbx.Params{"r": revealed, "id": id}).Execute()
	if err != nil {
		return fmt.Errorf("audit: visibility of test %s: %w", id, err)
	}
	return nil
}
