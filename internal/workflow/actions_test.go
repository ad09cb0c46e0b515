package workflow_test

import (
	"slices"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
)

func TestActionsOfferedAndHistoryOfChildren(t *testing.T) {
	e := newEnv(t)
	id := e.newTest(e.technique("T1112", nil), nil).Id
	actions := func(role c.Role) []string {
		res := e.do("GET", "/api/aegis/tests/"+id+"/actions", role, nil)
		var out struct{ Actions []string }
		res.JSON(t, &out)
		return out.Actions
	}
	if got := actions(c.RoleRedLead); !slices.Equal(got, []string{"approve", "cancel"}) {
		t.Errorf("red lead on a draft: %v", got)
	}
	if got := actions(c.RoleBlueAnalyst); len(got) != 0 {
		t.Errorf("blue on a draft: %v", got)
	}
	e.mustAct(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.users[c.RoleRedOperator].Id})
	if got := actions(c.RoleRedOperator); !slices.Equal(got, []string{"start"}) {
		t.Errorf("assigned operator on a ready test: %v", got)
	}
	res := e.do("POST", "/api/collections/test_comments/records", c.RoleRedOperator,
		map[string]any{"test": id, "body": "starting at 10:00", "author": e.users[c.RoleRedOperator].Id})
	if res.Status != 200 {
		t.Fatalf("comment: %d %s", res.Status, res.Body)
	}
	res = e.do("GET", "/api/aegis/tests/"+id+"/history", c.RoleBlueAnalyst, nil)
	var hist struct {
		Items []struct{ Action, Collection, Actor string }
	}
	res.JSON(t, &hist)
	var seen []string
	for _, h := range hist.Items {
		seen = append(seen, h.Collection+":"+h.Action)
	}
	for _, want := range []string{"tests:create", "tests:transition", "test_comments:create"} {
		if !slices.Contains(seen, want) {
			t.Errorf("history lacks %s: %v", want, seen)
		}
	}
}
