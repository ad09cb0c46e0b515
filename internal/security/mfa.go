package security

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// mfaError puts a machine-readable reason in the error's data.mfa.code, so
// the SPA can tell "ask for a code" from "enrol first".
func mfaError(code, msg string) validation.Errors {
	return validation.Errors{"mfa": validation.NewError(code, msg)}
}

// Issuer names Aegis in authenticator apps.
const Issuer = "Aegis"

// requireTOTP runs before PocketBase issues a token for a password sign-in:
// a user with an authenticator enrolled must also send its current code as
// "otp" in the same request.
func requireTOTP(e *core.RecordAuthWithPasswordRequestEvent) error {
	if e.Record == nil || !collections.AsUser(e.Record).TotpEnabled() || !e.Record.ValidatePassword(e.Password) {
		return e.Next()
	}
	code := ""
	if info, err := e.RequestInfo(); err == nil {
		if v, ok := info.Body["otp"].(string); ok {
			code = v
		}
	}
	if code == "" {
		return e.UnauthorizedError("Enter the 6-digit code from your authenticator app.", mfaError("totp_required", "An authenticator code is required."))
	}
	if !VerifyTOTP(collections.AsUser(e.Record).TotpSecret(), code, time.Now()) {
		if err := audit.Write(e.App, audit.Entry{Actor: e.Record.Id, ActorName: e.Record.Email(), ActorKind: audit.KindUser,
			Action: audit.ActionLoginFailed, Collection: collections.Users, RecordId: e.Record.Id, IP: e.RealIP(),
			Details: map[string]any{"identity": e.Identity, "reason": "wrong authenticator code"}}); err != nil {
			e.App.Logger().Error("audit mfa failure", "error", err)
		}
		return e.UnauthorizedError("The authenticator code is wrong or expired.", mfaError("totp_invalid", "The authenticator code is wrong or expired."))
	}
	return e.Next()
}

// StartTOTP creates a pending secret for user and returns it with its
// otpauth URI; it takes effect only once ConfirmTOTP sees a valid code.
func StartTOTP(app core.App, user *core.Record) (secret, uri string, err error) {
	if collections.AsUser(user).TotpEnabled() {
		return "", "", errors.New("an authenticator is already enrolled: disable it first")
	}
	secret, err = NewTOTPSecret()
	if err != nil {
		return "", "", err
	}
	collections.AsUser(user).SetTotpPending(secret)
	if err := app.Save(user); err != nil {
		return "", "", err
	}
	return secret, TOTPURI(secret, user.Email(), Issuer), nil
}

// ConfirmTOTP enables the pending secret when code is valid for it.
func ConfirmTOTP(app core.App, user *core.Record, code string) error {
	pending := collections.AsUser(user).TotpPending()
	if pending == "" {
		return errors.New("start enrolment first")
	}
	if !VerifyTOTP(pending, code, time.Now()) {
		return errors.New("the code does not match: check the authenticator app's clock and try the next code")
	}
	u := collections.AsUser(user)
	u.SetTotpSecret(pending)
	u.SetTotpPending("")
	u.SetTotpEnabled(true)
	return app.Save(user)
}

// DisableTOTP removes the second factor. code must be valid unless an admin
// resets it for someone else (byAdmin).
func DisableTOTP(app core.App, user *core.Record, code string, byAdmin bool) error {
	u := collections.AsUser(user)
	if !u.TotpEnabled() {
		return errors.New("no authenticator is enrolled")
	}
	if !byAdmin && !VerifyTOTP(u.TotpSecret(), code, time.Now()) {
		return errors.New("the authenticator code is wrong or expired")
	}
	u.SetTotpSecret("")
	u.SetTotpPending("")
	u.SetTotpEnabled(false)
	return app.Save(user)
}

// enrolmentPaths stay usable for a user who must enrol before anything else.
// Realtime is not among them: a subscription streams the same records as the
// REST API, so it waits for enrolment too.
var enrolmentPaths = []string{
	"/api/aegis/me/totp/",
	"/api/aegis/setup",
	"/api/aegis/health",
	"/api/aegis/openapi.json",
	"/api/collections/users/auth-refresh",
	"/api/collections/users/auth-methods",
}

// errEnrolment is the answer to a user who must enrol an authenticator first.
func errEnrolment(e *core.RequestEvent) error {
	return e.ForbiddenError("Your role requires an authenticator app: enrol one under Profile → Security first.",
		mfaError("enrolment_required", "Enrol an authenticator app to continue."))
}

// mustEnrol reports whether user's role requires an authenticator that the
// user has not enrolled yet. Superusers use the dashboard's own MFA.
func mustEnrol(app core.App, user *core.Record) bool {
	if user == nil || user.IsSuperuser() || user.Collection().Name != collections.Users || collections.AsUser(user).TotpEnabled() {
		return false
	}
	return slices.Contains(mfaRequiredRoles(app), collections.RoleOf(user))
}

// enforceEnrolment refuses API calls (REST, realtime connect and subscribe,
// file tokens) from users whose role requires an authenticator they have not
// enrolled yet.
func enforceEnrolment(e *core.RequestEvent) error {
	if !mustEnrol(e.App, e.Auth) {
		return e.Next()
	}
	path := e.Request.URL.Path
	for _, prefix := range enrolmentPaths {
		if strings.HasPrefix(path, prefix) {
			return e.Next()
		}
	}
	// The user may read their own record, to see what is required of them.
	if e.Request.Method == http.MethodGet && path == "/api/collections/users/records/"+e.Auth.Id {
		return e.Next()
	}
	return errEnrolment(e)
}

// errRealtimeEnrolment ends a realtime connection whose user must enrol.
var errRealtimeEnrolment = errors.New("realtime: the user's role requires an authenticator that is not enrolled")

// enforceEnrolmentRealtime runs before every message of an open realtime
// connection. A session that subscribed before the policy (or the user's
// role) changed stops streaming at its next message: the connection is
// closed, and the SDK's reconnect then meets the 403 of enforceEnrolment.
func enforceEnrolmentRealtime(e *core.RealtimeMessageEvent) error {
	auth, _ := e.Client.Get(apis.RealtimeClientAuthKey).(*core.Record)
	if mustEnrol(e.App, auth) {
		e.App.Logger().Info("realtime connection closed: authenticator enrolment required",
			"clientId", e.Client.Id(), "user", auth.Id)
		return errRealtimeEnrolment
	}
	return e.Next()
}

// enforceEnrolmentFiles covers downloads of protected files, which
// authenticate with a short-lived file token in the query string rather than
// the Authorization header: a token minted before the requirement applied
// does not outlive it.
func enforceEnrolmentFiles(e *core.FileDownloadRequestEvent) error {
	if token := e.Request.URL.Query().Get("token"); token != "" {
		if user, err := e.App.FindAuthRecordByToken(token, core.TokenTypeFile); err == nil && mustEnrol(e.App, user) {
			return errEnrolment(e.RequestEvent)
		}
	}
	return e.Next()
}
