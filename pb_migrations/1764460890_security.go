package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Sign-in security: an authenticator-app second factor per user, the
// security policy on the settings record, and single sign-on sign-ups.
//   - users.totp_secret / totp_pending are hidden and never writable through
//     the records API; totp_enabled is visible so the UI can show it.
//   - users may be created in the OAuth2 context: the SSO hook replaces the
//     sign-up data with the role mapped from the identity provider's claims
//     and refuses unmapped accounts (security/sso.go).
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return wrap(c.Users, err)
		}
		users.Fields.Add(
			&core.TextField{Name: "totp_secret", Hidden: true},
			&core.TextField{Name: "totp_pending", Hidden: true},
			&core.BoolField{Name: "totp_enabled"},
		)
		noTOTP := " && @request.body.totp_secret:isset = false && @request.body.totp_pending:isset = false" +
			" && @request.body.totp_enabled:isset = false"
		if users.UpdateRule != nil {
			users.UpdateRule = rule("(" + *users.UpdateRule + ")" + noTOTP)
		}
		if users.CreateRule != nil {
			users.CreateRule = rule("((" + *users.CreateRule + ")" + noTOTP + ") || @request.context = 'oauth2'")
		}
		if err := app.Save(users); err != nil {
			return wrap(c.Users, err)
		}

		settings, err := app.FindCollectionByNameOrId(c.Settings)
		if err != nil {
			return wrap(c.Settings, err)
		}
		settings.Fields.Add(jsonField("security"))
		if err := app.Save(settings); err != nil {
			return wrap(c.Settings, err)
		}
		rec, err := app.FindFirstRecordByData(settings, "key", "default")
		if err != nil {
			return wrap(c.Settings, err)
		}
		rec.Set("security", map[string]any{
			"password_min_length": c.MinPasswordLength,
			"session_hours":       168,
			"lockout":             map[string]any{"threshold": 5, "window_minutes": 15},
			"mfa_required_roles":  []string{},
			"sso":                 map[string]any{"enabled": false, "role_claim": "groups", "role_map": map[string]string{}},
		})
		return app.Save(rec)
	}, nil)
}
