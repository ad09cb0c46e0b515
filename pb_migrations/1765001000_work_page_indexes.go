package migrations

import (
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// WorkPageIndexes serve the pages that show one slice of the work at a
// time (docs/BENCHMARKS.md, growth): a campaign's tests by name, a page at
// a time; the findings board, one column per status, newest first. The
// status index they extend is dropped ((status) is the prefix of
// (status, created)). pb_migrations/work_page_plans_test.go proves each
// page's query reads them.
var WorkPageIndexes = []struct {
	Collection, Columns string
	Replaces            string // index name made redundant, "" for none
}{
	{c.Tests, "campaign,name", ""},
	{c.Findings, "status,created", "idx_findings_status"},
}

func init() {
	m.Register(func(app core.App) error {
		for _, ix := range WorkPageIndexes {
			col, err := app.FindCollectionByNameOrId(ix.Collection)
			if err != nil {
				return wrap(ix.Collection, err)
			}
			if ix.Replaces != "" {
				col.RemoveIndex(ix.Replaces)
			}
			index(col, false, ix.Columns)
			if err := app.Save(col); err != nil {
				return wrap(ix.Collection, err)
			}
			if _, err := app.DB().NewQuery("ANALYZE `" + ix.Collection + "`").Execute(); err != nil {
				return fmt.Errorf("analyze %s: %w", ix.Collection, err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, ix := range WorkPageIndexes {
			col, err := app.FindCollectionByNameOrId(ix.Collection)
			if err != nil {
				return wrap(ix.Collection, err)
			}
			col.RemoveIndex("idx_" + col.Name + "_" + sanitize(ix.Columns))
			if ix.Replaces != "" {
				col.AddIndex(ix.Replaces, false, ix.Replaces[len("idx_"+col.Name+"_"):], "")
			}
			if err := app.Save(col); err != nil {
				return wrap(ix.Collection, err)
			}
		}
		return nil
	})
}
