package api_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The trend starts on the first day: before any snapshot the viewer sees
// the coverage now; an import that changes something takes the snapshot
// the trends page promises; one that changes nothing does not.
func TestTrendsFromTheFirstDay(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	trend := func() coverage.Trend {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/trends", users["viewer"].Token, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var tr coverage.Trend
		res.JSON(t, &tr)
		return tr
	}
	empty := trend()
	assert.Empty(t, empty.Points)
	assert.Nil(t, empty.Current, "nothing in scope yet: no current point")

	bundle, err := os.ReadFile("testdata/attack-mini.json")
	require.NoError(t, err)
	importOnce := func(name string) {
		res := upload(t, srv.URL+"/api/aegis/import/attack", users["admin"].Token, "file", name, bundle)
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var ans runAnswer
		res.JSON(t, &ans)
		run := waitRun(t, app, ans.JobRun.Id)
		require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), run.GetString("error"))
	}
	importOnce("attack-mini.json")
	after := trend()
	require.Len(t, after.Points, 1, "one snapshot after the first import")
	assert.Equal(t, collections.SnapshotImport, after.Points[0].Trigger)
	assert.Equal(t, "after attack import", after.Points[0].Label)
	require.NotNil(t, after.Current, "the coverage now is part of the trend")
	assert.Equal(t, after.Points[0].Totals.InScope, after.Current.Totals.InScope)
	assert.Empty(t, after.Current.ByTechnique, "the current point carries no vector")

	importOnce("attack-mini-again.json")
	assert.Len(t, trend().Points, 1, "an import that changes nothing takes no snapshot")
}

// The dashboard's "what to test next" reads the same ranking as the report.
func TestGapsRoute(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	viewer := testutil.Users(t)["viewer"].Token
	scenarios := []struct {
		name, query, token string
		status             int
	}{
		{"viewer, nothing imported", "", viewer, http.StatusOK},
		{"limit and platform", "?limit=3&platform=Windows", viewer, http.StatusOK},
		{"bad domain", "?domain=nope", viewer, http.StatusBadRequest},
		{"unknown actor", "?actor=G9999", viewer, http.StatusNotFound},
		{"anonymous", "", "", http.StatusUnauthorized},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/coverage/gaps"+sc.query, sc.token, nil)
			require.Equal(t, sc.status, res.Status, "%s", res.Body)
			if sc.status == http.StatusOK {
				var body struct {
					Items []coverage.Gap `json:"items"`
				}
				res.JSON(t, &body)
				assert.NotNil(t, body.Items, "an empty list, not null")
			}
		})
	}
}

// The trend is kept, but never past a change of what it shows: a snapshot
// taken without any change to the model is in the next answer, and one
// removed is gone from it.
func TestTrendsFollowTheSnapshots(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	points := func() int {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/trends", users["viewer"].Token, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var tr coverage.Trend
		res.JSON(t, &tr)
		return len(tr.Points)
	}
	require.Equal(t, 0, points())
	require.Equal(t, 0, points(), "kept")
	first, err := coverage.Take(app, collections.SnapshotManual, "first")
	require.NoError(t, err)
	assert.Equal(t, 1, points(), "a snapshot taken")
	_, err = coverage.Take(app, collections.SnapshotManual, "second")
	require.NoError(t, err)
	assert.Equal(t, 2, points(), "another")
	_, err = app.DB().NewQuery("DELETE FROM coverage_snapshots WHERE id = {:id}").Bind(map[string]any{"id": first.ID}).Execute()
	require.NoError(t, err)
	assert.Equal(t, 1, points(), "a snapshot removed (another process, as the retention job)")
}

// Bad query strings on the kept answers: a malformed date is a 400 in words,
// a limit out of range or not a number falls back to the default or the cap,
// and nothing else is read from the query; a guest is refused.
func TestTrendsAndCampaignNamesQueries(t *testing.T) {
	s := testutil.NewServer(t)
	viewer := testutil.Users(t)[collections.RoleViewer].Token
	s.Run(t,
		testutil.Scenario{Name: "a malformed since", Method: http.MethodGet, URL: "/api/aegis/trends?since=2026-13-45", Token: viewer,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedMessage: "since must be YYYY-MM-DD"},
		testutil.Scenario{Name: "a hostile since", Method: http.MethodGet, URL: "/api/aegis/trends?since=%27%3BDROP%20TABLE%20x", Token: viewer,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedMessage: "since must be YYYY-MM-DD"},
		testutil.Scenario{Name: "a negative limit", Method: http.MethodGet, URL: "/api/aegis/trends?limit=-3", Token: viewer,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"points":`}},
		testutil.Scenario{Name: "a huge limit", Method: http.MethodGet, URL: "/api/aegis/trends?limit=99999999999999999999", Token: viewer,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"points":`}},
		testutil.Scenario{Name: "trends as a guest", Method: http.MethodGet, URL: "/api/aegis/trends",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true},
		testutil.Scenario{Name: "campaign names ignore a query", Method: http.MethodGet, URL: "/api/aegis/campaigns/names?filter=%27&sort=x&perPage=-1", Token: viewer,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"items":[]`}},
		testutil.Scenario{Name: "campaign names as a guest", Method: http.MethodGet, URL: "/api/aegis/campaigns/names",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true},
	)
}
