package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Application-wide PocketBase settings: a name, rate limits on by default
// (auth endpoints tightest) and daily backups kept for a week.
func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		s.Meta.AppName = "Aegis"
		s.RateLimits.Enabled = true
		s.RateLimits.Rules = []core.RateLimitRule{
			{Label: "*:auth", MaxRequests: 10, Duration: 60},
			{Label: "*:authWithPassword", MaxRequests: 10, Duration: 60},
			{Label: "*:requestOTP", MaxRequests: 5, Duration: 60},
			{Label: "*:requestPasswordReset", MaxRequests: 5, Duration: 60},
			{Label: "/api/aegis/setup", MaxRequests: 5, Duration: 60},
			{Label: "*:create", MaxRequests: 60, Duration: 5},
			{Label: "/api/batch", MaxRequests: 3, Duration: 1},
			{Label: "/api/", MaxRequests: 1000, Duration: 10},
		}
		s.Backups.Cron = "0 3 * * *"
		s.Backups.CronMaxKeep = 7
		s.Logs.MaxDays = 7
		return app.Save(s)
	}, nil)
}
