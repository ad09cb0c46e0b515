package hooks_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
)

func TestAPICreatedUsersAreActiveUnlessSaidOtherwise(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	admin := testutil.Users(t)["admin"]
	url := srv.URL + "/api/collections/users/records"
	body := func(email string, extra map[string]any) map[string]any {
		b := map[string]any{"email": email, "password": "a-long-password", "passwordConfirm": "a-long-password", "role": "viewer"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	first := testutil.Do(t, http.MethodPost, url, admin.Token, body("new@aegis.test", nil))
	if first.Status != http.StatusOK || !strings.Contains(string(first.Body), `"active":true`) {
		t.Fatalf("default active: %d %s", first.Status, first.Body)
	}
	r := testutil.Do(t, http.MethodPost, url, admin.Token, body("off@aegis.test", map[string]any{"active": false}))
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"active":false`) {
		t.Fatalf("explicit inactive: %d %s", r.Status, r.Body)
	}
	// The creation is audited with the admin as actor, the password only
	// marked as set.
	var created struct{ Id string }
	first.JSON(t, &created)
	e, err := ta.FindFirstRecordByFilter(collections.AuditLogs, "collection = 'users' && action = 'create' && record_id = {:id}",
		dbx.Params{"id": created.Id})
	if err != nil || e.GetString("actor") != admin.Id {
		t.Fatalf("user creation not audited: %v", err)
	}
	if d := e.GetString("details"); !strings.Contains(d, `"password":{"changed":true}`) || strings.Contains(d, "$2a$") {
		t.Errorf("password in the audit details: %s", d)
	}
	// A new user can sign in right away.
	r = testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "new@aegis.test", "password": "a-long-password"})
	if r.Status != http.StatusOK {
		t.Fatalf("new user login: %d %s", r.Status, r.Body)
	}
	r = testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "off@aegis.test", "password": "a-long-password"})
	if r.Status == http.StatusOK {
		t.Fatal("inactive user signed in")
	}
}

func TestUnknownRoleIsAClearError(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	admin := testutil.Users(t)["admin"]
	for _, role := range []string{"superadmin", ""} {
		r := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/records", admin.Token, map[string]any{
			"email": "x@aegis.test", "password": "a-long-password", "passwordConfirm": "a-long-password", "role": role})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"role":{"code":"validation_invalid_role"`) ||
			!strings.Contains(string(r.Body), "red_lead") {
			t.Errorf("role %q: %d %s", role, r.Status, r.Body)
		}
	}
	viewer := testutil.Users(t)["viewer"]
	r := testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+viewer.Id, admin.Token, map[string]any{"role": "root"})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "Unknown role") {
		t.Errorf("update to unknown role: %d %s", r.Status, r.Body)
	}
	if n, _ := ta.CountRecords(collections.Users, dbx.HashExp{"email": "x@aegis.test"}); n != 0 {
		t.Fatal("a user with an invalid role was stored")
	}
}

func TestLastActiveAdminIsProtected(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	admin := users["admin"]
	su := testutil.Superuser(t).Token
	url := srv.URL + "/api/collections/users/records/" + admin.Id

	for name, body := range map[string]map[string]any{
		"demote":     {"role": "viewer"},
		"deactivate": {"active": false},
	} {
		r := testutil.Do(t, http.MethodPatch, url, su, body)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "last active admin") {
			t.Errorf("%s the last admin: %d %s", name, r.Status, r.Body)
		}
	}
	if r := testutil.Do(t, http.MethodDelete, url, su, nil); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "last active admin") {
		t.Errorf("delete the last admin: %d %s", r.Status, r.Body)
	}
	u, _ := ta.FindRecordById(collections.Users, admin.Id)
	if u.GetString("role") != "admin" || !u.GetBool("active") {
		t.Fatal("the last admin was changed")
	}

	// With a second admin, one may go; concurrent demotions leave one.
	second := users["red_lead"]
	if r := testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+second.Id, admin.Token,
		map[string]any{"role": "admin"}); r.Status != http.StatusOK {
		t.Fatalf("promote: %d %s", r.Status, r.Body)
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, id := range []string{admin.Id, second.Id} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+id, su,
				map[string]any{"role": "viewer"}).Status
		}()
	}
	wg.Wait()
	n, _ := ta.CountRecords(collections.Users, dbx.HashExp{"role": "admin", "active": true})
	if n != 1 {
		t.Fatalf("concurrent demotions left %d active admins (statuses %v)", n, statuses)
	}
}

func TestRoleChangeAndDeactivationSignTheUserOut(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	admin := users["admin"]
	me := srv.URL + "/api/collections/users/auth-refresh"

	for _, c := range []struct {
		role string
		body map[string]any
	}{{"viewer", map[string]any{"role": "red_operator"}}, {"blue_analyst", map[string]any{"active": false}}} {
		u := users[c.role]
		if r := testutil.Do(t, http.MethodPost, me, u.Token, nil); r.Status != http.StatusOK {
			t.Fatalf("%s token should work before: %d", c.role, r.Status)
		}
		if r := testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+u.Id, admin.Token, c.body); r.Status != http.StatusOK {
			t.Fatalf("update %s: %d %s", c.role, r.Status, r.Body)
		}
		if r := testutil.Do(t, http.MethodPost, me, u.Token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s: old token still works after %v: %d", c.role, c.body, r.Status)
		}
	}
	rc, err := ta.FindRecordsByFilter(collections.AuditLogs, "action = 'role_change' && record_id = {:id}", "", 0, 0,
		dbx.Params{"id": users["viewer"].Id})
	if err != nil || len(rc) != 1 || rc[0].GetString("actor") != admin.Id {
		t.Fatalf("role change not audited: %v %d", err, len(rc))
	}
}

func TestUsersCannotChangeTheirOwnRole(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	for role, u := range testutil.Users(t) {
		r := testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+u.Id, u.Token, map[string]any{"role": "admin"})
		if r.Status < 400 {
			t.Errorf("%s changed their own role: %d", role, r.Status)
		}
		r = testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+u.Id, u.Token, map[string]any{"name": "Renamed"})
		if r.Status != http.StatusOK {
			t.Errorf("%s could not edit their own name: %d %s", role, r.Status, r.Body)
		}
	}
}

func TestSignOutEverywhere(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	refresh := srv.URL + "/api/collections/users/auth-refresh"
	signOut := func(id, token string) int {
		return testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/users/"+id+"/sign-out", token, nil).Status
	}
	if s := signOut(users["blue_lead"].Id, users["viewer"].Token); s != http.StatusForbidden {
		t.Errorf("viewer signing out someone else: %d", s)
	}
	if s := signOut(users["blue_lead"].Id, ""); s != http.StatusUnauthorized {
		t.Errorf("anonymous sign-out: %d", s)
	}
	if s := signOut("doesnotexist123", users["admin"].Token); s != http.StatusNotFound {
		t.Errorf("unknown user: %d", s)
	}
	if s := signOut(users["viewer"].Id, users["viewer"].Token); s != http.StatusOK {
		t.Errorf("self sign-out: %d", s)
	}
	if s := testutil.Do(t, http.MethodPost, refresh, users["viewer"].Token, nil).Status; s != http.StatusUnauthorized {
		t.Errorf("token still valid after self sign-out: %d", s)
	}
	if s := signOut(users["red_operator"].Id, users["admin"].Token); s != http.StatusOK {
		t.Errorf("admin sign-out: %d", s)
	}
	if s := testutil.Do(t, http.MethodPost, refresh, users["red_operator"].Token, nil).Status; s != http.StatusUnauthorized {
		t.Errorf("token still valid after admin sign-out: %d", s)
	}
	n, _ := ta.CountRecords(collections.AuditLogs, dbx.HashExp{"action": "logout_all"})
	if n != 2 {
		t.Errorf("want 2 logout_all entries, got %d", n)
	}
}
