package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Import keys: campaigns and tests migrated in from another tool (a VECTR
// CSV export) carry the key of the row they came from and a hash of what
// was written, so re-importing the same export changes nothing and a changed
// row updates its test instead of duplicating it. Both fields are hidden:
// only importers (Go code) read and write them.
func init() {
	m.Register(func(app core.App) error {
		var cols []*core.Collection
		for _, name := range []string{c.Campaigns, c.Tests} {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return wrap(name, err)
			}
			col.Fields.Add(
				&core.TextField{Name: "import_key", Hidden: true},
				&core.TextField{Name: "import_hash", Hidden: true},
			)
			index(col, true, "import_key", "import_key != ''")
			cols = append(cols, col)
		}
		return saveAll(app, cols...)
	}, func(app core.App) error {
		for _, name := range []string{c.Campaigns, c.Tests} {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				continue
			}
			col.Fields.RemoveByName("import_key")
			col.Fields.RemoveByName("import_hash")
			col.RemoveIndex("uq_" + name + "_import_key")
			if err := app.Save(col); err != nil {
				return wrap(name, err)
			}
		}
		return nil
	})
}
