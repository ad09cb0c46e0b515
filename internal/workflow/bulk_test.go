package workflow_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
)

func TestBulkActions(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1486", nil)
	src, dst := e.campaign("source", false), e.campaign("target", true)
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, e.newTest(tech, src).Id)
	}
	op, analyst := e.users[c.RoleRedOperator].Id, e.users[c.RoleBlueAnalyst].Id
	bulk := func(role c.Role, body map[string]any) (int, []map[string]any) {
		res := e.do("POST", "/api/aegis/tests/bulk", role, body)
		var out struct{ Tests []map[string]any }
		if res.Status == 200 {
			res.JSON(t, &out)
		}
		return res.Status, out.Tests
	}
	if code, _ := bulk(c.RoleRedOperator, map[string]any{"action": "approve", "ids": ids, "red_assignee": op}); code != 403 {
		t.Errorf("operator bulk: %d", code)
	}
	// All or nothing: one unknown id changes nothing.
	if code, _ := bulk(c.RoleRedLead, map[string]any{"action": "approve", "ids": append([]string{"nope"}, ids...), "red_assignee": op}); code != 400 {
		t.Errorf("unknown id: %d", code)
	}
	if code, _ := bulk(c.RoleRedLead, map[string]any{"action": "approve", "ids": append(append([]string{}, ids...), ids[0]), "red_assignee": ""}); code != 400 {
		t.Errorf("approve without assignee: %d", code)
	}
	for _, id := range ids {
		if e.get(id).GetString("state") != c.StateDraft {
			t.Fatalf("a refused bulk changed %s", id)
		}
	}
	code, out := bulk(c.RoleRedLead, map[string]any{"action": "approve", "ids": ids, "red_assignee": op})
	if code != 200 || len(out) != 3 {
		t.Fatalf("approve: %d %v", code, out)
	}
	for _, id := range ids {
		if r := e.get(id); r.GetString("state") != c.StateReady || r.GetString("red_assignee") != op || r.GetInt("revision") != 1 {
			t.Errorf("approved %s: %v", id, r.FieldsData())
		}
	}
	// Approving again conflicts (they are ready now).
	if code, _ := bulk(c.RoleRedLead, map[string]any{"action": "approve", "ids": ids, "red_assignee": op}); code != 409 {
		t.Errorf("re-approve: %d", code)
	}
	if code, _ := bulk(c.RoleRedLead, map[string]any{"action": "assign", "ids": ids[:2], "blue_assignee": analyst}); code != 200 {
		t.Errorf("assign: %d", code)
	}
	if e.get(ids[0]).GetString("blue_assignee") != analyst || e.get(ids[2]).GetString("blue_assignee") != "" {
		t.Error("assign applied to the wrong tests")
	}
	// Blue leads cannot touch tests they cannot see.
	hiddenCamp := e.campaign("hidden", true)
	hidden := e.newTest(tech, hiddenCamp).Id
	if code, _ := bulk(c.RoleBlueLead, map[string]any{"action": "assign", "ids": []string{hidden}, "blue_assignee": analyst}); code != 400 {
		t.Errorf("blue lead on hidden test: %d", code)
	}
	// Blue leads assign analysts, nothing else.
	if code, _ := bulk(c.RoleBlueLead, map[string]any{"action": "assign", "ids": ids[2:], "blue_assignee": analyst}); code != 200 {
		t.Errorf("blue lead assigns: %d", code)
	}
	if code, _ := bulk(c.RoleBlueLead, map[string]any{"action": "assign", "ids": ids[2:], "red_assignee": op}); code != 403 {
		t.Errorf("blue lead assigns red: %d", code)
	}
	if code, _ := bulk(c.RoleBlueLead, map[string]any{"action": "move", "ids": ids[2:], "campaign": dst.Id}); code != 403 {
		t.Errorf("blue lead moves: %d", code)
	}
	if code, _ := bulk(c.RoleBlueAnalyst, map[string]any{"action": "assign", "ids": ids[2:], "blue_assignee": analyst}); code != 403 {
		t.Errorf("analyst bulk: %d", code)
	}
	code, out = bulk(c.RoleRedLead, map[string]any{"action": "copy", "ids": ids, "campaign": dst.Id})
	if code != 200 || len(out) != 3 {
		t.Fatalf("copy: %d", code)
	}
	for _, cp := range out {
		r := e.get(cp["id"].(string))
		if r.GetString("campaign") != dst.Id || r.GetString("state") != c.StateDraft || r.GetBool("revealed") || r.GetString("technique") != tech.Id {
			t.Errorf("copy: %v", r.FieldsData())
		}
	}
	if code, _ := bulk(c.RoleRedLead, map[string]any{"action": "move", "ids": ids[:1], "campaign": dst.Id}); code != 200 {
		t.Errorf("move: %d", code)
	}
	if r := e.get(ids[0]); r.GetString("campaign") != dst.Id || r.GetString("state") != c.StateReady {
		t.Errorf("moved: %v", r.FieldsData())
	}
	if n := e.count(c.Tests, "campaign = {:c}", map[string]any{"c": src.Id}); n != 2 {
		t.Errorf("source keeps %d tests", n)
	}
}
