// Package security holds Aegis's sign-in policy: password length, session
// lifetime, lockout after repeated failures, an authenticator-app (TOTP)
// second factor that roles can be required to use, and single sign-on
// through an OpenID Connect provider with roles mapped from a claim.
package security

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// SSOProviderName is the PocketBase OAuth2 provider Aegis configures.
const SSOProviderName = "oidc"

// Policy is the admin-editable security policy. It is stored on the
// settings record (readable by every user), so it holds no secrets: the SSO
// client secret lives only in the users collection's OAuth2 configuration.
type Policy struct {
	PasswordMinLength int                `json:"password_min_length"`
	SessionHours      int                `json:"session_hours"`
	Lockout           Lockout            `json:"lockout"`
	MFARequiredRoles  []collections.Role `json:"mfa_required_roles"`
	SSO               SSO                `json:"sso"`
}

// Lockout refuses password sign-ins for an identity after Threshold
// failures within WindowMinutes. Threshold 0 turns it off.
type Lockout struct {
	Threshold     int `json:"threshold"`
	WindowMinutes int `json:"window_minutes"`
}

// SSO configures sign-in through an OpenID Connect identity provider.
type SSO struct {
	Enabled     bool                        `json:"enabled"`
	DisplayName string                      `json:"display_name"`
	ClientID    string                      `json:"client_id"`
	AuthURL     string                      `json:"auth_url"`
	TokenURL    string                      `json:"token_url"`
	UserInfoURL string                      `json:"userinfo_url"`
	RoleClaim   string                      `json:"role_claim"`   // e.g. "groups" or "roles"
	RoleMap     map[string]collections.Role `json:"role_map"`     // claim value → Aegis role
	DefaultRole collections.Role            `json:"default_role"` // role for accounts no mapping matches; "" refuses them
}

// DefaultPolicy is the policy of a fresh installation.
func DefaultPolicy() Policy {
	return Policy{
		PasswordMinLength: collections.MinPasswordLength,
		SessionHours:      168,
		Lockout:           Lockout{Threshold: 5, WindowMinutes: 15},
		MFARequiredRoles:  []collections.Role{},
		SSO:               SSO{RoleClaim: "groups", RoleMap: map[string]collections.Role{}},
	}
}

// Validate checks the policy and says what to fix.
func (p Policy) Validate() error {
	var errs []error
	if p.PasswordMinLength < 8 || p.PasswordMinLength > MaxPasswordLength {
		errs = append(errs, fmt.Errorf("password_min_length must be between 8 and %d", MaxPasswordLength))
	}
	if p.SessionHours < 1 || p.SessionHours > 24*90 {
		errs = append(errs, errors.New("session_hours must be between 1 and 2160 (90 days)"))
	}
	if p.Lockout.Threshold < 0 || p.Lockout.Threshold > 100 || (p.Lockout.Threshold > 0 && (p.Lockout.WindowMinutes < 1 || p.Lockout.WindowMinutes > 24*60)) {
		errs = append(errs, errors.New("lockout needs threshold 0–100 (0 = off) and window_minutes 1–1440"))
	}
	for _, r := range p.MFARequiredRoles {
		if !r.Valid() {
			errs = append(errs, fmt.Errorf("mfa_required_roles: unknown role %q", r))
		}
	}
	if p.SSO.Enabled {
		if p.SSO.ClientID == "" {
			errs = append(errs, errors.New("sso.client_id is required"))
		}
		for name, u := range map[string]string{"auth_url": p.SSO.AuthURL, "token_url": p.SSO.TokenURL, "userinfo_url": p.SSO.UserInfoURL} {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
				errs = append(errs, fmt.Errorf("sso.%s must be an http(s) URL", name))
			}
		}
		if p.SSO.RoleClaim == "" {
			errs = append(errs, errors.New("sso.role_claim is required (e.g. groups)"))
		}
	}
	for claim, role := range p.SSO.RoleMap {
		if !role.Valid() {
			errs = append(errs, fmt.Errorf("sso.role_map[%q]: unknown role %q", claim, role))
		}
	}
	if p.SSO.DefaultRole != "" && !p.SSO.DefaultRole.Valid() {
		errs = append(errs, fmt.Errorf("sso.default_role: unknown role %q", p.SSO.DefaultRole))
	}
	return errors.Join(errs...)
}

// MaxPasswordLength is the longest password bcrypt fully uses (it ignores
// everything after 72 bytes; PocketBase caps the field at 71 characters).
const MaxPasswordLength = 71

// CheckPassword says how plain breaks the policy, or returns nil. Length is
// counted in characters, as PocketBase's password field does.
func (p Policy) CheckPassword(plain string) error {
	n := utf8.RuneCountInString(plain)
	switch {
	case strings.TrimSpace(plain) == "":
		return validation.NewError("validation_password_blank", "The password cannot be only spaces")
	case n < p.PasswordMinLength:
		return validation.NewError("validation_min_text_constraint",
			fmt.Sprintf("Must be at least %d characters", p.PasswordMinLength))
	case n > MaxPasswordLength:
		return validation.NewError("validation_max_text_constraint",
			fmt.Sprintf("Must be at most %d characters", MaxPasswordLength))
	}
	return nil
}

// enforcePasswordPolicy checks every new password of a user or superuser
// against the stored policy (the default one until an admin saves it), on
// every path that sets one: the setup route, the records API (create, admin
// change, self change), the CLI and Go code. Passwords PocketBase generates
// itself (SSO sign-ups) carry no plain text and are not checked.
func enforcePasswordPolicy(e *core.RecordEvent) error {
	if plain := e.Record.GetString(core.FieldNamePassword); plain != "" {
		if err := Load(e.App).CheckPassword(plain); err != nil {
			return validation.Errors{core.FieldNamePassword: err}
		}
	}
	return e.Next()
}

// Load reads the policy from the settings record, filling defaults.
func Load(app core.App) Policy {
	p := DefaultPolicy()
	rec, err := app.FindFirstRecordByData(collections.Settings, "key", "default")
	if err != nil {
		return p
	}
	_ = rec.UnmarshalJSONField("security", &p)
	if p.SSO.RoleMap == nil {
		p.SSO.RoleMap = map[string]collections.Role{}
	}
	return p
}

// Save validates p, stores it and applies it to the users collection
// (password length, token lifetime, OAuth2 provider). clientSecret replaces
// the stored SSO secret when not nil.
func Save(app core.App, p Policy, clientSecret *string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindFirstRecordByData(collections.Settings, "key", "default")
		if err != nil {
			return fmt.Errorf("security policy: settings record: %w", err)
		}
		rec.Set("security", p)
		if err := tx.Save(rec); err != nil {
			return fmt.Errorf("security policy: save: %w", err)
		}
		return apply(tx, p, clientSecret)
	})
}

func apply(app core.App, p Policy, clientSecret *string) error {
	users, err := app.FindCollectionByNameOrId(collections.Users)
	if err != nil {
		return err
	}
	if f, ok := users.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); ok {
		f.Min = p.PasswordMinLength
	}
	users.AuthToken.Duration = int64(p.SessionHours) * 3600

	secret := ""
	if i := slices.IndexFunc(users.OAuth2.Providers, func(c core.OAuth2ProviderConfig) bool { return c.Name == SSOProviderName }); i >= 0 {
		secret = users.OAuth2.Providers[i].ClientSecret
	}
	if clientSecret != nil {
		secret = *clientSecret
	}
	providers := slices.DeleteFunc(slices.Clone(users.OAuth2.Providers), func(c core.OAuth2ProviderConfig) bool { return c.Name == SSOProviderName })
	if p.SSO.Enabled {
		if secret == "" {
			return errors.New("sso.client_secret is required when single sign-on is enabled")
		}
		display := strings.TrimSpace(p.SSO.DisplayName)
		if display == "" {
			display = "Single sign-on"
		}
		providers = append(providers, core.OAuth2ProviderConfig{
			Name: SSOProviderName, DisplayName: display, ClientId: p.SSO.ClientID, ClientSecret: secret,
			AuthURL: p.SSO.AuthURL, TokenURL: p.SSO.TokenURL, UserInfoURL: p.SSO.UserInfoURL,
		})
	}
	users.OAuth2.Providers = providers
	users.OAuth2.Enabled = len(providers) > 0
	users.OAuth2.MappedFields.Name = "name"
	return app.Save(users)
}

// SSOSecretSet reports whether a client secret is stored, without revealing it.
func SSOSecretSet(app core.App) bool {
	users, err := app.FindCachedCollectionByNameOrId(collections.Users)
	if err != nil {
		return false
	}
	for _, c := range users.OAuth2.Providers {
		if c.Name == SSOProviderName && c.ClientSecret != "" {
			return true
		}
	}
	return false
}
