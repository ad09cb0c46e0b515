package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tests"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// freshApp is a test app in the first-run state: no user at all.
func freshApp(t *testing.T) *tests.TestApp {
	t.Helper()
	ta := testutil.NewApp(t)
	if _, err := ta.DB().NewQuery("DELETE FROM users").Execute(); err != nil {
		t.Fatal(err)
	}
	return ta
}

type apiError struct {
	Status  int
	Message string
	Data    map[string]any
}

// mustError checks that r is a PocketBase-shaped JSON error with status.
func mustError(t *testing.T, r testutil.Response, status int, contains string) apiError {
	t.Helper()
	var e apiError
	r.JSON(t, &e)
	if r.Status != status || e.Status != status || e.Message == "" || e.Data == nil {
		t.Fatalf("want JSON error %d, got %d %s", status, r.Status, r.Body)
	}
	if contains != "" && !strings.Contains(strings.ToLower(e.Message), strings.ToLower(contains)) {
		t.Fatalf("message %q does not mention %q", e.Message, contains)
	}
	return e
}

func setupBody(email, password string) map[string]any {
	return map[string]any{"email": email, "password": password, "passwordConfirm": password, "name": "First Admin"}
}

func TestSetupCreatesTheFirstAdminOnce(t *testing.T) {
	ta := freshApp(t)
	srv := testutil.Serve(t, ta)
	url := srv.URL + "/api/aegis/setup"

	if r := testutil.Do(t, http.MethodGet, url, "", nil); r.Status != 200 || strings.TrimSpace(string(r.Body)) != `{"minPasswordLength":10,"needed":true}` {
		t.Fatalf("status before: %d %s", r.Status, r.Body)
	}
	r := testutil.Do(t, http.MethodPost, url, "", setupBody("first@aegis.test", "a-long-passphrase"))
	if r.Status != http.StatusOK {
		t.Fatalf("setup: %d %s", r.Status, r.Body)
	}
	var auth struct {
		Token  string
		Record map[string]any
	}
	r.JSON(t, &auth)
	if auth.Token == "" || auth.Record["role"] != "admin" || auth.Record["active"] != true {
		t.Fatalf("auth response: %s", r.Body)
	}
	if rr := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-refresh", auth.Token, nil); rr.Status != 200 {
		t.Fatalf("setup token does not work: %d", rr.Status)
	}
	if r := testutil.Do(t, http.MethodGet, url, "", nil); strings.TrimSpace(string(r.Body)) != `{"minPasswordLength":10,"needed":false}` {
		t.Fatalf("status after: %s", r.Body)
	}
	again := testutil.Do(t, http.MethodPost, url, "", setupBody("second@aegis.test", "a-long-passphrase"))
	mustError(t, again, http.StatusForbidden, "already complete")
	if n, _ := ta.CountRecords(collections.Users); n != 1 {
		t.Fatalf("want 1 user, got %d", n)
	}
	for _, action := range []string{"setup", "create"} {
		e, err := ta.FindFirstRecordByData(collections.AuditLogs, "action", action)
		if err != nil || e.GetString("ip") != "127.0.0.1" || e.GetString("actor_kind") != "user" {
			t.Errorf("%s audit entry: %v", action, err)
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
		case http.StatusForbidden:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	if users, _ := ta.CountRecords(collections.Users); created != 1 || users != 1 {
		t.Fatalf("concurrent setups: %d succeeded, %d users (statuses %v)", created, users, statuses)
	}
}

func TestSetupRejectsBadInput(t *testing.T) {
	ta := freshApp(t)
	srv := testutil.Serve(t, ta)
	url := srv.URL + "/api/aegis/setup"
	cases := []struct {
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
	}
	for _, c := range cases {
		e := mustError(t, testutil.Do(t, http.MethodPost, url, "", c.body), http.StatusBadRequest, "")
		if c.field != "" {
			if _, ok := e.Data[c.field]; !ok {
				t.Errorf("%s: data should name %s: %+v", c.name, c.field, e)
			}
		}
	}
	if n, _ := ta.CountRecords(collections.Users); n != 0 {
		t.Fatalf("bad input stored %d users", n)
	}
	if n, _ := ta.CountRecords(collections.AuditLogs); n != 0 {
		t.Fatalf("bad input stored %d audit entries", n)
	}
}
