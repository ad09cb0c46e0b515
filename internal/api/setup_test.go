package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// freshApp is a test app in the first-run state: no user at all.
func freshApp(t *testing.T) *tests.TestApp {
	t.Helper()
	ta := testutil.NewApp(t)
	_, err := ta.DB().NewQuery("DELETE FROM users").Execute()
	require.NoError(t, err)
	return ta
}

// mustError checks that r is a PocketBase-shaped JSON error with status whose
// message mentions contains (case-insensitive) when it is not empty.
func mustError(t testing.TB, r testutil.Response, status int, contains string) testutil.APIError {
	t.Helper()
	e := testutil.RequireError(t, r, status)
	if contains != "" {
		require.Contains(t, strings.ToLower(e.Message), strings.ToLower(contains), "error message")
	}
	return e
}

func setupBody(email, password string) map[string]any {
	return map[string]any{"email": email, "password": password, "passwordConfirm": password, "name": "First Admin"}
}

func TestSetupCreatesTheFirstAdminOnce(t *testing.T) {
	s := testutil.ServerFor(t, freshApp(t))
	const url = "/api/aegis/setup"
	var auth struct {
		Token  string
		Record map[string]any
	}
	s.Run(t,
		testutil.Scenario{
			Name: "setup is needed on a fresh install", Method: http.MethodGet, URL: url,
			ExpectedStatus: http.StatusOK, ExpectedBody: `{"minPasswordLength":10,"needed":true}`,
		},
		testutil.Scenario{
			Name: "the first admin is created and signed in", Method: http.MethodPost, URL: url, Body: setupBody("first@aegis.test", "a-long-passphrase"),
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"token":`, `"role":"admin"`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				r.JSON(t, &auth)
				require.NotEmpty(t, auth.Token, "auth response: %s", r.Body)
				require.Equal(t, "admin", auth.Record["role"], "auth response: %s", r.Body)
				require.Equal(t, true, auth.Record["active"], "auth response: %s", r.Body)
			},
		},
	)
	s.Run(t,
		testutil.Scenario{
			Name: "the setup token works", Method: http.MethodPost, URL: "/api/collections/users/auth-refresh", Token: auth.Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"email":"first@aegis.test"`},
		},
		testutil.Scenario{
			Name: "setup is no longer needed", Method: http.MethodGet, URL: url,
			ExpectedStatus: http.StatusOK, ExpectedBody: `{"minPasswordLength":10,"needed":false}`,
		},
		testutil.Scenario{
			Name: "a second setup is refused", Method: http.MethodPost, URL: url, Body: setupBody("second@aegis.test", "a-long-passphrase"),
			ExpectedStatus: http.StatusForbidden, ExpectedError: true, ExpectedMessage: "already complete",
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ testutil.Response) {
				testutil.RequireCount(t, app, collections.Users, 1)
			},
		},
	)
	for _, action := range []string{"setup", "create"} {
		e, err := s.App.FindFirstRecordByData(collections.AuditLogs, "action", action)
		if assert.NoError(t, err, "%s audit entry", action) {
			assert.Equal(t, "127.0.0.1", e.GetString("ip"), "%s audit entry ip", action)
			assert.Equal(t, "user", e.GetString("actor_kind"), "%s audit entry actor", action)
		}
	}
}

func TestSetupIsRaceSafe(t *testing.T) {
	ta := freshApp(t)
	srv := testutil.Serve(t, ta)
	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/setup", "",
				setupBody("admin"+string(rune('a'+i))+"@aegis.test", "a-long-passphrase")).Status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			created++
		default:
			assert.Equal(t, http.StatusForbidden, s, "a concurrent setup that did not win is refused")
		}
	}
	require.Equal(t, 1, created, "concurrent setups that succeeded (statuses %v)", statuses)
	testutil.RequireCount(t, ta, collections.Users, 1)
}

func TestSetupRejectsBadInput(t *testing.T) {
	s := testutil.ServerFor(t, freshApp(t))
	var scenarios []testutil.Scenario
	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"short password", setupBody("a@aegis.test", "short"), "password"},
		{"bad email", setupBody("not-an-email", "a-long-passphrase"), "email"},
		{"mismatch", map[string]any{"email": "a@aegis.test", "password": "a-long-passphrase", "passwordConfirm": "other-passphrase"}, "passwordConfirm"},
		{"malformed JSON", `{"email": "a@aegis.test", "password": `, ""},
		{"wrong JSON type", `["a@aegis.test"]`, ""},
		{"empty body", `{}`, "email"},
	} {
		sc := testutil.Scenario{
			Name: c.name + " is a 400", Method: http.MethodPost, URL: "/api/aegis/setup", Body: c.body,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		}
		if c.field != "" {
			field := c.field
			sc.Name = c.name + " is a 400 naming " + field
			sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				e := testutil.RequireError(t, r, http.StatusBadRequest)
				assert.Contains(t, e.Data, field, "data should name %s: %+v", field, e)
			}
		}
		scenarios = append(scenarios, sc)
	}
	s.Run(t, scenarios...)
	testutil.RequireCount(t, s.App, collections.Users, 0)
	testutil.RequireCount(t, s.App, collections.AuditLogs, 0)
}
