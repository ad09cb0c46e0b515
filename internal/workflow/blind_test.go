package workflow_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tools/filesystem"
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
	if !ok {
		t.Fatal("no realtime event")
	}
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
	if hidden.GetBool("revealed") || !visible.GetBool("revealed") {
		t.Fatalf("revealed: blind %v, open %v", hidden.GetBool("revealed"), visible.GetBool("revealed"))
	}
	// Children of the hidden test.
	tool := e.save(c.DefenseTools, map[string]any{"name": "EDR", "kind": "edr"})
	e.save(c.TestOutcomes, map[string]any{"test": hidden.Id, "defense_tool": tool.Id, "prevention": "blocked", "detection": "none"})
	e.save(c.TestComments, map[string]any{"test": hidden.Id, "author": e.users[c.RoleRedLead].Id, "body": "secret"})
	f, _ := filesystem.NewFileFromBytes([]byte("red notes"), "notes.txt")
	e.save(c.Evidence, map[string]any{"test": hidden.Id, "team": "red", "file": f, "filename": "notes.txt"})

	// Realtime: a red lead and a blue analyst both subscribe.
	lead := testutil.Subscribe(t, e.url, e.users[c.RoleRedLead].Token, "tests/*")
	blue := testutil.Subscribe(t, e.url, e.users[c.RoleBlueAnalyst].Token, "tests/*", "tests/"+hidden.Id,
		"test_comments/*", "evidence/*", "test_outcomes/*")

	listed := func(role c.Role, col, id string) bool {
		res := e.do("GET", "/api/collections/"+col+"/records?perPage=500", role, nil)
		if res.Status != 200 {
			t.Fatalf("list %s: %d", col, res.Status)
		}
		return strings.Contains(string(res.Body), id)
	}
	for _, role := range []c.Role{c.RoleBlueAnalyst, c.RoleBlueLead} {
		if listed(role, "tests", hidden.Id) || !listed(role, "tests", visible.Id) {
			t.Errorf("%s list: hidden shown or visible missing", role)
		}
		if res := e.do("GET", "/api/collections/tests/records/"+hidden.Id, role, nil); res.Status != 404 {
			t.Errorf("%s view hidden: %d", role, res.Status)
		}
		for _, col := range []string{"test_outcomes", "test_comments", "evidence"} {
			if listed(role, col, hidden.Id) {
				t.Errorf("%s sees %s of the hidden test", role, col)
			}
		}
		if res := e.do("GET", "/api/aegis/tests/"+hidden.Id+"/history", role, nil); res.Status != 404 {
			t.Errorf("%s history of hidden: %d", role, res.Status)
		}
		if res := e.act(hidden.Id, role, "record", map[string]any{"prevention": "blocked", "detection": "none"}); res.Status != 404 {
			t.Errorf("%s transition on hidden: %d", role, res.Status)
		}
	}
	// Nor can blue attach an outcome row to a test it cannot see.
	siem := e.save(c.DefenseTools, map[string]any{"name": "SIEM", "kind": "siem"})
	res := e.do("POST", "/api/collections/test_outcomes/records", c.RoleBlueAnalyst,
		map[string]any{"test": hidden.Id, "defense_tool": siem.Id, "prevention": "blocked", "detection": "technique"})
	// The records API refuses outcome rows from every role (403); outcomes
	// come only from the transition endpoint and imports.
	if res.Status != 403 || e.count(c.TestOutcomes, "test = {:t}", map[string]any{"t": hidden.Id}) != 1 {
		t.Errorf("blue outcome on hidden test: %d %s", res.Status, res.Body)
	}
	for _, col := range []string{"tests", "test_outcomes", "test_comments", "evidence"} {
		if !listed(c.RoleRedOperator, col, hidden.Id) || !listed(c.RoleViewer, col, hidden.Id) {
			t.Errorf("red and viewers should see %s of the hidden test", col)
		}
	}
	if res := e.do("GET", "/api/aegis/campaigns/"+blind.Id+"/progress", c.RoleBlueLead, nil); !strings.Contains(string(res.Body), `"total":0`) {
		t.Errorf("blue progress of a blind campaign counts hidden tests: %s", res.Body)
	}

	// A change on the hidden test reaches the lead, not blue; a change on
	// the visible one reaches both.
	op := e.users[c.RoleRedOperator].Id
	e.mustAct(hidden.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	name, ev := nextRecord(t, lead, 5*time.Second)
	if name != "tests/*" || ev.Record.Id != hidden.Id || ev.Record.State != c.StateReady || ev.Action != "update" {
		t.Fatalf("lead event %s %+v", name, ev)
	}
	e.mustAct(visible.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	_, ev = nextRecord(t, blue, 5*time.Second)
	if ev.Record.Id != visible.Id {
		t.Fatalf("blue's first event is about %s, want the visible test %s", ev.Record.Id, visible.Id)
	}

	// Revealing shows the test to blue, live and through the API.
	e.mustAct(hidden.Id, c.RoleRedLead, "reveal", nil)
	for {
		name, ev = nextRecord(t, blue, 5*time.Second)
		if ev.Record.Id == hidden.Id {
			break
		}
	}
	if !ev.Record.Revealed {
		t.Errorf("reveal event %s %+v", name, ev)
	}
	if !listed(c.RoleBlueAnalyst, "tests", hidden.Id) || !listed(c.RoleBlueAnalyst, "test_comments", hidden.Id) {
		t.Error("revealed test still hidden from blue")
	}
}
