package hooks_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.Equal(t, http.StatusOK, first.Status, "default active: %d %s", first.Status, first.Body)
	require.Contains(t, string(first.Body), `"active":true`, "default active: %d %s", first.Status, first.Body)
	r := testutil.Do(t, http.MethodPost, url, admin.Token, body("off@aegis.test", map[string]any{"active": false}))
	require.Equal(t, http.StatusOK, r.Status, "explicit inactive: %d %s", r.Status, r.Body)
	require.Contains(t, string(r.Body), `"active":false`, "explicit inactive: %d %s", r.Status, r.Body)
	// The creation is audited with the admin as actor, the password only
	// marked as set.
	var created struct{ Id string }
	first.JSON(t, &created)
	e, err := ta.FindFirstRecordByFilter(collections.AuditLogs, "collection = 'users' && action = 'create' && record_id = {:id}",
		dbx.Params{"id": created.Id})
	require.NoError(t, err, "user creation not audited")
	require.Equal(t, admin.Id, e.GetString("actor"), "user creation not audited: %v", err)
	d := e.GetString("details")
	assert.Contains(t, d, `"password":{"changed":true}`, "password in the audit details: %s", d)
	assert.NotContains(t, d, "$2a$", "password in the audit details: %s", d)
	// A new user can sign in right away.
	r = testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "new@aegis.test", "password": "a-long-password"})
	require.Equal(t, http.StatusOK, r.Status, "new user login: %d %s", r.Status, r.Body)
	r = testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "off@aegis.test", "password": "a-long-password"})
	require.NotEqual(t, http.StatusOK, r.Status, "inactive user signed in")
}

func TestUnknownRoleIsAClearError(t *testing.T) {
	s := testutil.NewServer(t)
	admin := testutil.Users(t)["admin"]
	viewer := testutil.Users(t)["viewer"]
	var table []testutil.Scenario
	for _, role := range []string{"superadmin", ""} {
		table = append(table, testutil.Scenario{
			Name: "creating a user with role " + strconv.Quote(role) + " names the known roles", Method: http.MethodPost,
			URL: "/api/collections/users/records", Token: admin.Token,
			Body:           map[string]any{"email": "x@aegis.test", "password": "a-long-password", "passwordConfirm": "a-long-password", "role": role},
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
			ExpectedContent: []string{`"role":{"code":"validation_invalid_role"`, "red_lead"},
		})
	}
	table = append(table, testutil.Scenario{
		Name: "an update to an unknown role is refused", Method: http.MethodPatch,
		URL: "/api/collections/users/records/" + viewer.Id, Token: admin.Token, Body: map[string]any{"role": "root"},
		ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedContent: []string{"Unknown role"},
	})
	s.Run(t, table...)
	n, err := s.App.CountRecords(collections.Users, dbx.HashExp{"email": "x@aegis.test"})
	require.NoError(t, err)
	require.Zero(t, n, "a user with an invalid role was stored")
}

func TestLastActiveAdminIsProtected(t *testing.T) {
	s := testutil.NewServer(t)
	ta := s.App
	users := testutil.Users(t)
	admin := users["admin"]
	su := testutil.Superuser(t).Token
	url := "/api/collections/users/records/" + admin.Id

	s.Run(t,
		testutil.Scenario{
			Name: "the last admin cannot be demoted", Method: http.MethodPatch, URL: url, Token: su, Body: map[string]any{"role": "viewer"},
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedContent: []string{"last active admin"},
		},
		testutil.Scenario{
			Name: "the last admin cannot be deactivated", Method: http.MethodPatch, URL: url, Token: su, Body: map[string]any{"active": false},
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedContent: []string{"last active admin"},
		},
		testutil.Scenario{
			Name: "the last admin cannot be deleted", Method: http.MethodDelete, URL: url, Token: su,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedContent: []string{"last active admin"},
		},
	)
	u, err := ta.FindRecordById(collections.Users, admin.Id)
	require.NoError(t, err)
	require.Equal(t, "admin", u.GetString("role"), "the last admin was changed")
	require.True(t, u.GetBool("active"), "the last admin was changed")

	// With a second admin, one may go; concurrent demotions leave one.
	second := users["red_lead"]
	r := testutil.Do(t, http.MethodPatch, s.URL+"/api/collections/users/records/"+second.Id, admin.Token,
		map[string]any{"role": "admin"})
	require.Equal(t, http.StatusOK, r.Status, "promote: %d %s", r.Status, r.Body)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, id := range []string{admin.Id, second.Id} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = testutil.Do(t, http.MethodPatch, s.URL+"/api/collections/users/records/"+id, su,
				map[string]any{"role": "viewer"}).Status
		}()
	}
	wg.Wait()
	n, _ := ta.CountRecords(collections.Users, dbx.HashExp{"role": "admin", "active": true})
	require.Equal(t, int64(1), n, "concurrent demotions left %d active admins (statuses %v)", n, statuses)
}

func TestRoleChangeAndDeactivationSignTheUserOut(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	admin := users["admin"]
	s := &testutil.Server{App: ta, URL: srv.URL}
	const me = "/api/collections/users/auth-refresh"

	for _, c := range []struct {
		name string
		role collections.Role
		body map[string]any
	}{
		{"a role change signs the user out", collections.RoleViewer, map[string]any{"role": "red_operator"}},
		{"deactivation signs the user out", collections.RoleBlueAnalyst, map[string]any{"active": false}},
	} {
		u := users[c.role]
		t.Run(c.name, func(t *testing.T) {
			s.Run(t,
				testutil.Scenario{
					Name: "the token works before", Method: http.MethodPost, URL: me, Token: u.Token,
					ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"token":`},
				},
				testutil.Scenario{
					Name: "an admin updates the user", Method: http.MethodPatch, URL: "/api/collections/users/records/" + u.Id,
					Token: admin.Token, Body: c.body,
					ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"id":"` + u.Id + `"`},
				},
				testutil.Scenario{
					Name: "the old token is refused", Method: http.MethodPost, URL: me, Token: u.Token,
					ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
				},
			)
		})
	}
	rc, err := ta.FindRecordsByFilter(collections.AuditLogs, "action = 'role_change' && record_id = {:id}", "", 0, 0,
		dbx.Params{"id": users["viewer"].Id})
	require.NoError(t, err, "role change not audited: %d", len(rc))
	require.Len(t, rc, 1, "role change not audited: %v %d", err, len(rc))
	require.Equal(t, admin.Id, rc[0].GetString("actor"), "role change not audited: %v %d", err, len(rc))
}

func TestUsersCannotChangeTheirOwnRole(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	for role, u := range testutil.Users(t) {
		t.Run(string(role), func(t *testing.T) {
			r := testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+u.Id, u.Token, map[string]any{"role": "admin"})
			assert.GreaterOrEqual(t, r.Status, 400, "%s may not change their own role: %d", role, r.Status)
			r = testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+u.Id, u.Token, map[string]any{"name": "Renamed"})
			assert.Equal(t, http.StatusOK, r.Status, "%s may edit their own name: %s", role, r.Body)
		})
	}
}

func TestSignOutEverywhere(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	const refresh = "/api/collections/users/auth-refresh"
	signOut := func(id string) string { return "/api/aegis/users/" + id + "/sign-out" }
	s.Run(t,
		testutil.Scenario{
			Name: "a viewer cannot sign out someone else", Method: http.MethodPost, URL: signOut(users["blue_lead"].Id), Token: users["viewer"].Token,
			ExpectedStatus: http.StatusForbidden, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "a guest cannot sign anyone out", Method: http.MethodPost, URL: signOut(users["blue_lead"].Id),
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "an unknown user is 404", Method: http.MethodPost, URL: signOut("doesnotexist123"), Token: users["admin"].Token,
			ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "a user signs themselves out", Method: http.MethodPost, URL: signOut(users["viewer"].Id), Token: users["viewer"].Token,
			ExpectedStatus: http.StatusOK, ExpectedBody: `{"signedOut":"` + users["viewer"].Id + `"}`,
		},
		testutil.Scenario{
			Name: "their token no longer works", Method: http.MethodPost, URL: refresh, Token: users["viewer"].Token,
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "an admin signs a user out", Method: http.MethodPost, URL: signOut(users["red_operator"].Id), Token: users["admin"].Token,
			ExpectedStatus: http.StatusOK, ExpectedBody: `{"signedOut":"` + users["red_operator"].Id + `"}`,
		},
		testutil.Scenario{
			Name: "that user's token no longer works", Method: http.MethodPost, URL: refresh, Token: users["red_operator"].Token,
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
	)
	n, err := s.App.CountRecords(collections.AuditLogs, dbx.HashExp{"action": "logout_all"})
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "logout_all entries")
}
