package workflow_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrudEditsAreLimitedPerRole(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1047", nil)
	id := e.newTest(tech, nil).Id
	op := e.users[c.RoleRedOperator].Id
	patch := func(role string, body map[string]any) int {
		return e.do("PATCH", "/api/collections/tests/records/"+id, role, body).Status
	}
	cases := []struct {
		name string
		role string
		body map[string]any
		want int
	}{
		{"operator notes before assignment", c.RoleRedOperator, map[string]any{"red_notes": "x"}, 403},
		{"lead edits the plan", c.RoleRedLead, map[string]any{"procedure": "run whoami", "due_at": "2026-12-24 00:00:00.000Z"}, 200},
		{"state never through CRUD", c.RoleAdmin, map[string]any{"state": "validated"}, 404},
		{"revision never through CRUD", c.RoleRedLead, map[string]any{"revision": 7}, 404},
		{"outcome never through CRUD", c.RoleBlueLead, map[string]any{"detection": "technique"}, 404},
		{"lead cannot write blue notes", c.RoleRedLead, map[string]any{"blue_notes": "x"}, 403},
		{"blue writes blue notes", c.RoleBlueAnalyst, map[string]any{"blue_notes": "saw it in the SIEM"}, 200},
		{"blue cannot change the procedure", c.RoleBlueAnalyst, map[string]any{"procedure": "x"}, 403},
		{"viewer cannot edit", c.RoleViewer, map[string]any{"name": "x"}, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, patch(tc.role, tc.body), "status of the update")
		})
	}
	e.mustAct(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	got := patch(c.RoleRedOperator, map[string]any{"red_notes": "ran as SYSTEM"})
	assert.Equal(t, 200, got, "assigned operator notes: %d", got)
	got = patch(c.RoleRedOperator, map[string]any{"name": "renamed"})
	assert.Equal(t, 403, got, "operator renames: %d", got)
	r := e.get(id)
	assert.Equal(t, "ran as SYSTEM", r.GetString("red_notes"), "stored: %v", r.FieldsData())
	assert.Equal(t, "saw it in the SIEM", r.GetString("blue_notes"), "stored: %v", r.FieldsData())
	assert.Equal(t, "run whoami", r.GetString("procedure"), "stored: %v", r.FieldsData())

	// CRUD creates are forced to a fresh draft.
	res := e.do("POST", "/api/collections/tests/records", c.RoleRedLead, map[string]any{"name": "sneaky", "technique": tech.Id,
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
	res = e.do("POST", "/api/collections/test_comments/records", c.RoleBlueAnalyst, map[string]any{"test": id, "body": "looks good",
		"author": e.users[c.RoleBlueAnalyst].Id})
	require.Equal(t, 200, res.Status, "comment: %d %s", res.Status, res.Body)
	res = e.do("POST", "/api/collections/test_comments/records", c.RoleBlueAnalyst, map[string]any{"test": id, "body": "as someone else",
		"author": e.users[c.RoleRedLead].Id})
	assert.Equal(t, 400, res.Status, "comment as another user: %d", res.Status)
}
