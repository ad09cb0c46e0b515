package workflow_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWalkEveryTransition(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1059.001", nil)
	camp := e.campaign("walk", false)
	test := e.newTest(tech, camp)
	require.Equal(t, c.StateDraft, test.GetString("state"), "new test: state %q revision %d revealed %v", test.GetString("state"), test.GetInt("revision"), test.GetBool("revealed"))
	require.Equal(t, 0, test.GetInt("revision"), "new test: state %q revision %d revealed %v", test.GetString("state"), test.GetInt("revision"), test.GetBool("revealed"))
	require.True(t, test.GetBool("revealed"), "new test: state %q revision %d revealed %v", test.GetString("state"), test.GetInt("revision"), test.GetBool("revealed"))
	edr := e.Save(c.DefenseTools, map[string]any{"name": "EDR", "kind": "edr", "active": true})
	siem := e.Save(c.DefenseTools, map[string]any{"name": "SIEM", "kind": "siem", "active": true})
	op, analyst := e.Users[c.RoleRedOperator], e.Users[c.RoleBlueAnalyst]
	rule := e.Save(c.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "r-1", "title": "Encoded PowerShell"})

	steps := []struct {
		role   c.Role
		action string
		fields map[string]any
		state  string
	}{
		{c.RoleRedLead, "approve", map[string]any{"red_assignee": op.Id, "blue_assignee": analyst.Id}, c.StateReady},
		{c.RoleRedOperator, "start", nil, c.StateExecuting},
		{c.RoleRedOperator, "submit", map[string]any{"red_result": "executed", "executed_at": "2026-11-30T10:00:00Z"}, c.StateBlueReview},
		{c.RoleBlueAnalyst, "rework", map[string]any{"reason": "no process tree in the capture"}, c.StateExecuting},
		{c.RoleRedOperator, "submit", map[string]any{"red_result": "executed", "executed_at": "2026-11-30T10:30:00Z"}, c.StateBlueReview},
		{c.RoleBlueAnalyst, "record", map[string]any{"detected_at": "2026-11-30T10:32:00Z", "tool_outcomes": []map[string]any{
			{"defense_tool": edr.Id, "prevention": "not_blocked", "detection": "telemetry"},
			{"defense_tool": siem.Id, "prevention": "partial", "detection": "technique", "notes": "rule fired"},
		}, "detection_rules": []string{rule.Id}, "alert_severity": "high"}, c.StateValidated},
		{c.RoleBlueLead, "close", nil, c.StateClosed},
	}
	notesBefore := e.count(c.Notifications, "1=1", nil)
	for i, s := range steps {
		res := e.Transition(test.Id, s.role, s.action, s.fields)
		require.Equal(t, http.StatusOK, res.Status, "step %d %s: %d %s", i, s.action, res.Status, res.Body)
		var body struct {
			State    string
			Revision int
		}
		res.JSON(t, &body)
		require.Equal(t, s.state, body.State, "step %d %s: got state %s revision %d, want %s %d", i, s.action, body.State, body.Revision, s.state, i+1)
		require.Equal(t, i+1, body.Revision, "step %d %s: got state %s revision %d, want %s %d", i, s.action, body.State, body.Revision, s.state, i+1)
	}
	final := e.Get(c.Tests, test.Id)
	assert.Equal(t, "partial", final.GetString("prevention"), "best across tools: prevention %q detection %q", final.GetString("prevention"), final.GetString("detection"))
	assert.Equal(t, "technique", final.GetString("detection"), "best across tools: prevention %q detection %q", final.GetString("prevention"), final.GetString("detection"))
	rules := final.GetStringSlice("detection_rules")
	if assert.Len(t, rules, 1, "detection rules %v", rules) {
		assert.Equal(t, rule.Id, rules[0], "the detection rule is kept")
	}
	assert.Equal(t, "high", final.GetString("alert_severity"), "the alert severity is kept")
	assert.Equal(t, analyst.Id, final.GetString("validated_by"), "validated_by %q at %v", final.GetString("validated_by"), final.GetDateTime("validated_at"))
	assert.False(t, final.GetDateTime("validated_at").IsZero(), "validated_by %q at %v", final.GetString("validated_by"), final.GetDateTime("validated_at"))
	n := e.count(c.TestOutcomes, "test = {:t}", map[string]any{"t": test.Id})
	assert.Equal(t, 2, n, "test_outcomes rows = %d, want 2", n)
	// Every transition is audited with from → to.
	logs, err := e.App.FindRecordsByFilter(c.AuditLogs, "action = 'transition' && record_id = {:id}", "created", 0, 0,
		map[string]any{"id": test.Id})
	require.NoError(t, err, "transition audit entries = %d (%v), want %d", len(logs), err, len(steps))
	require.Len(t, logs, len(steps), "transition audit entries = %d (%v), want %d", len(logs), err, len(steps))
	var d struct{ From, To, Action string }
	raw, _ := json.Marshal(logs[0].Get("details"))
	_ = json.Unmarshal(raw, &d)
	assert.Equal(t, c.StateDraft, d.From, "first audit entry: %s", raw)
	assert.Equal(t, c.StateReady, d.To, "first audit entry: %s", raw)
	assert.Equal(t, "approve", d.Action, "first audit entry: %s", raw)
	assert.Equal(t, e.Users[c.RoleRedLead].Id, logs[0].GetString("actor"), "the first transition is by the red lead")
	// The next actor was told: operator on approve and rework, analyst on submit, red on record.
	n = e.count(c.Notifications, "user = {:u} && kind = 'test_assigned'", map[string]any{"u": op.Id})
	assert.Equal(t, 1, n, "assignment notifications = %d", n)
	n = e.count(c.Notifications, "user = {:u} && kind = 'test_blue_review'", map[string]any{"u": analyst.Id})
	assert.Equal(t, 2, n, "blue review notifications = %d", n)
	n = e.count(c.Notifications, "user = {:u} && kind = 'test_rework'", map[string]any{"u": op.Id})
	assert.Equal(t, 1, n, "rework notifications = %d", n)
	assert.GreaterOrEqual(t, e.count(c.Notifications, "1=1", nil)-notesBefore, 5, "too few notifications")
	// Partial prevention with a technique alert is no finding.
	n = e.count(c.Findings, "test = {:t}", map[string]any{"t": test.Id})
	assert.Equal(t, 0, n, "findings = %d, want 0", n)
	// History: built from the audit log.
	res := e.Do("GET", "/api/aegis/tests/"+test.Id+"/history", c.RoleViewer, nil)
	var hist struct {
		Items []struct{ Action, Collection string }
	}
	res.JSON(t, &hist)
	transitions := 0
	for _, h := range hist.Items {
		if h.Action == "transition" {
			transitions++
		}
	}
	assert.Equal(t, 200, res.Status, "history: %d, %d transitions: %s", res.Status, transitions, res.Body)
	assert.Equal(t, len(steps), transitions, "history: %d, %d transitions: %s", res.Status, transitions, res.Body)
}

// setup drives a fresh test to state via the API.
func (e *env) testIn(state string) string {
	e.T.Helper()
	tech := e.technique("T1003", nil)
	id := e.newTest(tech, nil).Id
	op := e.Users[c.RoleRedOperator].Id
	path := []struct {
		until  string
		role   c.Role
		action string
		f      map[string]any
	}{
		{c.StateReady, c.RoleRedLead, "approve", map[string]any{"red_assignee": op}},
		{c.StateExecuting, c.RoleRedOperator, "start", nil},
		{c.StateBlueReview, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"}},
		{c.StateValidated, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "blocked", "detection": "technique"}},
		{c.StateClosed, c.RoleRedLead, "close", nil},
	}
	for _, p := range path {
		if e.Get(c.Tests, id).GetString("state") == state {
			break
		}
		e.MustTransition(id, p.role, p.action, p.f)
	}
	got := e.Get(c.Tests, id).GetString("state")
	require.Equal(e.T, state, got, "setup: state %s, want %s", got, state)
	return id
}

func TestIllegalTransitionsChangeNothing(t *testing.T) {
	e := newEnv(t)
	u := e.Users
	cases := []struct {
		name, state   string
		role          c.Role
		action        string
		fields        map[string]any
		staleRevision bool
		want          int
	}{
		{"approve by red operator", c.StateDraft, c.RoleRedOperator, "approve", map[string]any{"red_assignee": u[c.RoleRedOperator].Id}, false, 403},
		{"approve by blue lead", c.StateDraft, c.RoleBlueLead, "approve", map[string]any{"red_assignee": u[c.RoleRedOperator].Id}, false, 403},
		{"approve by viewer", c.StateDraft, c.RoleViewer, "approve", map[string]any{"red_assignee": u[c.RoleRedOperator].Id}, false, 403},
		{"approve without assignee", c.StateDraft, c.RoleRedLead, "approve", nil, false, 400},
		{"approve to a blue assignee", c.StateDraft, c.RoleRedLead, "approve", map[string]any{"red_assignee": u[c.RoleBlueAnalyst].Id}, false, 400},
		{"approve twice", c.StateReady, c.RoleRedLead, "approve", map[string]any{"red_assignee": u[c.RoleRedOperator].Id}, false, 409},
		{"start from draft", c.StateDraft, c.RoleRedLead, "start", nil, false, 409},
		{"start by blue", c.StateReady, c.RoleBlueAnalyst, "start", nil, false, 403},
		{"stale revision", c.StateReady, c.RoleRedOperator, "start", nil, true, 409},
		{"submit without red_result", c.StateExecuting, c.RoleRedOperator, "submit", nil, false, 400},
		{"submit bad red_result", c.StateExecuting, c.RoleRedOperator, "submit", map[string]any{"red_result": "pwned"}, false, 400},
		{"submit bad executed_at", c.StateExecuting, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed", "executed_at": "yesterday"}, false, 400},
		{"submit by blue", c.StateExecuting, c.RoleBlueLead, "submit", map[string]any{"red_result": "executed"}, false, 403},
		{"record by red lead", c.StateBlueReview, c.RoleRedLead, "record", map[string]any{"prevention": "blocked", "detection": "none"}, false, 403},
		{"record without detection", c.StateBlueReview, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "blocked"}, false, 400},
		{"record bad prevention", c.StateBlueReview, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "maybe", "detection": "none"}, false, 400},
		{"record unknown tool", c.StateBlueReview, c.RoleBlueAnalyst, "record", map[string]any{"tool_outcomes": []map[string]any{{"defense_tool": "nope", "prevention": "blocked", "detection": "none"}}}, false, 400},
		{"record detection before execution", c.StateBlueReview, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "blocked", "detection": "none", "detected_at": "2001-01-01T00:00:00Z"}, false, 400},
		{"record while executing", c.StateExecuting, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "blocked", "detection": "none"}, false, 409},
		{"rework without reason", c.StateBlueReview, c.RoleBlueAnalyst, "rework", nil, false, 400},
		{"rework by red", c.StateBlueReview, c.RoleRedOperator, "rework", map[string]any{"reason": "x"}, false, 403},
		{"close by red operator", c.StateValidated, c.RoleRedOperator, "close", nil, false, 403},
		{"close from blue review", c.StateBlueReview, c.RoleBlueLead, "close", nil, false, 409},
		{"cancel without reason", c.StateReady, c.RoleRedLead, "cancel", nil, false, 400},
		{"cancel validated", c.StateValidated, c.RoleRedLead, "cancel", map[string]any{"reason": "x"}, false, 409},
		{"cancel by operator", c.StateReady, c.RoleRedOperator, "cancel", map[string]any{"reason": "x"}, false, 403},
		{"reveal revealed", c.StateDraft, c.RoleRedLead, "reveal", nil, false, 409},
		{"reveal by blue lead", c.StateDraft, c.RoleBlueLead, "reveal", nil, false, 403},
		{"unknown action", c.StateDraft, c.RoleRedLead, "launch", nil, false, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := e.testIn(tc.state)
			before := e.Get(c.Tests, id)
			audits := e.count(c.AuditLogs, "1=1", nil)
			notes := e.count(c.Notifications, "1=1", nil)
			outcomes := e.count(c.TestOutcomes, "1=1", nil)
			body := map[string]any{"action": tc.action, "revision": before.GetInt("revision")}
			if tc.staleRevision {
				body["revision"] = before.GetInt("revision") - 1
			}
			for k, v := range tc.fields {
				body[k] = v
			}
			res := e.Do("POST", "/api/aegis/tests/"+id+"/transition", tc.role, body)
			require.Equal(t, tc.want, res.Status, "status %d, want %d: %s", res.Status, tc.want, res.Body)
			after := e.Get(c.Tests, id)
			for _, f := range []string{"state", "revision", "red_assignee", "red_result", "prevention", "detection", "reason", "updated"} {
				assert.Equal(t, after.GetString(f), before.GetString(f), "%s changed: %q → %q", f, before.GetString(f), after.GetString(f))
			}
			assert.False(t, e.count(c.AuditLogs, "1=1", nil) != audits || e.count(c.Notifications, "1=1", nil) != notes ||
				e.count(c.TestOutcomes, "1=1", nil) != outcomes, "audit, notification or outcome rows were written")
		})
	}

	t.Run("not the assignee", func(t *testing.T) {
		id := e.newTest(e.technique("T1005", nil), nil).Id
		e.MustTransition(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": u[c.RoleRedLead].Id})
		res := e.Transition(id, c.RoleRedOperator, "start", nil)
		require.Equal(t, 403, res.Status, "start by unassigned operator: %d %s", res.Status, res.Body)
		e.MustTransition(id, c.RoleRedLead, "start", nil)
		e.MustTransition(id, c.RoleRedLead, "submit", map[string]any{"red_result": "failed_to_execute"})
		// A blue analyst who is not the blue assignee may not record.
		r := e.Get(c.Tests, id)
		r.Set("blue_assignee", u[c.RoleBlueLead].Id)
		require.NoError(t, e.App.Save(r))
		outcome := map[string]any{"prevention": "blocked", "detection": "none"}
		res = e.Transition(id, c.RoleBlueAnalyst, "record", outcome)
		require.Equal(t, 403, res.Status, "record by unassigned analyst: %d %s", res.Status, res.Body)
		e.MustTransition(id, c.RoleBlueLead, "record", outcome)
	})
	t.Run("missing revision and unknown test", func(t *testing.T) {
		id := e.testIn(c.StateDraft)
		res := e.Do("POST", "/api/aegis/tests/"+id+"/transition", c.RoleRedLead, map[string]any{"action": "approve", "red_assignee": u[c.RoleRedOperator].Id})
		assert.Equal(t, 400, res.Status, "missing revision: %d", res.Status)
		res = e.Do("POST", "/api/aegis/tests/nope/transition", c.RoleRedLead, map[string]any{"action": "approve", "revision": 0})
		assert.Equal(t, 404, res.Status, "unknown test: %d", res.Status)
		res = e.Do("POST", "/api/aegis/tests/"+id+"/transition", "", map[string]any{"action": "approve", "revision": 0})
		assert.Equal(t, 401, res.Status, "anonymous: %d", res.Status)
	})
}

func TestConcurrentTransitionsExactlyOneWins(t *testing.T) {
	e := newEnv(t)
	id := e.newTest(e.technique("T1021", nil), nil).Id
	op := e.Users[c.RoleRedOperator].Id
	var wg sync.WaitGroup
	codes := make([]int, 20)
	start := make(chan struct{})
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			res := e.Do("POST", "/api/aegis/tests/"+id+"/transition", c.RoleRedLead,
				map[string]any{"action": "approve", "revision": 0, "red_assignee": op})
			codes[i] = res.Status
		}(i)
	}
	close(start)
	wg.Wait()
	ok, conflicts := 0, 0
	for _, code := range codes {
		switch code {
		case 200:
			ok++
		case 409:
			conflicts++
		}
	}
	require.Equal(t, 1, ok, "codes %v: %d succeeded, %d conflicts", codes, ok, conflicts)
	require.Equal(t, 19, conflicts, "codes %v: %d succeeded, %d conflicts", codes, ok, conflicts)
	r := e.Get(c.Tests, id)
	require.Equal(t, 1, r.GetInt("revision"), "after the race: revision %d state %s", r.GetInt("revision"), r.GetString("state"))
	require.Equal(t, c.StateReady, r.GetString("state"), "after the race: revision %d state %s", r.GetInt("revision"), r.GetString("state"))
	n := e.count(c.AuditLogs, "action = 'transition' && record_id = {:id}", map[string]any{"id": id})
	require.Equal(t, 1, n, "audit entries %d", n)
}
