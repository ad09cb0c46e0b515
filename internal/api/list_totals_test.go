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

// The Tests page's total is counted once per caller, filter and tests
// generation: a repeat request runs no count and gets the same totals; a
// test change counts again; blue roles keep their own (smaller) total.
func TestTestsListTotalIsKeptUntilATestChanges(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	// Before any test exists or changed (generation zero).
	for i := 0; i < 2; i++ {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records", users[collections.RoleViewer].Token, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"totalItems":0`)
	}
	col, err := app.FindCollectionByNameOrId(collections.Tests)
	require.NoError(t, err)
	add := func(name string, revealed bool) {
		r := core.NewRecord(col)
		r.Set("name", name)
		r.Set("state", collections.StateDraft)
		r.Set("revealed", revealed)
		require.NoError(t, app.SaveNoValidate(r))
	}
	for i := 0; i < 7; i++ {
		add("visible", true)
	}
	for i := 0; i < 3; i++ {
		add("blind", false)
	}
	// Tests of a blind campaign: hidden from blue until revealed.
	_, err = app.DB().NewQuery("UPDATE tests SET revealed = 0 WHERE name = 'blind'").Execute()
	require.NoError(t, err)

	log := testutil.CaptureQueries(t, app)
	nCounts := func() int {
		return log.Count(func(q string) bool { return strings.HasPrefix(q, "SELECT COUNT(") && strings.Contains(q, "`tests`") })
	}

	type page struct {
		Items      []map[string]any `json:"items"`
		TotalItems int              `json:"totalItems"`
		TotalPages int              `json:"totalPages"`
		PerPage    int              `json:"perPage"`
	}
	get := func(role collections.Role, query string) page {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records?"+query, users[role].Token, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var p page
		res.JSON(t, &p)
		return p
	}
	q := "page=1&perPage=4&sort=-updated&expand=technique"

	steps := []struct {
		name               string
		role               collections.Role
		query              string
		before             func()
		wantTotal, wantPgs int
		wantCount          bool // PocketBase counted
	}{
		{"first request counts", collections.RoleAdmin, q, nil, 10, 3, true},
		{"repeat request reuses the total", collections.RoleAdmin, q, nil, 10, 3, false},
		{"another page too", collections.RoleAdmin, "page=2&perPage=4&sort=-updated", nil, 10, 3, false},
		{"blue roles have their own total", collections.RoleBlueAnalyst, q, nil, 7, 2, true},
		{"blue repeat", collections.RoleBlueAnalyst, q, nil, 7, 2, false},
		{"a filter has its own total", collections.RoleAdmin, q + "&filter=" + "name%3D%27blind%27", nil, 3, 1, true},
		{"a new test counts again", collections.RoleAdmin, q, func() { add("visible", true) }, 11, 3, true},
		{"skipTotal is left alone", collections.RoleAdmin, q + "&skipTotal=1", nil, -1, -1, false},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		before := nCounts()
		p := get(st.role, st.query)
		assert.Equal(t, st.wantTotal, p.TotalItems, st.name)
		assert.Equal(t, st.wantPgs, p.TotalPages, st.name)
		assert.NotEmpty(t, p.Items, st.name)
		assert.Equal(t, st.wantCount, nCounts() > before, "%s: count ran", st.name)
	}
}
