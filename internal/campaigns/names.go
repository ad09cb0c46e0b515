package campaigns

import (
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Name is one campaign in the pages' campaign menus.
type Name struct {
	ID     string `json:"id" db:"id"`
	Name   string `json:"name" db:"name"`
	Status string `json:"status" db:"status"`
}

// Names lists every campaign's id, name and status, newest first (every
// signed-in user may list every campaign: the collection's list rule).
func Names(app core.App) ([]Name, error) {
	out := []Name{}
	if err := app.DB().Select("id", "name", "status").From(c.Campaigns).OrderBy("created DESC", "id DESC").All(&out); err != nil {
		return nil, fmt.Errorf("campaign names: %w", err)
	}
	return out, nil
}
