package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// The kept total equals PocketBase's count of the records API under the
// tests' list rule, for every role and superusers, in every state and all
// together, with blind tests present, and stays equal after writes through
// records (save, delete) and through bulk SQL (inserts, state changes,
// reveals and deletes as the importers and the demo write them).
func TestTestTotalEqualsTheRecordsCount(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	col, err := app.FindCollectionByNameOrId(collections.Tests)
	require.NoError(t, err)
	var saved []*core.Record
	for i := 0; i < 40; i++ {
		r := core.NewRecord(col)
		r.Set("name", fmt.Sprintf("test %d", i))
		r.Set("state", collections.TestStates[i%len(collections.TestStates)])
		r.Set("revealed", i%3 != 0)
		require.NoError(t, app.SaveNoValidate(r))
		saved = append(saved, r)
	}
	tokens := map[string]string{"superuser": testutil.Superuser(t).Token}
	for _, role := range collections.Roles {
		tokens[string(role)] = users[role].Token
	}
	compare := func(step string) {
		for who, token := range tokens {
			for _, state := range append([]string{""}, collections.TestStates...) {
				v := url.Values{"perPage": {"1"}}
				if state != "" {
					v.Set("filter", "state = '"+state+"'")
				}
				// A filter no earlier step sent, so the records API counts afresh.
				v.Set("filter", v.Get("filter")+map[bool]string{true: "", false: " && "}[state == ""]+"name != 'no test is named "+step+"'")
				res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records?"+v.Encode(), token, nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				var page struct {
					TotalItems int `json:"totalItems"`
				}
				res.JSON(t, &page)
				res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/tests/total?state="+state, token, nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				var total struct {
					Total int  `json:"total"`
					Exact bool `json:"exact"`
				}
				res.JSON(t, &total)
				require.True(t, total.Exact)
				require.Equal(t, page.TotalItems, total.Total, "%s: %s in state %q", step, who, state)
			}
		}
	}
	compare("saved")

	// Writes through records: a state change, a reveal, a delete.
	saved[0].Set("state", collections.StateValidated)
	saved[0].Set("revealed", true)
	require.NoError(t, app.SaveNoValidate(saved[0]))
	saved[1].Set("revealed", false)
	require.NoError(t, app.SaveNoValidate(saved[1]))
	require.NoError(t, app.Delete(saved[2]))
	compare("records")

	// Bulk SQL, as importers and the demo write.
	for _, q := range []string{
		"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 25) INSERT INTO tests (id, name, state, revealed, revision) SELECT 'bulk' || printf('%011d', n), 'bulk', 'ready', n % 2, 1 FROM k",
		"UPDATE tests SET state = 'executing' WHERE name = 'bulk' AND revealed = 1",
		"UPDATE tests SET revealed = 1 WHERE state = 'draft'",
		"UPDATE tests SET name = name || ' renamed' WHERE state = 'closed'", // no count change
		"DELETE FROM tests WHERE state = 'cancelled'",
	} {
		_, err := app.DB().NewQuery(q).Execute()
		require.NoError(t, err, q)
	}
	compare("bulk")
}

func TestTestTotalRoute(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	s.Run(t,
		testutil.Scenario{Name: "anonymous", Method: http.MethodGet, URL: "/api/aegis/tests/total",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true},
		testutil.Scenario{Name: "unknown state", Method: http.MethodGet, URL: "/api/aegis/tests/total?state=nope%27--", Token: users[collections.RoleViewer].Token,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedMessage: "unknown state"},
		testutil.Scenario{Name: "viewer, no tests", Method: http.MethodGet, URL: "/api/aegis/tests/total", Token: users[collections.RoleViewer].Token,
			ExpectedStatus: http.StatusOK, ExpectedBody: `{"exact":true,"total":0}`},
		testutil.Scenario{Name: "blue analyst, one state", Method: http.MethodGet, URL: "/api/aegis/tests/total?state=validated", Token: users[collections.RoleBlueAnalyst].Token,
			ExpectedStatus: http.StatusOK, ExpectedBody: `{"exact":true,"total":0}`},
	)
}
