package migrations_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
)

// TestOutcomesOnlyThroughTheWorkflow: no role writes test_outcomes through
// the records API (the analyst's outcome on a draft test was accepted
// before); the transition endpoint still records them.
func TestOutcomesOnlyThroughTheWorkflow(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	w := newWorld(t, ta)
	users := testutil.Users(t)
	tool := w.save(collections.DefenseTools, map[string]any{"name": "EDR", "kind": "edr", "active": true})
	existing := w.save(collections.TestOutcomes, map[string]any{"test": w.test.Id, "defense_tool": tool.Id,
		"prevention": "not_blocked", "detection": "none"})
	require.Equal(t, collections.StateDraft, w.test.GetString("state"))

	const col = "/api/collections/test_outcomes/records"
	forged := map[string]any{"test": w.test.Id, "defense_tool": tool.Id, "prevention": "blocked", "detection": "technique"}
	var scenarios []testutil.Scenario
	for _, role := range collections.Roles {
		tok := users[role].Token
		scenarios = append(scenarios,
			testutil.Scenario{Name: string(role) + " may not create an outcome on a draft test", Method: http.MethodPost, URL: col,
				Token: tok, Body: forged, ExpectedStatus: http.StatusForbidden, ExpectedError: true},
			testutil.Scenario{Name: string(role) + " may not upgrade an outcome", Method: http.MethodPatch, URL: col + "/" + existing.Id,
				Token: tok, Body: map[string]any{"prevention": "blocked", "detection": "technique"},
				ExpectedStatus: http.StatusForbidden, ExpectedError: true},
			testutil.Scenario{Name: string(role) + " may not delete an outcome", Method: http.MethodDelete, URL: col + "/" + existing.Id,
				Token: tok, ExpectedStatus: http.StatusForbidden, ExpectedError: true},
			testutil.Scenario{Name: string(role) + " still lists outcomes", Method: http.MethodGet, URL: col,
				Token: tok, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"items":`}},
		)
	}
	scenarios = append(scenarios, testutil.Scenario{Name: "anonymous may not create an outcome", Method: http.MethodPost, URL: col,
		Body: forged, ExpectedStatus: http.StatusForbidden, ExpectedError: true})
	(&testutil.Server{App: ta, URL: srv.URL}).Run(t, scenarios...)
	n, err := ta.CountRecords(collections.TestOutcomes)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "outcome rows after the refused writes")
	stored, err := ta.FindRecordById(collections.TestOutcomes, existing.Id)
	require.NoError(t, err)
	assert.Equal(t, "not_blocked", stored.GetString("prevention"))

	// The workflow still records outcomes, from Go.
	act := func(role collections.Role, action string, fields map[string]any) {
		t.Helper()
		cur, err := ta.FindRecordById(collections.Tests, w.test.Id)
		require.NoError(t, err)
		body := map[string]any{"action": action, "revision": cur.GetInt("revision")}
		for k, v := range fields {
			body[k] = v
		}
		r := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/tests/"+w.test.Id+"/transition", users[role].Token, body)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", action, r.Body)
	}
	act(collections.RoleRedLead, "approve", map[string]any{"red_assignee": users[collections.RoleRedOperator].Id})
	act(collections.RoleRedOperator, "start", nil)
	act(collections.RoleRedOperator, "submit", map[string]any{"red_result": "executed", "executed_at": "2026-11-30T10:00:00Z"})
	act(collections.RoleBlueAnalyst, "record", map[string]any{"tool_outcomes": []map[string]any{
		{"defense_tool": tool.Id, "prevention": "blocked", "detection": "technique"}}})
	rows, err := ta.FindRecordsByFilter(collections.TestOutcomes, "test = {:t}", "", 0, 0, map[string]any{"t": w.test.Id})
	require.NoError(t, err)
	require.Len(t, rows, 1, "the transition replaces the tool's row")
	assert.Equal(t, "blocked", rows[0].GetString("prevention"))
}
