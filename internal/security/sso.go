package security

import (
	"fmt"
	"slices"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
)

// MapRole returns the Aegis role for an identity provider's user claims:
// the most privileged role any claim value maps to, else the default role
// ("" means the account is refused).
func MapRole(claims map[string]any, sso SSO) collections.Role {
	values := claimValues(claims[sso.RoleClaim])
	best := -1
	for _, v := range values {
		role, ok := sso.RoleMap[v]
		if !ok {
			continue
		}
		if i := slices.Index(collections.Roles, role); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best >= 0 {
		return collections.Roles[best]
	}
	return sso.DefaultRole
}

func claimValues(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return t
	}
	return nil
}

// mapSSORole decides the role of an OIDC sign-in. New accounts are created
// with exactly the mapped role (whatever the client sent as sign-up data);
// existing accounts follow the provider's current claims; inactive or
// unmapped accounts are refused.
func mapSSORole(e *core.RecordAuthWithOAuth2RequestEvent) error {
	if e.ProviderName != SSOProviderName {
		return e.Next()
	}
	p := Load(e.App)
	if !p.SSO.Enabled {
		return e.ForbiddenError("Single sign-on is turned off.", nil)
	}
	var claims map[string]any
	if e.OAuth2User != nil {
		claims = e.OAuth2User.RawUser
	}
	role := MapRole(claims, p.SSO)
	if role == "" {
		return e.ForbiddenError(fmt.Sprintf("Your identity provider account has no Aegis role (claim %q matches no mapping). Ask an admin.", p.SSO.RoleClaim), nil)
	}
	if e.Record == nil {
		name := ""
		if e.OAuth2User != nil {
			name = e.OAuth2User.Name
		}
		e.CreateData = map[string]any{"role": role, "active": true, "name": name}
		return e.Next()
	}
	if !e.Record.GetBool("active") {
		return e.ForbiddenError("This account is deactivated.", nil)
	}
	if old := collections.RoleOf(e.Record); old != role {
		e.Record.Set("role", role)
		if err := e.App.Save(e.Record); err != nil {
			return e.InternalServerError("", err)
		}
		if err := audit.Write(e.App, audit.Entry{ActorKind: audit.KindSystem, ActorName: "sso", Action: audit.ActionRoleChange,
			Collection: collections.Users, RecordId: e.Record.Id, IP: e.RealIP(),
			Details: map[string]any{"role": map[string]collections.Role{"old": old, "new": role}, "source": "identity provider claims"}}); err != nil {
			return e.InternalServerError("", err)
		}
	}
	return e.Next()
}
