package api

import (
	"net/http"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/pocketbase/pocketbase/core"
)

// Security routes: the admin's sign-in policy and each user's authenticator.
func registerSecurityRoutes(g *Group) {
	admin := requireRole(collections.RoleAdmin)
	g.GET("/security", handleGetSecurity).Bind(admin)
	g.PUT("/security", handlePutSecurity).Bind(admin)
	g.POST("/me/totp/setup", handleTOTPSetup).Bind(requireUser())
	g.POST("/me/totp/confirm", handleTOTPConfirm).Bind(requireUser())
	g.POST("/me/totp/disable", handleTOTPDisable).Bind(requireUser())
	g.POST("/users/{id}/totp/reset", handleTOTPReset).Bind(admin)

	policy := security.DefaultPolicy()
	document(
		Op{Method: "GET", Path: Prefix + "/security", Tags: []string{"security"}, Auth: "admin",
			Summary:  "Sign-in policy: password length, session lifetime, lockout, roles that must use an authenticator, single sign-on",
			Response: map[string]any{"policy": policy, "sso_client_secret_set": false}},
		Op{Method: "PUT", Path: Prefix + "/security", Tags: []string{"security"}, Auth: "admin",
			Summary:     "Change the sign-in policy (validated; applied to the users collection at once)",
			Description: "`sso_client_secret` is write-only; omit it to keep the stored one.",
			Request:     map[string]any{"policy": policy, "sso_client_secret": "…"},
			Response:    map[string]any{"policy": policy, "sso_client_secret_set": true}},
		Op{Method: "POST", Path: Prefix + "/me/totp/setup", Tags: []string{"security"}, Auth: "user",
			Summary:  "Start authenticator enrolment: returns a secret and its otpauth:// URI",
			Response: map[string]string{"secret": "JBSWY3DPEHPK3PXP…", "uri": "otpauth://totp/Aegis:ana@example.org?…"}},
		Op{Method: "POST", Path: Prefix + "/me/totp/confirm", Tags: []string{"security"}, Auth: "user",
			Summary: "Finish enrolment with a current code; password sign-ins then need `otp` too",
			Request: map[string]string{"code": "123456"}, Response: map[string]bool{"totp_enabled": true}},
		Op{Method: "POST", Path: Prefix + "/me/totp/disable", Tags: []string{"security"}, Auth: "user",
			Summary: "Remove your authenticator (needs a current code)",
			Request: map[string]string{"code": "123456"}, Response: map[string]bool{"totp_enabled": false}},
		Op{Method: "POST", Path: Prefix + "/users/{id}/totp/reset", Tags: []string{"security"}, Auth: "admin",
			Summary: "Remove a user's authenticator (lost phone)", Response: map[string]bool{"totp_enabled": false}},
	)
}

type securityBody struct {
	Policy          security.Policy `json:"policy"`
	SSOClientSecret *string         `json:"sso_client_secret,omitempty"`
}

func securityAnswer(e *core.RequestEvent, p security.Policy) error {
	return e.JSON(http.StatusOK, map[string]any{"policy": p, "sso_client_secret_set": security.SSOSecretSet(e.App)})
}

func handleGetSecurity(e *core.RequestEvent) error {
	return securityAnswer(e, security.Load(e.App))
}

func handlePutSecurity(e *core.RequestEvent) error {
	var body securityBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	before := security.Load(e.App)
	if err := security.Save(e.App, body.Policy, body.SSOClientSecret); err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	entry := callerAuditEntry(e, "security_policy")
	entry.Collection = collections.Settings
	entry.Details = map[string]any{"old": before, "new": body.Policy, "sso_client_secret_changed": body.SSOClientSecret != nil}
	if err := audit.Write(e.App, entry); err != nil {
		return e.InternalServerError("", err)
	}
	return securityAnswer(e, body.Policy)
}

func handleTOTPSetup(e *core.RequestEvent) error {
	user, err := e.App.FindRecordById(collections.Users, e.Auth.Id)
	if err != nil {
		return e.BadRequestError("Superusers use the dashboard's own MFA settings.", nil)
	}
	secret, uri, err := security.StartTOTP(e.App, user)
	if err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	return e.JSON(http.StatusOK, map[string]string{"secret": secret, "uri": uri})
}

func handleTOTPConfirm(e *core.RequestEvent) error {
	return changeTOTP(e, "mfa_enabled", func(user *core.Record, code string) error {
		return security.ConfirmTOTP(e.App, user, code)
	})
}

func handleTOTPDisable(e *core.RequestEvent) error {
	return changeTOTP(e, "mfa_disabled", func(user *core.Record, code string) error {
		return security.DisableTOTP(e.App, user, code, false)
	})
}

func changeTOTP(e *core.RequestEvent, action string, change func(*core.Record, string) error) error {
	var body struct {
		Code string `json:"code"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	user, err := e.App.FindRecordById(collections.Users, e.Auth.Id)
	if err != nil {
		return e.BadRequestError("Superusers use the dashboard's own MFA settings.", nil)
	}
	if err := change(user, body.Code); err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	entry := callerAuditEntry(e, action)
	entry.Collection, entry.RecordId = collections.Users, user.Id
	if err := audit.Write(e.App, entry); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]bool{"totp_enabled": user.GetBool("totp_enabled")})
}

func handleTOTPReset(e *core.RequestEvent) error {
	user, err := e.App.FindRecordById(collections.Users, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such user.", nil)
	}
	if err := security.DisableTOTP(e.App, user, "", true); err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	entry := callerAuditEntry(e, "mfa_reset")
	entry.Collection, entry.RecordId = collections.Users, user.Id
	if err := audit.Write(e.App, entry); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]bool{"totp_enabled": false})
}

// callerAuditEntry starts an audit entry attributed to the caller.
func callerAuditEntry(e *core.RequestEvent, action string) audit.Entry {
	entry := audit.Entry{Action: action, IP: e.RealIP(), ActorKind: audit.KindUser}
	if e.Auth != nil {
		entry.Actor, entry.ActorName = e.Auth.Id, e.Auth.Email()
		if e.Auth.IsSuperuser() {
			entry.ActorKind = audit.KindSuperuser
		}
	}
	return entry
}
