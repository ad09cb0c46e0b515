package workflow_test

import (
	"slices"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestActionsOfferedAndHistoryOfChildren(t *testing.T) {
	e := newEnv(t)
	id := e.newTest(e.technique("T1112", nil), nil).Id
	actions := func(role c.Role) []string {
		res := e.Do("GET", "/api/aegis/tests/"+id+"/actions", role, nil)
		var out struct{ Actions []string }
		res.JSON(t, &out)
		return out.Actions
	}
	got := actions(c.RoleRedLead)
	assert.True(t, slices.Equal(got, []string{"approve", "cancel"}), "red lead on a draft: %v", got)
	got = actions(c.RoleBlueAnalyst)
	assert.Empty(t, got, "blue on a draft: %v", got)
	e.MustTransition(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.Users[c.RoleRedOperator].Id})
	got = actions(c.RoleRedOperator)
	assert.True(t, slices.Equal(got, []string{"start"}), "assigned operator on a ready test: %v", got)
	res := e.Do("POST", "/api/collections/test_comments/records", c.RoleRedOperator,
		map[string]any{"test": id, "body": "starting at 10:00", "author": e.Users[c.RoleRedOperator].Id})
	require.Equal(t, 200, res.Status, "comment: %d %s", res.Status, res.Body)
	res = e.Do("GET", "/api/aegis/tests/"+id+"/history", c.RoleBlueAnalyst, nil)
	var hist struct {
		Items []struct{ Action, Collection, Actor string }
	}
	res.JSON(t, &hist)
	var seen []string
	for _, h := range hist.Items {
		seen = append(seen, h.Collection+":"+h.Action)
	}
	for _, want := range []string{"tests:create", "tests:transition", "test_comments:create"} {
		assert.Contains(t, seen, want, "history lacks %s: %v", want, seen)
	}
}
