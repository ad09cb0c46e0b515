package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A repeated GET with the same token does not read the auth record again;
// a change of the user through the app (here a role change, which revokes
// the token) applies to the very next request, and so does a deactivation.
func TestAuthRecordKeptForReadsUntilAUserChanges(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	u := testutil.Users(t)[collections.RoleBlueLead]

	log := testutil.CaptureQueries(t, app)
	n := func() int {
		return log.Count(func(q string) bool {
			return strings.Contains(q, "FROM `users`") && strings.Contains(q, u.Id) && !strings.Contains(q, "JOIN")
		})
	}
	matrix := srv.URL + "/api/aegis/coverage/matrix"
	settings := srv.URL + "/api/aegis/security"

	steps := []struct {
		name       string
		url        string
		change     func()
		wantStatus int
		wantLookup bool
	}{
		{"first read looks the user up", matrix, nil, http.StatusOK, true},
		{"repeat read uses the kept record", matrix, nil, http.StatusOK, false},
		{"blue lead may not read the security policy", settings, nil, http.StatusForbidden, false},
		// A role change signs the user out (new token key): the kept record
		// must not outlive it.
		{"role changed: the old token is refused at once", matrix, func() { setField(t, app, u.Id, "role", collections.RoleAdmin) }, http.StatusUnauthorized, true},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		before := n()
		res := testutil.Do(t, http.MethodGet, st.url, u.Token, nil)
		assert.Equal(t, st.wantStatus, res.Status, "%s: %s", st.name, res.Body)
		assert.Equal(t, st.wantLookup, n() > before, "%s: auth record read", st.name)
	}

	v := testutil.Users(t)[collections.RoleViewer]
	require.Equal(t, http.StatusOK, testutil.Do(t, http.MethodGet, matrix, v.Token, nil).Status)
	require.Equal(t, http.StatusOK, testutil.Do(t, http.MethodGet, matrix, v.Token, nil).Status)
	setField(t, app, v.Id, "active", false)
	res := testutil.Do(t, http.MethodGet, matrix, v.Token, nil)
	assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, res.Status, "deactivated: %s", res.Body)
}

func setField(t *testing.T, app core.App, id, field string, v any) {
	t.Helper()
	rec, err := app.FindRecordById(collections.Users, id)
	require.NoError(t, err)
	rec.Set(field, v)
	require.NoError(t, app.SaveNoValidate(rec))
}
