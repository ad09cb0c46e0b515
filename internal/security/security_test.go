package security_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func login(t *testing.T, url, email, password, otp string) testutil.Response {
	t.Helper()
	body := map[string]string{"identity": email, "password": password}
	if otp != "" {
		body["otp"] = otp
	}
	return testutil.Do(t, http.MethodPost, url+"/api/collections/users/auth-with-password", "", body)
}

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

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	admin := testutil.Users(t)["admin"]
	victim := testutil.Users(t)["viewer"]
	if r := putPolicy(t, srv.URL, admin.Token, func(p *security.Policy) { p.Lockout = security.Lockout{Threshold: 3, WindowMinutes: 10} }, nil); r.Status != http.StatusOK {
		t.Fatalf("set policy: %d %s", r.Status, r.Body)
	}
	for i := 0; i < 3; i++ {
		if r := login(t, srv.URL, victim.Email, "not-the-password", ""); r.Status != http.StatusBadRequest {
			t.Fatalf("failure %d: %d", i, r.Status)
		}
	}
	r := login(t, srv.URL, victim.Email, testutil.Password, "")
	if r.Status != http.StatusTooManyRequests || !strings.Contains(string(r.Body), "Too many failed sign-ins") {
		t.Fatalf("locked account signed in: %d %s", r.Status, r.Body)
	}
	// Another account is unaffected.
	if r := login(t, srv.URL, testutil.Users(t)["red_lead"].Email, testutil.Password, ""); r.Status != http.StatusOK {
		t.Fatalf("other account: %d %s", r.Status, r.Body)
	}
	locked, _ := app.FindRecordsByFilter(collections.AuditLogs, "action = 'login_locked'", "", 0, 0)
	if len(locked) != 1 {
		t.Fatalf("lockout audit entries: %d", len(locked))
	}
}

func TestPolicyValidationAndEffects(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	admin := users["admin"].Token

	bad := []func(*security.Policy){
		func(p *security.Policy) { p.PasswordMinLength = 4 },
		func(p *security.Policy) { p.SessionHours = 0 },
		func(p *security.Policy) { p.MFARequiredRoles = []string{"wizard"} },
		func(p *security.Policy) { p.SSO.Enabled = true },
		func(p *security.Policy) { p.SSO.RoleMap = map[string]string{"g": "root"} },
	}
	for i, m := range bad {
		if r := putPolicy(t, srv.URL, admin, m, nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad policy %d accepted: %d %s", i, r.Status, r.Body)
		}
	}
	if r := putPolicy(t, srv.URL, users["blue_lead"].Token, func(*security.Policy) {}, nil); r.Status != http.StatusForbidden {
		t.Errorf("blue lead changed the policy: %d", r.Status)
	}

	r := putPolicy(t, srv.URL, admin, func(p *security.Policy) {
		p.PasswordMinLength = 16
		p.SessionHours = 12
		p.MFARequiredRoles = []string{collections.RoleBlueAnalyst}
	}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("set policy: %d %s", r.Status, r.Body)
	}
	col, _ := app.FindCollectionByNameOrId(collections.Users)
	if col.AuthToken.Duration != 12*3600 {
		t.Errorf("session lifetime not applied: %d", col.AuthToken.Duration)
	}
	short := map[string]any{"email": "new@aegis.test", "password": "fifteen-chars!!", "passwordConfirm": "fifteen-chars!!", "role": "viewer"}
	if r := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/records", admin, short); r.Status != http.StatusBadRequest {
		t.Errorf("a 15-character password passed a 16-character policy: %d %s", r.Status, r.Body)
	}

	// A blue analyst must enrol before using the API, but may enrol.
	analyst := users["blue_analyst"].Token
	r = testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records", analyst, nil)
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "enrolment_required") {
		t.Fatalf("unenrolled analyst used the API: %d %s", r.Status, r.Body)
	}
	if r := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/me/totp/setup", analyst, nil); r.Status != http.StatusOK {
		t.Fatalf("enrolment blocked: %d %s", r.Status, r.Body)
	}
	if r := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records", users["viewer"].Token, nil); r.Status != http.StatusOK {
		t.Fatalf("viewer (not required) blocked: %d %s", r.Status, r.Body)
	}
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
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	admin := testutil.Users(t)["admin"].Token
	claims := map[string]map[string]any{
		"dana":    {"sub": "u-dana", "email": "dana@corp.example", "email_verified": true, "name": "Dana", "groups": []any{"staff", "soc-leads"}},
		"mallory": {"sub": "u-mal", "email": "mallory@corp.example", "email_verified": true, "name": "Mallory", "groups": []any{"marketing"}},
	}
	idp := fakeIdP(t, claims)
	secret := "s3cret-client"
	r := putPolicy(t, srv.URL, admin, func(p *security.Policy) {
		p.SSO = security.SSO{Enabled: true, DisplayName: "Corp SSO", ClientID: "aegis", AuthURL: idp.URL + "/authorize",
			TokenURL: idp.URL + "/token", UserInfoURL: idp.URL + "/userinfo", RoleClaim: "groups",
			RoleMap: map[string]string{"soc-leads": collections.RoleBlueLead, "staff": collections.RoleViewer}}
	}, &secret)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), secret) {
		t.Fatalf("enable sso: %d %s", r.Status, r.Body)
	}
	methods := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/users/auth-methods", "", nil)
	if !strings.Contains(string(methods.Body), "Corp SSO") {
		t.Fatalf("provider not offered: %s", methods.Body)
	}

	signIn := func(code string, createData map[string]any) testutil.Response {
		return testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-oauth2", "", map[string]any{
			"provider": "oidc", "code": code, "codeVerifier": "verifier-verifier-verifier-verifier-12345",
			"redirectURL": srv.URL + "/oauth2-callback", "createData": createData,
		})
	}
	// A forged role in the sign-up data is ignored: the claims decide.
	r = signIn("dana", map[string]any{"role": "admin"})
	if r.Status != http.StatusOK {
		t.Fatalf("sso sign-in: %d %s", r.Status, r.Body)
	}
	dana, err := app.FindAuthRecordByEmail(collections.Users, "dana@corp.example")
	require.NoError(t, err)
	if dana.GetString("role") != collections.RoleBlueLead || !dana.GetBool("active") {
		t.Fatalf("dana: role %q active %v, want blue_lead and active", dana.GetString("role"), dana.GetBool("active"))
	}

	if r := signIn("mallory", nil); r.Status != http.StatusForbidden {
		t.Fatalf("unmapped account signed in: %d %s", r.Status, r.Body)
	}
	if _, err := app.FindAuthRecordByEmail(collections.Users, "mallory@corp.example"); err == nil {
		t.Fatal("unmapped account was created")
	}

	// The provider drops dana from soc-leads: her role follows at the next sign-in.
	claims["dana"]["groups"] = []any{"staff"}
	if r := signIn("dana", nil); r.Status != http.StatusOK {
		t.Fatalf("second sign-in: %d %s", r.Status, r.Body)
	}
	dana, _ = app.FindRecordById(collections.Users, dana.Id)
	if dana.GetString("role") != collections.RoleViewer {
		t.Fatalf("role after claim change: %s", dana.GetString("role"))
	}
	changes, _ := app.FindRecordsByFilter(collections.AuditLogs, "action = 'role_change' && record_id = {:id}", "", 0, 0, map[string]any{"id": dana.Id})
	if len(changes) == 0 {
		t.Fatal("sso role change not audited")
	}
	var _ core.App = app
}

func TestMapRole(t *testing.T) {
	sso := security.SSO{RoleClaim: "roles", RoleMap: map[string]string{"a": "viewer", "b": "red_lead", "c": "admin"}}
	cases := []struct {
		claim any
		def   string
		want  string
	}{
		{[]any{"a", "b"}, "", "red_lead"},
		{[]any{"c", "a"}, "", "admin"},
		{"b", "", "red_lead"},
		{[]any{"x"}, "", ""},
		{[]any{"x"}, "viewer", "viewer"},
		{nil, "", ""},
		{42, "", ""},
	}
	for i, c := range cases {
		s := sso
		s.DefaultRole = c.def
		if got := security.MapRole(map[string]any{"roles": c.claim}, s); got != c.want {
			t.Errorf("case %d: %q, want %q", i, got, c.want)
		}
	}
}
