package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Technique page's answer: the test that counts for each procedure in
// the breakdown, the older ones counted as superseded and listed a page at
// a time; a blue analyst never sees (nor counts) the unrevealed test of a
// blind campaign, which an admin does; a recorded outcome shows in the very
// next (kept) answer; the rules past the first BreakdownLines fold into one
// line, the shares still adding up to the score.
func TestTechniqueAnswer(t *testing.T) {
	app := testutil.NewApp(t)
	users := testutil.Users(t)
	admin, blue := users[collections.RoleAdmin].Token, users[collections.RoleBlueAnalyst].Token

	save := func(col string, fields map[string]any) *core.Record {
		t.Helper()
		c, err := app.FindCollectionByNameOrId(col)
		require.NoError(t, err)
		r := core.NewRecord(c)
		for k, v := range fields {
			r.Set(k, v)
		}
		require.NoError(t, app.SaveNoValidate(r))
		return r
	}
	tech := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--1", "attack_id": "T1003", "name": "OS Credential Dumping",
		"domain": "enterprise-attack", "in_scope": true, "priority": "high"})
	blind := save(collections.Campaigns, map[string]any{"name": "Blind exercise", "blind": true, "status": "active"})
	validated := func(name, campaign string, daysAgo int, revealed bool) *core.Record {
		r := save(collections.Tests, map[string]any{"name": name, "technique": tech.Id, "campaign": campaign, "procedure": "lsass-dump",
			"state": collections.StateValidated, "prevention": "not_blocked", "detection": "technique"})
		_, err := app.DB().NewQuery("UPDATE tests SET revealed = {:rev}, validated_at = {:at} WHERE id = {:id}").Bind(dbx.Params{
			"rev": revealed, "at": time.Now().UTC().AddDate(0, 0, -daysAgo).Format("2006-01-02 15:04:05.000Z"), "id": r.Id}).Execute()
		require.NoError(t, err)
		return r
	}
	oldest := validated("Dump LSASS, first run", "", 30, true)
	older := validated("Dump LSASS, second run", "", 10, true)
	hidden := validated("Dump LSASS, blind run", blind.Id, 1, false)
	open := save(collections.Tests, map[string]any{"name": "DCSync from a workstation", "technique": tech.Id, "procedure": "dcsync",
		"state": collections.StateBlueReview, "revealed": true})
	_, err := app.DB().NewQuery("UPDATE tests SET revealed = 1 WHERE id = {:id}").Bind(dbx.Params{"id": open.Id}).Execute()
	require.NoError(t, err)
	for i := 0; i < coverage.BreakdownLines+5; i++ {
		save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": fmt.Sprintf("r-%d", i),
			"title": fmt.Sprintf("LSASS access %d", i), "enabled": true, "techniques": []string{tech.Id}})
	}
	coverage.For(app).Invalidate()

	const path = "/api/aegis/coverage/techniques/T1003"
	var scenarios []testutil.Scenario
	for i := 0; i < 2; i++ { // the second answer is the kept one
		scenarios = append(scenarios,
			testutil.Scenario{Name: fmt.Sprintf("admin: the blind run counts, two superseded (%d)", i), Method: http.MethodGet, URL: path,
				Token: admin, ExpectedStatus: http.StatusOK,
				ExpectedContent: []string{`"attack_id":"T1003"`, `"priority":"high"`, hidden.Id, `"name":"5 more rules"`,
					`"tests":{"total":4,"counting":1,"superseded":2,"unconfirmed":0,"open":1}`},
				NotExpectedContent: []string{oldest.Id, older.Id},
				AfterTestFunc:      sharesAddUp},
			testutil.Scenario{Name: fmt.Sprintf("blue: no blind run, the second run counts (%d)", i), Method: http.MethodGet, URL: path,
				Token: blue, ExpectedStatus: http.StatusOK,
				ExpectedContent:    []string{older.Id, `"tests":{"total":3,"counting":1,"superseded":1,"unconfirmed":0,"open":1}`},
				NotExpectedContent: []string{hidden.Id, "blind run", oldest.Id},
				AfterTestFunc:      sharesAddUp},
		)
	}
	scenarios = append(scenarios,
		testutil.Scenario{Name: "admin: superseded tests, newest first, page 1", Method: http.MethodGet, URL: path + "?tests_page=1&tests_per_page=1",
			Token: admin, ExpectedStatus: http.StatusOK,
			ExpectedContent:    []string{`"page":1`, `"perPage":1`, `"totalItems":2`, `"totalPages":2`, older.Id, `"superseded_by":"` + hidden.Id + `"`},
			NotExpectedContent: []string{oldest.Id}},
		testutil.Scenario{Name: "admin: superseded tests, page 2", Method: http.MethodGet, URL: path + "?tests_page=2&tests_per_page=1",
			Token: admin, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"page":2`, oldest.Id, "Not blocked; detection:"},
			NotExpectedContent: []string{older.Id + `"`, `"id":"` + hidden.Id}},
		testutil.Scenario{Name: "admin: past the last page", Method: http.MethodGet, URL: path + "?tests_page=3&tests_per_page=1",
			Token: admin, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"totalItems":2`, `"items":[]`}},
		testutil.Scenario{Name: "blue: superseded by the run blue sees", Method: http.MethodGet, URL: path + "?tests_page=1",
			Token: blue, ExpectedStatus: http.StatusOK,
			ExpectedContent:    []string{`"perPage":25`, `"totalItems":1`, oldest.Id, `"superseded_by":"` + older.Id + `"`},
			NotExpectedContent: []string{hidden.Id, "blind run"}},
		testutil.Scenario{Name: "bad tests_page", Method: http.MethodGet, URL: path + "?tests_page=x", Token: admin,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedMessage: "tests_page"},
		testutil.Scenario{Name: "unknown technique", Method: http.MethodGet, URL: "/api/aegis/coverage/techniques/T0000", Token: admin,
			ExpectedStatus: http.StatusNotFound, ExpectedError: true},
		testutil.Scenario{Name: "unknown technique, tests page", Method: http.MethodGet, URL: "/api/aegis/coverage/techniques/T0000?tests_page=1",
			Token: blue, ExpectedStatus: http.StatusNotFound, ExpectedError: true},
		testutil.Scenario{Name: "needs a user", Method: http.MethodGet, URL: path, ExpectedStatus: http.StatusUnauthorized, ExpectedError: true},
		testutil.Scenario{Name: "blue records the DCSync outcome", Method: http.MethodPost, URL: "/api/aegis/tests/" + open.Id + "/transition",
			Token: blue, Body: map[string]any{"action": "record", "revision": open.GetInt("revision"), "prevention": "blocked", "detection": "technique"},
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"state":"validated"`}},
		testutil.Scenario{Name: "admin: the recorded outcome counts at once", Method: http.MethodGet, URL: path, Token: admin,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{open.Id, "Blocked; detection:", `"tests":{"total":4,"counting":2,"superseded":2,"unconfirmed":0,"open":0}`},
			AfterTestFunc:   sharesAddUp},
		testutil.Scenario{Name: "blue: the recorded outcome counts at once", Method: http.MethodGet, URL: path, Token: blue,
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{open.Id, `"tests":{"total":3,"counting":2,"superseded":1,"unconfirmed":0,"open":0}`},
			NotExpectedContent: []string{hidden.Id},
			AfterTestFunc:      sharesAddUp},
	)
	testutil.ServerFor(t, app).Run(t, scenarios...)

	// The answers are kept with the model, per visibility class.
	eng := coverage.For(app)
	all, ok, err := eng.TechniqueBlob(coverage.Options{}, "T1003")
	require.NoError(t, err)
	require.True(t, ok)
	again, _, err := eng.TechniqueBlob(coverage.Options{}, " t1003")
	require.NoError(t, err)
	assert.Same(t, all, again, "a repeat answer is the kept one")
	revealed, _, err := eng.TechniqueBlob(coverage.Options{RevealedOnly: true}, "T1003")
	require.NoError(t, err)
	assert.NotEqual(t, all.ETag, revealed.ETag, "blue's answer is its own")
	assert.NotContains(t, string(revealed.JSON), hidden.Id)
	_, ok, err = eng.TechniqueBlob(coverage.Options{}, "T0000")
	require.NoError(t, err)
	assert.False(t, ok, "unknown technique")
}

// sharesAddUp checks that a technique answer's breakdown is readable (at
// most BreakdownLines lines and one folded line per component) and that
// its shares add up to the score.
func sharesAddUp(t testing.TB, _ *tests.TestApp, r testutil.Response) {
	var v coverage.TechniqueView
	r.JSON(t, &v)
	require.NotNil(t, v.Technique)
	sum, lines := 0.0, map[string]int{}
	for _, c := range v.Technique.Breakdown {
		sum += c.Share
		lines[c.Component]++
	}
	assert.InDelta(t, v.Technique.Score, sum, 1e-6, "shares add up to the score")
	for comp, n := range lines {
		assert.LessOrEqual(t, n, coverage.BreakdownLines+1, "component %q lines", comp)
	}
}
