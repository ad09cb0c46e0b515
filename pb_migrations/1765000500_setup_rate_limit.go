package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The setup rate limit counts only the creation of the first administrator
// (POST /api/aegis/setup). The status check (GET) is read by the first-run
// page on every load and must not run out after a few reloads; it falls
// under the general /api/ limit. An administrator's own edit of the rule
// (another label) is left alone.
func init() {
	m.Register(func(app core.App) error {
		return relabelRateLimit(app, "/api/aegis/setup", "POST /api/aegis/setup")
	}, func(app core.App) error {
		return relabelRateLimit(app, "POST /api/aegis/setup", "/api/aegis/setup")
	})
}

func relabelRateLimit(app core.App, from, to string) error {
	s := app.Settings()
	changed := false
	for i := range s.RateLimits.Rules {
		if s.RateLimits.Rules[i].Label == from {
			s.RateLimits.Rules[i].Label = to
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if err := app.Save(s); err != nil {
		return fmt.Errorf("migrate rate limit %s: %w", to, err)
	}
	return nil
}
