package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/pocketbase/pocketbase/core"
)

// Campaign names for the pages' campaign menus (Board, Tests, Reports, the
// matrix and the test forms): every campaign's id, name and status, newest
// first. Through the records API that list costs PocketBase ~45 µs a
// campaign (9–12 ms for the 200 of the xl organisation, and recurring
// campaigns add one each round); here it is one read (campaigns.Names), kept as JSON
// while the campaigns are unchanged. The key of the kept answer is the
// table's row count and latest update, read on every request (a scan of
// the campaigns' `updated`, which also sees another process's writes), so
// a campaign just created or renamed is in the next answer. Every signed-in
// user may list every campaign (the collection's list rule), so one answer
// serves all.

// campaignNames keeps the answer of /campaigns/names.
type campaignNames struct {
	mu   sync.Mutex
	key  string
	body []byte
}

// answer is the JSON of every campaign's name, read again when the
// campaigns changed since the kept one.
func (k *campaignNames) answer(app core.App) ([]byte, error) {
	key, err := tableVersion(app, c.Campaigns)
	if err != nil {
		return nil, fmt.Errorf("campaign names: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.body != nil && k.key == key {
		return k.body, nil
	}
	items, err := campaigns.Names(app)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		return nil, fmt.Errorf("campaign names: %w", err)
	}
	k.key, k.body = key, body
	return body, nil
}

// tableVersion is a key that changes whenever table does through a
// record save or delete, or a write that sets `updated` (from this process
// or another): its row count and latest update.
func tableVersion(app core.App, table string) (string, error) {
	var v struct {
		N  int    `db:"n"`
		At string `db:"at"`
	}
	if err := app.DB().NewQuery("SELECT count(*) AS n, coalesce(max(updated), '') AS at FROM " + table).One(&v); err != nil {
		return "", fmt.Errorf("the state of %s: %w", table, err)
	}
	return fmt.Sprintf("%d|%s", v.N, v.At), nil
}

func (k *campaignNames) handle(e *core.RequestEvent) error {
	body, err := k.answer(e.App)
	if err != nil {
		return e.InternalServerError("Could not list the campaigns.", err)
	}
	return e.Blob(http.StatusOK, "application/json", body)
}
