package workflow_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
)

func TestCrudEditsAreLimitedPerRole(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1047", nil)
	id := e.newTest(tech, nil).Id
	op := e.users[c.RoleRedOperator].Id
	patch := func(role c.Role, body map[string]any) int {
		return e.do("PATCH", "/api/collections/tests/records/"+id, role, body).Status
	}
	cases := []struct {
		name string
		role c.Role
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
		if got := patch(tc.role, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	e.mustAct(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	if got := patch(c.RoleRedOperator, map[string]any{"red_notes": "ran as SYSTEM"}); got != 200 {
		t.Errorf("assigned operator notes: %d", got)
	}
	if got := patch(c.RoleRedOperator, map[string]any{"name": "renamed"}); got != 403 {
		t.Errorf("operator renames: %d", got)
	}
	r := e.get(id)
	if r.GetString("red_notes") != "ran as SYSTEM" || r.GetString("blue_notes") != "saw it in the SIEM" || r.GetString("procedure") != "run whoami" {
		t.Errorf("stored: %v", r.FieldsData())
	}

	// CRUD creates are forced to a fresh draft.
	res := e.do("POST", "/api/collections/tests/records", c.RoleRedLead, map[string]any{"name": "sneaky", "technique": tech.Id,
		"state": "validated", "revision": 9, "prevention": "blocked", "revealed": false})
	var created struct {
		Id, State, Prevention string
		Revision              int
		Revealed              bool
	}
	res.JSON(t, &created)
	if res.Status != 200 || created.State != "draft" || created.Revision != 0 || created.Prevention != "" || !created.Revealed {
		t.Errorf("create: %d %s", res.Status, res.Body)
	}

	// Comments are written in the caller's name (the rule demands it).
	res = e.do("POST", "/api/collections/test_comments/records", c.RoleBlueAnalyst, map[string]any{"test": id, "body": "looks good",
		"author": e.users[c.RoleBlueAnalyst].Id})
	if res.Status != 200 {
		t.Fatalf("comment: %d %s", res.Status, res.Body)
	}
	res = e.do("POST", "/api/collections/test_comments/records", c.RoleBlueAnalyst, map[string]any{"test": id, "body": "as someone else",
		"author": e.users[c.RoleRedLead].Id})
	if res.Status != 400 {
		t.Errorf("comment as another user: %d", res.Status)
	}
}
