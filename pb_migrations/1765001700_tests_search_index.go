package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The Tests page's free-text search (`name ~ q || technique = …`, sorted by
// last change) read every test row when few tests matched: SQLite walks the
// (updated, id) index in order and fetched each row to test its name, 145 ms
// at 200k tests (docs/BENCHMARKS.md, page loads). The index now carries the
// name, the technique and the blind flag after the sort columns, so the
// search and the blue roles' rule are tested on the index entry and only
// matching rows are read (24 ms). It replaces (updated, id), whose place in
// the sort and cursor queries it takes.
func init() {
	m.Register(func(app core.App) error {
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		tests.RemoveIndex("idx_tests_updated_id")
		index(tests, false, "updated,id,name,technique,revealed")
		if err := app.Save(tests); err != nil {
			return wrap(c.Tests, err)
		}
		if _, err := app.DB().NewQuery("ANALYZE `" + c.Tests + "`").Execute(); err != nil {
			return wrap(c.Tests, err)
		}
		return nil
	}, func(app core.App) error {
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		tests.RemoveIndex("idx_tests_updated_id_name_technique_revealed")
		index(tests, false, "updated,id")
		return app.Save(tests)
	})
}
