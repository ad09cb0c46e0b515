package workflow_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBulkActions(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1486", nil)
	src, dst := e.campaign("source", false), e.campaign("target", true)
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, e.newTest(tech, src).Id)
	}
	op, analyst := e.Users[c.RoleRedOperator].Id, e.Users[c.RoleBlueAnalyst].Id
	bulk := func(role c.Role, body map[string]any) (int, []map[string]any) {
		res := e.Do("POST", "/api/aegis/tests/bulk", role, body)
		var out struct{ Tests []map[string]any }
		if res.Status == 200 {
			res.JSON(t, &out)
		}
		return res.Status, out.Tests
	}
	status := func(role c.Role, body map[string]any) int {
		code, _ := bulk(role, body)
		return code
	}
	assert.Equal(t, 403, status(c.RoleRedOperator, map[string]any{"action": "approve", "ids": ids, "red_assignee": op}), "an operator may not run bulk actions")
	// All or nothing: one unknown id changes nothing.
	assert.Equal(t, 400, status(c.RoleRedLead, map[string]any{"action": "approve", "ids": append([]string{"nope"}, ids...), "red_assignee": op}), "one unknown id refuses the whole bulk")
	assert.Equal(t, 400, status(c.RoleRedLead, map[string]any{"action": "approve", "ids": append(append([]string{}, ids...), ids[0]), "red_assignee": ""}), "approving without an assignee is refused")
	for _, id := range ids {
		require.Equal(t, c.StateDraft, e.Get(c.Tests, id).GetString("state"), "a refused bulk changed %s", id)
	}
	code, out := bulk(c.RoleRedLead, map[string]any{"action": "approve", "ids": ids, "red_assignee": op})
	require.Equal(t, 200, code, "approve: %d %v", code, out)
	require.Len(t, out, 3, "approve: %d %v", code, out)
	for _, id := range ids {
		r := e.Get(c.Tests, id)
		assert.Equal(t, c.StateReady, r.GetString("state"), "approved %s: %v", id, r.FieldsData())
		assert.Equal(t, op, r.GetString("red_assignee"), "approved %s: %v", id, r.FieldsData())
		assert.Equal(t, 1, r.GetInt("revision"), "approved %s: %v", id, r.FieldsData())
	}
	// Approving again conflicts (they are ready now).
	assert.Equal(t, 409, status(c.RoleRedLead, map[string]any{"action": "approve", "ids": ids, "red_assignee": op}), "approving ready tests again conflicts")
	assert.Equal(t, 200, status(c.RoleRedLead, map[string]any{"action": "assign", "ids": ids[:2], "blue_assignee": analyst}), "the red lead assigns blue")
	assert.False(t, e.Get(c.Tests, ids[0]).GetString("blue_assignee") != analyst || e.Get(c.Tests, ids[2]).GetString("blue_assignee") != "", "assign applied to the wrong tests")
	// Blue leads cannot touch tests they cannot see.
	hiddenCamp := e.campaign("hidden", true)
	hidden := e.newTest(tech, hiddenCamp).Id
	assert.Equal(t, 400, status(c.RoleBlueLead, map[string]any{"action": "assign", "ids": []string{hidden}, "blue_assignee": analyst}), "a blue lead may not touch a hidden test")
	// Blue leads assign analysts, nothing else.
	assert.Equal(t, 200, status(c.RoleBlueLead, map[string]any{"action": "assign", "ids": ids[2:], "blue_assignee": analyst}), "a blue lead assigns analysts")
	assert.Equal(t, 403, status(c.RoleBlueLead, map[string]any{"action": "assign", "ids": ids[2:], "red_assignee": op}), "a blue lead may not assign red")
	assert.Equal(t, 403, status(c.RoleBlueLead, map[string]any{"action": "move", "ids": ids[2:], "campaign": dst.Id}), "a blue lead may not move tests")
	assert.Equal(t, 403, status(c.RoleBlueAnalyst, map[string]any{"action": "assign", "ids": ids[2:], "blue_assignee": analyst}), "an analyst may not run bulk actions")
	code, out = bulk(c.RoleRedLead, map[string]any{"action": "copy", "ids": ids, "campaign": dst.Id})
	require.Equal(t, 200, code, "copy: %d", code)
	require.Len(t, out, 3, "copy: %d", code)
	for _, cp := range out {
		r := e.Get(c.Tests, cp["id"].(string))
		assert.Equal(t, dst.Id, r.GetString("campaign"), "copy: %v", r.FieldsData())
		assert.Equal(t, c.StateDraft, r.GetString("state"), "copy: %v", r.FieldsData())
		assert.False(t, r.GetBool("revealed"), "copy: %v", r.FieldsData())
		assert.Equal(t, tech.Id, r.GetString("technique"), "copy: %v", r.FieldsData())
	}
	assert.Equal(t, 200, status(c.RoleRedLead, map[string]any{"action": "move", "ids": ids[:1], "campaign": dst.Id}), "the red lead moves a test")
	r := e.Get(c.Tests, ids[0])
	assert.Equal(t, dst.Id, r.GetString("campaign"), "moved: %v", r.FieldsData())
	assert.Equal(t, c.StateReady, r.GetString("state"), "moved: %v", r.FieldsData())
	n := e.count(c.Tests, "campaign = {:c}", map[string]any{"c": src.Id})
	assert.Equal(t, 2, n, "source keeps %d tests", n)
}
