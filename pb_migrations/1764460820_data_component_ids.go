package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// ATT&CK v18 gave data components their own ids (DC0084) and pages; keep
// them, and the revoked flag, like every other catalogue object.
func init() {
	m.Register(func(app core.App) error {
		col, err := app.FindCollectionByNameOrId(c.DataComponents)
		if err != nil {
			return err
		}
		col.Fields.Add(text("attack_id"), text("url"), boolean("revoked"))
		index(col, false, "attack_id")
		if err := app.Save(col); err != nil {
			return wrap(col.Name, err)
		}
		return nil
	}, func(app core.App) error {
		col, err := app.FindCollectionByNameOrId(c.DataComponents)
		if err != nil {
			return nil
		}
		col.RemoveIndex("idx_" + col.Name + "_attack_id")
		col.Fields.RemoveByName("attack_id")
		col.Fields.RemoveByName("url")
		col.Fields.RemoveByName("revoked")
		return app.Save(col)
	})
}
