package migrations

import (
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// PageIndexes are the indexes that keep each page of the UI index-backed as
// the organisation grows (docs/BENCHMARKS.md, page loads): the sort of each
// list, and its usual filter followed by the sort, so that a page reads
// its rows in index order and stops at perPage, whatever the rule adds to
// the WHERE clause; the tests' state index also carries revealed, so the
// total of a filtered Tests page counts from the index without reading each
// row for the blind rule. Indexes they extend are dropped: (state) is the
// prefix of (state, updated, revealed), (created) of (created, id), (action) of
// (action, created, id). The test proving each page's main query uses them is
// pb_migrations/page_plans_test.go.
var PageIndexes = []struct {
	Collection, Columns string
	Replaces            string // index name made redundant, "" for none
}{
	{c.Tests, "updated", ""},
	{c.Tests, "state,updated,revealed", "idx_tests_state"},
	{c.AuditLogs, "created,id", "idx_audit_logs_created"},
	{c.AuditLogs, "collection,created,id", ""},
	{c.AuditLogs, "action,created,id", "idx_audit_logs_action"},
	{c.Findings, "created", ""},
	{c.DetectionRules, "removed,title", ""},
	{c.TestTemplates, "technique_attack_id,name", ""},
	{c.Notifications, "user,created", ""},
}

func init() {
	m.Register(func(app core.App) error {
		err := eachPageIndex(app, func(col *core.Collection, cols, replaces string) {
			if replaces != "" {
				col.RemoveIndex(replaces)
			}
			index(col, false, cols)
		})
		if err != nil {
			return err
		}
		return AnalyzePageTables(app)
	}, func(app core.App) error {
		return eachPageIndex(app, func(col *core.Collection, cols, replaces string) {
			col.RemoveIndex("idx_" + col.Name + "_" + sanitize(cols))
			if replaces != "" {
				col.AddIndex(replaces, false, replaces[len("idx_"+col.Name+"_"):], "")
			}
		})
	})
}

// AnalyzePageTables refreshes SQLite's statistics of the tables the pages
// list. Statistics taken when a table was nearly empty (at install) make the
// planner sort a whole table it believes has five rows instead of reading
// the sort's index: bulk writers (the demo, migrations) call this after
// they write, and SQLite's own PRAGMA optimize refreshes them as tables grow.
func AnalyzePageTables(app core.App) error {
	seen := map[string]bool{}
	for _, ix := range PageIndexes {
		if seen[ix.Collection] {
			continue
		}
		seen[ix.Collection] = true
		if _, err := app.DB().NewQuery("ANALYZE `" + ix.Collection + "`").Execute(); err != nil {
			return fmt.Errorf("analyze %s: %w", ix.Collection, err)
		}
	}
	return nil
}

func eachPageIndex(app core.App, fn func(col *core.Collection, cols, replaces string)) error {
	cols := map[string]*core.Collection{}
	var order []string
	for _, ix := range PageIndexes {
		col, ok := cols[ix.Collection]
		if !ok {
			var err error
			if col, err = app.FindCollectionByNameOrId(ix.Collection); err != nil {
				return wrap(ix.Collection, err)
			}
			cols[ix.Collection] = col
			order = append(order, ix.Collection)
		}
		fn(col, ix.Columns, ix.Replaces)
	}
	for _, name := range order {
		if err := app.Save(cols[name]); err != nil {
			return wrap(name, err)
		}
	}
	return nil
}
