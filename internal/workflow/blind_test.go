package workflow_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordEvent is the data of a realtime record event.
type recordEvent struct {
	Action string
	Record struct {
		Id, State string
		Revealed  bool
	}
}

// nextRecord waits for the next record event, failing after timeout.
func nextRecord(t *testing.T, rt *testutil.Realtime, timeout time.Duration) (string, recordEvent) {
	t.Helper()
	ev, ok := rt.Next(timeout)
	require.True(t, ok, "no realtime event")
	var re recordEvent
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &re), "event %s", ev.Data)
	return ev.Name, re
}

func TestBlindCampaignHidesTestsFromBlue(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1053.005", nil)
	blind := e.campaign("blind", true)
	open := e.campaign("open", false)
	hidden := e.newTest(tech, blind)
	visible := e.newTest(tech, open)
	require.False(t, hidden.GetBool("revealed"), "revealed: blind %v, open %v", hidden.GetBool("revealed"), visible.GetBool("revealed"))
	require.True(t, visible.GetBool("revealed"), "revealed: blind %v, open %v", hidden.GetBool("revealed"), visible.GetBool("revealed"))
	// Children of the hidden test.
	tool := e.Save(c.DefenseTools, map[string]any{"name": "EDR", "kind": "edr"})
	e.Save(c.TestOutcomes, map[string]any{"test": hidden.Id, "defense_tool": tool.Id, "prevention": "blocked", "detection": "none"})
	e.Save(c.TestComments, map[string]any{"test": hidden.Id, "author": e.Users[c.RoleRedLead].Id, "body": "secret"})
	f, _ := filesystem.NewFileFromBytes([]byte("red notes"), "notes.txt")
	e.Save(c.Evidence, map[string]any{"test": hidden.Id, "team": "red", "file": f, "filename": "notes.txt"})

	// Realtime: a red lead and a blue analyst both subscribe.
	lead := testutil.Subscribe(t, e.URL, e.Users[c.RoleRedLead].Token, "tests/*")
	blue := testutil.Subscribe(t, e.URL, e.Users[c.RoleBlueAnalyst].Token, "tests/*", "tests/"+hidden.Id,
		"test_comments/*", "evidence/*", "test_outcomes/*")

	listed := func(role c.Role, col, id string) bool {
		res := e.Do("GET", "/api/collections/"+col+"/records?perPage=500", role, nil)
		require.Equal(t, 200, res.Status, "list %s: %d", col, res.Status)
		return strings.Contains(string(res.Body), id)
	}
	srv := &testutil.Server{App: e.App, URL: e.URL}
	for _, role := range []c.Role{c.RoleBlueAnalyst, c.RoleBlueLead} {
		tok := e.Users[role].Token
		scenarios := []testutil.Scenario{
			{
				Name: "the test list shows the visible test, not the hidden one", Method: http.MethodGet,
				URL: "/api/collections/tests/records?perPage=500", Token: tok, ExpectedStatus: http.StatusOK,
				ExpectedContent: []string{visible.Id}, NotExpectedContent: []string{hidden.Id},
			},
			{
				Name: "the hidden test is not found", Method: http.MethodGet, URL: "/api/collections/tests/records/" + hidden.Id,
				Token: tok, ExpectedStatus: http.StatusNotFound, ExpectedError: true,
			},
		}
		for _, col := range []string{"test_outcomes", "test_comments", "evidence"} {
			scenarios = append(scenarios, testutil.Scenario{
				Name: "no " + col + " of the hidden test", Method: http.MethodGet, URL: "/api/collections/" + col + "/records?perPage=500",
				Token: tok, ExpectedStatus: http.StatusOK, NotExpectedContent: []string{hidden.Id},
			})
		}
		scenarios = append(scenarios,
			testutil.Scenario{
				Name: "the history of the hidden test is not found", Method: http.MethodGet, URL: "/api/aegis/tests/" + hidden.Id + "/history",
				Token: tok, ExpectedStatus: http.StatusNotFound, ExpectedError: true,
			},
			testutil.Scenario{
				Name: "a transition on the hidden test is not found", Method: http.MethodPost, URL: "/api/aegis/tests/" + hidden.Id + "/transition",
				Token: tok, Body: map[string]any{"action": "record", "revision": e.Get(c.Tests, hidden.Id).GetInt("revision"), "prevention": "blocked", "detection": "none"},
				ExpectedStatus: http.StatusNotFound, ExpectedError: true,
			},
		)
		t.Run(string(role), func(t *testing.T) { srv.Run(t, scenarios...) })
	}
	// Nor can blue attach an outcome row to a test it cannot see.
	siem := e.Save(c.DefenseTools, map[string]any{"name": "SIEM", "kind": "siem"})
	res := e.Do("POST", "/api/collections/test_outcomes/records", c.RoleBlueAnalyst,
		map[string]any{"test": hidden.Id, "defense_tool": siem.Id, "prevention": "blocked", "detection": "technique"})
	// The records API refuses outcome rows from every role (403); outcomes
	// come only from the transition endpoint and imports.
	assert.Equal(t, 403, res.Status, "blue outcome on hidden test: %d %s", res.Status, res.Body)
	assert.Equal(t, 1, e.count(c.TestOutcomes, "test = {:t}", map[string]any{"t": hidden.Id}), "blue outcome on hidden test: %d %s", res.Status, res.Body)
	for _, col := range []string{"tests", "test_outcomes", "test_comments", "evidence"} {
		assert.True(t, listed(c.RoleRedOperator, col, hidden.Id), "red and viewers should see %s of the hidden test", col)
		assert.True(t, listed(c.RoleViewer, col, hidden.Id), "red and viewers should see %s of the hidden test", col)
	}
	progress := e.Do("GET", "/api/aegis/campaigns/"+blind.Id+"/progress", c.RoleBlueLead, nil)
	assert.Contains(t, string(progress.Body), `"total":0`, "blue progress of a blind campaign counts no hidden tests")

	// A change on the hidden test reaches the lead, not blue; a change on
	// the visible one reaches both.
	op := e.Users[c.RoleRedOperator].Id
	e.MustTransition(hidden.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	name, ev := nextRecord(t, lead, 5*time.Second)
	require.Equal(t, "tests/*", name, "lead event %s %+v", name, ev)
	require.Equal(t, hidden.Id, ev.Record.Id, "lead event %s %+v", name, ev)
	require.Equal(t, c.StateReady, ev.Record.State, "lead event %s %+v", name, ev)
	require.Equal(t, "update", ev.Action, "lead event %s %+v", name, ev)
	e.MustTransition(visible.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	_, ev = nextRecord(t, blue, 5*time.Second)
	require.Equal(t, visible.Id, ev.Record.Id, "blue's first event is about %s, want the visible test %s", ev.Record.Id, visible.Id)

	// Revealing shows the test to blue, live and through the API.
	e.MustTransition(hidden.Id, c.RoleRedLead, "reveal", nil)
	for {
		name, ev = nextRecord(t, blue, 5*time.Second)
		if ev.Record.Id == hidden.Id {
			break
		}
	}
	assert.True(t, ev.Record.Revealed, "reveal event %s %+v", name, ev)
	assert.True(t, listed(c.RoleBlueAnalyst, "tests", hidden.Id), "revealed test still hidden from blue")
	assert.True(t, listed(c.RoleBlueAnalyst, "test_comments", hidden.Id), "revealed test still hidden from blue")
}
