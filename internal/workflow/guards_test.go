package workflow_test

import (
	"net/http"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrudEditsAreLimitedPerRole(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1047", nil)
	id := e.newTest(tech, nil).Id
	op := e.Users[c.RoleRedOperator].Id
	s := &testutil.Server{App: e.App, URL: e.URL}
	url := "/api/collections/tests/records/" + id
	token := func(role c.Role) string { return e.Users[role].Token }
	refused := func(name string, role c.Role, body map[string]any, status int) testutil.Scenario {
		return testutil.Scenario{Name: name, Method: http.MethodPatch, URL: url, Token: token(role), Body: body,
			ExpectedStatus: status, ExpectedError: true}
	}
	allowed := func(name string, role c.Role, body map[string]any, content ...string) testutil.Scenario {
		return testutil.Scenario{Name: name, Method: http.MethodPatch, URL: url, Token: token(role), Body: body,
			ExpectedStatus: http.StatusOK, ExpectedContent: content}
	}
	// PocketBase answers 404 to an update its rule refuses; the field
	// guards answer 403.
	s.Run(t,
		refused("an operator may not write notes before assignment", c.RoleRedOperator, map[string]any{"red_notes": "x"}, 403),
		allowed("the lead edits the plan", c.RoleRedLead, map[string]any{"procedure": "run whoami", "due_at": "2026-12-24 00:00:00.000Z"}, `"procedure":"run whoami"`),
		refused("the state never changes through CRUD", c.RoleAdmin, map[string]any{"state": "validated"}, 404),
		refused("the revision never changes through CRUD", c.RoleRedLead, map[string]any{"revision": 7}, 404),
		refused("the outcome never changes through CRUD", c.RoleBlueLead, map[string]any{"detection": "technique"}, 404),
		refused("the lead may not write blue notes", c.RoleRedLead, map[string]any{"blue_notes": "x"}, 403),
		allowed("blue writes blue notes", c.RoleBlueAnalyst, map[string]any{"blue_notes": "saw it in the SIEM"}, `"blue_notes":"saw it in the SIEM"`),
		refused("blue may not change the procedure", c.RoleBlueAnalyst, map[string]any{"procedure": "x"}, 403),
		refused("a viewer may not edit", c.RoleViewer, map[string]any{"name": "x"}, 404),
	)
	e.MustTransition(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	s.Run(t,
		allowed("the assigned operator writes notes", c.RoleRedOperator, map[string]any{"red_notes": "ran as SYSTEM"}, `"red_notes":"ran as SYSTEM"`),
		refused("the assigned operator may not rename the test", c.RoleRedOperator, map[string]any{"name": "renamed"}, 403),
	)
	r := e.Get(c.Tests, id)
	assert.Equal(t, "ran as SYSTEM", r.GetString("red_notes"), "stored: %v", r.FieldsData())
	assert.Equal(t, "saw it in the SIEM", r.GetString("blue_notes"), "stored: %v", r.FieldsData())
	assert.Equal(t, "run whoami", r.GetString("procedure"), "stored: %v", r.FieldsData())

	// CRUD creates are forced to a fresh draft.
	res := e.Do("POST", "/api/collections/tests/records", c.RoleRedLead, map[string]any{"name": "sneaky", "technique": tech.Id,
		"state": "validated", "revision": 9, "prevention": "blocked", "revealed": false})
	var created struct {
		Id, State, Prevention string
		Revision              int
		Revealed              bool
	}
	res.JSON(t, &created)
	assert.Equal(t, 200, res.Status, "create: %d %s", res.Status, res.Body)
	assert.Equal(t, "draft", created.State, "create: %d %s", res.Status, res.Body)
	assert.Equal(t, 0, created.Revision, "create: %d %s", res.Status, res.Body)
	assert.Equal(t, "", created.Prevention, "create: %d %s", res.Status, res.Body)
	assert.True(t, created.Revealed, "create: %d %s", res.Status, res.Body)

	// Comments are written in the caller's name (the rule demands it).
	res = e.Do("POST", "/api/collections/test_comments/records", c.RoleBlueAnalyst, map[string]any{"test": id, "body": "looks good",
		"author": e.Users[c.RoleBlueAnalyst].Id})
	require.Equal(t, 200, res.Status, "comment: %d %s", res.Status, res.Body)
	res = e.Do("POST", "/api/collections/test_comments/records", c.RoleBlueAnalyst, map[string]any{"test": id, "body": "as someone else",
		"author": e.Users[c.RoleRedLead].Id})
	assert.Equal(t, 400, res.Status, "comment as another user: %d", res.Status)
}
