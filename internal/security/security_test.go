package security_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// passwordSignIn is the scenario of a password sign-in (with a code when otp is set).
func passwordSignIn(name, email, password, otp string, status int, content ...string) testutil.Scenario {
	body := map[string]string{"identity": email, "password": password}
	if otp != "" {
		body["otp"] = otp
	}
	return testutil.Scenario{
		Name: name, Method: http.MethodPost, URL: "/api/collections/users/auth-with-password", Body: body,
		ExpectedStatus: status, ExpectedError: status >= http.StatusBadRequest, ExpectedContent: content,
	}
}

func TestAuthenticatorEnrolmentAndSignIn(t *testing.T) {
	s := testutil.NewServer(t)
	app := s.App
	u := testutil.Users(t)["red_operator"]
	admin := testutil.Users(t)["admin"]

	var setup struct{ Secret, URI string }
	s.Run(t,
		testutil.Scenario{
			Name: "a user starts enrolling an authenticator", Method: http.MethodPost, URL: "/api/aegis/me/totp/setup", Token: u.Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"secret":"`, `"uri":"otpauth://totp/`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				r.JSON(t, &setup)
				require.NotEmpty(t, setup.Secret, "setup: %s", r.Body)
				require.True(t, strings.HasPrefix(setup.URI, "otpauth://totp/"), "setup: %s", r.Body)
			},
		},
		// Until confirmed, sign-in needs no code.
		passwordSignIn("until confirmed, sign-in needs no code", u.Email, testutil.Password, "", http.StatusOK, `"token":"`),
		testutil.Scenario{
			Name: "confirming with a wrong code is refused", Method: http.MethodPost, URL: "/api/aegis/me/totp/confirm", Token: u.Token,
			Body: map[string]string{"code": "000000"}, ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		},
	)
	code, err := security.TOTPCode(setup.Secret, time.Now())
	require.NoError(t, err)
	wrong := "111111"
	if wrong == code {
		wrong = "222222"
	}
	s.Run(t,
		testutil.Scenario{
			Name: "confirming with the right code enables the second factor", Method: http.MethodPost, URL: "/api/aegis/me/totp/confirm",
			Token: u.Token, Body: map[string]string{"code": code}, ExpectedStatus: http.StatusOK, ExpectedBody: `{"totp_enabled":true}`,
		},
		// The secret never leaves the server through the records API.
		testutil.Scenario{
			Name: "the records API shows the flag, never the secret", Method: http.MethodGet, URL: "/api/collections/users/records/" + u.Id,
			Token: u.Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"totp_enabled":true`}, NotExpectedContent: []string{setup.Secret},
		},
		// Nor can it be written through it (the update rule refuses the
		// field: PocketBase answers 404 to a refused update).
		testutil.Scenario{
			Name: "the records API cannot turn the second factor off", Method: http.MethodPatch, URL: "/api/collections/users/records/" + u.Id,
			Token: u.Token, Body: map[string]any{"totp_enabled": false}, ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		},
		passwordSignIn("sign-in without a code asks for one", u.Email, testutil.Password, "", http.StatusUnauthorized, "totp_required"),
		passwordSignIn("sign-in with a wrong code is refused", u.Email, testutil.Password, wrong, http.StatusUnauthorized),
		passwordSignIn("a right code does not rescue a wrong password", u.Email, "wrong-password-xx", code, http.StatusBadRequest),
		passwordSignIn("sign-in with the code succeeds", u.Email, testutil.Password, code, http.StatusOK, `"token"`),
	)
	failed, err := app.FindRecordsByFilter(collections.AuditLogs, "action = 'login_failed' && record_id = {:id}", "", 0, 0, map[string]any{"id": u.Id})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(failed), 2, "wrong code and wrong password should both be audited as failures")

	// An admin resets a lost authenticator; the user signs in with the password alone again.
	s.Run(t,
		testutil.Scenario{
			Name: "a user cannot reset their own authenticator", Method: http.MethodPost, URL: "/api/aegis/users/" + u.Id + "/totp/reset",
			Token: u.Token, ExpectedStatus: http.StatusForbidden, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "an admin resets a lost authenticator", Method: http.MethodPost, URL: "/api/aegis/users/" + u.Id + "/totp/reset",
			Token: admin.Token, ExpectedStatus: http.StatusOK, ExpectedBody: `{"totp_enabled":false}`,
		},
		passwordSignIn("after the reset the password alone signs in", u.Email, testutil.Password, "", http.StatusOK, `"token":"`),
	)
}

func putPolicy(t *testing.T, url, token string, mutate func(*security.Policy), secret *string) testutil.Response {
	t.Helper()
	p := security.DefaultPolicy()
	mutate(&p)
	body := map[string]any{"policy": p}
	if secret != nil {
		body["sso_client_secret"] = *secret
	}
	return testutil.Do(t, http.MethodPut, url+"/api/aegis/security", token, body)
}

// policyBody is the PUT /api/aegis/security body for the default policy
// changed by mutate.
func policyBody(mutate func(*security.Policy)) map[string]any {
	p := security.DefaultPolicy()
	mutate(&p)
	return map[string]any{"policy": p}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	s := testutil.NewServer(t)
	admin := testutil.Users(t)["admin"]
	victim := testutil.Users(t)["viewer"]
	table := []testutil.Scenario{{
		Name: "admin sets a lockout after 3 failures", Method: http.MethodPut, URL: "/api/aegis/security", Token: admin.Token,
		Body:           policyBody(func(p *security.Policy) { p.Lockout = security.Lockout{Threshold: 3, WindowMinutes: 10} }),
		ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"threshold":3`},
	}}
	for i := 1; i <= 3; i++ {
		table = append(table, passwordSignIn(fmt.Sprintf("failure %d is a plain refusal", i), victim.Email, "not-the-password", "", http.StatusBadRequest))
	}
	table = append(table,
		passwordSignIn("the locked account cannot sign in, even with its password", victim.Email, testutil.Password, "",
			http.StatusTooManyRequests, "Too many failed sign-ins"),
		passwordSignIn("another account is unaffected", testutil.Users(t)["red_lead"].Email, testutil.Password, "", http.StatusOK, `"token":"`),
	)
	s.Run(t, table...)
	locked, err := s.App.FindRecordsByFilter(collections.AuditLogs, "action = 'login_locked'", "", 0, 0)
	require.NoError(t, err)
	require.Len(t, locked, 1, "lockout audit entries")
}

func TestPolicyValidationAndEffects(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	admin := users["admin"].Token

	var table []testutil.Scenario
	for _, bad := range []struct {
		name   string
		mutate func(*security.Policy)
	}{
		{"a 4-character password minimum", func(p *security.Policy) { p.PasswordMinLength = 4 }},
		{"zero-hour sessions", func(p *security.Policy) { p.SessionHours = 0 }},
		{"MFA for an unknown role", func(p *security.Policy) { p.MFARequiredRoles = []collections.Role{"wizard"} }},
		{"SSO enabled without a provider", func(p *security.Policy) { p.SSO.Enabled = true }},
		{"SSO mapping to an unknown role", func(p *security.Policy) { p.SSO.RoleMap = map[string]collections.Role{"g": "root"} }},
	} {
		table = append(table, testutil.Scenario{
			Name: "a policy with " + bad.name + " is refused", Method: http.MethodPut, URL: "/api/aegis/security", Token: admin,
			Body: policyBody(bad.mutate), ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		})
	}
	table = append(table,
		testutil.Scenario{
			Name: "a blue lead cannot change the policy", Method: http.MethodPut, URL: "/api/aegis/security", Token: users["blue_lead"].Token,
			Body: policyBody(func(*security.Policy) {}), ExpectedStatus: http.StatusForbidden, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "admin sets a stricter policy", Method: http.MethodPut, URL: "/api/aegis/security", Token: admin,
			Body: policyBody(func(p *security.Policy) {
				p.PasswordMinLength = 16
				p.SessionHours = 12
				p.MFARequiredRoles = []collections.Role{collections.RoleBlueAnalyst}
			}),
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"session_hours":12`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ testutil.Response) {
				col, err := app.FindCollectionByNameOrId(collections.Users)
				require.NoError(t, err)
				assert.Equal(t, int64(12*3600), col.AuthToken.Duration, "session lifetime applied")
			},
		},
		testutil.Scenario{
			Name: "a 15-character password fails a 16-character policy", Method: http.MethodPost, URL: "/api/collections/users/records", Token: admin,
			Body:           map[string]any{"email": "new@aegis.test", "password": "fifteen-chars!!", "passwordConfirm": "fifteen-chars!!", "role": "viewer"},
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		},
		// A blue analyst must enrol before using the API, but may enrol.
		testutil.Scenario{
			Name: "an unenrolled blue analyst cannot use the API", Method: http.MethodGet, URL: "/api/collections/tests/records",
			Token: users["blue_analyst"].Token, ExpectedStatus: http.StatusForbidden, ExpectedError: true, ExpectedContent: []string{"enrolment_required"},
		},
		testutil.Scenario{
			Name: "but may enrol", Method: http.MethodPost, URL: "/api/aegis/me/totp/setup", Token: users["blue_analyst"].Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"uri":"otpauth://totp/`},
		},
		testutil.Scenario{
			Name: "a viewer (not required to enrol) is not blocked", Method: http.MethodGet, URL: "/api/collections/tests/records",
			Token: users["viewer"].Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"items":[`},
		},
	)
	s.Run(t, table...)
}

// fakeIdP is a minimal OpenID Connect provider on loopback: it accepts any
// authorization code and answers userinfo with the claims of the user the
// code names.
func fakeIdP(t *testing.T, claims map[string]map[string]any) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + r.Form.Get("code"), "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer at-")
		c, ok := claims[code]
		if !ok {
			http.Error(w, "unknown token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(c)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSingleSignOnMapsRolesFromClaims(t *testing.T) {
	s := testutil.NewServer(t)
	app := s.App
	admin := testutil.Users(t)["admin"].Token
	claims := map[string]map[string]any{
		"dana":    {"sub": "u-dana", "email": "dana@corp.example", "email_verified": true, "name": "Dana", "groups": []any{"staff", "soc-leads"}},
		"mallory": {"sub": "u-mal", "email": "mallory@corp.example", "email_verified": true, "name": "Mallory", "groups": []any{"marketing"}},
	}
	idp := fakeIdP(t, claims)
	const secret = "s3cret-client"
	sso := policyBody(func(p *security.Policy) {
		p.SSO = security.SSO{Enabled: true, DisplayName: "Corp SSO", ClientID: "aegis", AuthURL: idp.URL + "/authorize",
			TokenURL: idp.URL + "/token", UserInfoURL: idp.URL + "/userinfo", RoleClaim: "groups",
			RoleMap: map[string]collections.Role{"soc-leads": collections.RoleBlueLead, "staff": collections.RoleViewer}}
	})
	sso["sso_client_secret"] = secret
	oauth2 := func(name, code string, createData map[string]any, status int, content ...string) testutil.Scenario {
		return testutil.Scenario{
			Name: name, Method: http.MethodPost, URL: "/api/collections/users/auth-with-oauth2",
			Body: map[string]any{
				"provider": "oidc", "code": code, "codeVerifier": "verifier-verifier-verifier-verifier-12345",
				"redirectURL": s.URL + "/oauth2-callback", "createData": createData,
			},
			ExpectedStatus: status, ExpectedError: status >= http.StatusBadRequest, ExpectedContent: content,
		}
	}
	s.Run(t,
		testutil.Scenario{
			Name: "admin enables SSO; the answer never carries the client secret", Method: http.MethodPut, URL: "/api/aegis/security",
			Token: admin, Body: sso, ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"sso_client_secret_set":true`}, NotExpectedContent: []string{secret},
		},
		testutil.Scenario{
			Name: "the provider is offered", Method: http.MethodGet, URL: "/api/collections/users/auth-methods",
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{"Corp SSO"},
		},
		// A forged role in the sign-up data is ignored: the claims decide.
		oauth2("a forged role in the sign-up data is ignored: the claims decide", "dana", map[string]any{"role": "admin"}, http.StatusOK, `"token":"`),
	)
	dana, err := app.FindAuthRecordByEmail(collections.Users, "dana@corp.example")
	require.NoError(t, err)
	require.Equal(t, collections.RoleBlueLead, collections.RoleOf(dana), "dana's role")
	require.True(t, dana.GetBool("active"), "dana is active")

	s.Run(t, oauth2("an unmapped account cannot sign in", "mallory", nil, http.StatusForbidden))
	_, err = app.FindAuthRecordByEmail(collections.Users, "mallory@corp.example")
	require.Error(t, err, "unmapped account was created")

	// The provider drops dana from soc-leads: her role follows at the next sign-in.
	claims["dana"]["groups"] = []any{"staff"}
	s.Run(t, oauth2("the role follows the claims at the next sign-in", "dana", nil, http.StatusOK, `"token":"`))
	dana, err = app.FindRecordById(collections.Users, dana.Id)
	require.NoError(t, err)
	require.Equal(t, collections.RoleViewer, collections.RoleOf(dana), "role after claim change")
	changes, err := app.FindRecordsByFilter(collections.AuditLogs, "action = 'role_change' && record_id = {:id}", "", 0, 0, map[string]any{"id": dana.Id})
	require.NoError(t, err)
	require.NotEmpty(t, changes, "sso role change not audited")
}

func TestMapRole(t *testing.T) {
	sso := security.SSO{RoleClaim: "roles", RoleMap: map[string]collections.Role{"a": "viewer", "b": "red_lead", "c": "admin"}}
	cases := []struct {
		name  string
		claim any
		def   collections.Role
		want  collections.Role
	}{
		{"two groups: the stronger role", []any{"a", "b"}, "", "red_lead"},
		{"admin group wins", []any{"c", "a"}, "", "admin"},
		{"a single string claim", "b", "", "red_lead"},
		{"unmapped group, no default", []any{"x"}, "", ""},
		{"unmapped group, default role", []any{"x"}, "viewer", "viewer"},
		{"no claim", nil, "", ""},
		{"a claim of the wrong type", 42, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := sso
			s.DefaultRole = c.def
			assert.Equal(t, c.want, security.MapRole(map[string]any{"roles": c.claim}, s), "mapped role")
		})
	}
}
