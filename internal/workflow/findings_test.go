package workflow_test

import (
	"net/http"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissOpensFindingAndPassingRetestResolvesIt(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1566.001", map[string]any{"priority": "high"})
	e.Save(c.Mitigations, map[string]any{"stix_id": "course-of-action--1", "attack_id": "M1049", "name": "Antivirus/Antimalware", "techniques": []string{tech.Id}})
	id := e.newTest(tech, nil).Id
	op := e.Users[c.RoleRedOperator].Id
	e.MustTransition(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	e.MustTransition(id, c.RoleRedOperator, "start", nil)
	e.MustTransition(id, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"})
	e.MustTransition(id, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "not_blocked", "detection": "telemetry"})

	f, err := e.App.FindFirstRecordByFilter(c.Findings, "test = {:t}", map[string]any{"t": id})
	require.NoError(t, err, "no finding opened")
	require.Equal(t, "open", f.GetString("status"), "finding: %v", f.FieldsData())
	require.Equal(t, "high", f.GetString("severity"), "finding: %v", f.FieldsData())
	require.Equal(t, tech.Id, f.GetString("technique"), "finding: %v", f.FieldsData())
	require.Equal(t, e.Users[c.RoleBlueAnalyst].Id, f.GetString("owner"), "finding: %v", f.FieldsData())
	require.False(t, f.GetDateTime("due_at").IsZero(), "finding: %v", f.FieldsData())
	require.NotEqual(t, "", f.GetString("title"), "finding: %v", f.FieldsData())
	rec := f.GetString("recommendation")
	assert.Contains(t, rec, "M1049", "recommendation: %q", rec)
	assert.Contains(t, rec, "T1566.001", "recommendation: %q", rec)
	// The analyst who recorded the miss became the test's analyst and owns it.
	n := e.count(c.Notifications, "user = {:u} && kind = 'finding_opened'", map[string]any{"u": e.Users[c.RoleBlueAnalyst].Id})
	assert.Equal(t, 1, n, "finding notifications = %d", n)

	// Only validated or closed tests can be retested; operators may not.
	retest := e.Do("POST", "/api/aegis/tests/"+id+"/retest", c.RoleRedOperator, nil)
	assert.Equal(t, 403, retest.Status, "an operator may not retest")
	res := e.Do("POST", "/api/aegis/tests/"+id+"/retest", c.RoleRedLead, nil)
	require.Equal(t, http.StatusOK, res.Status, "retest: %d %s", res.Status, res.Body)
	var rt struct{ Id, State, Retest_of, Procedure string }
	res.JSON(t, &rt)
	require.Equal(t, c.StateDraft, rt.State, "retest: %s", res.Body)
	require.Equal(t, id, rt.Retest_of, "retest: %s", res.Body)
	// A failing retest keeps the finding open.
	walk := func(tid, prevention, detection string) {
		e.MustTransition(tid, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
		e.MustTransition(tid, c.RoleRedOperator, "start", nil)
		e.MustTransition(tid, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"})
		e.MustTransition(tid, c.RoleBlueAnalyst, "record", map[string]any{"prevention": prevention, "detection": detection})
	}
	walk(rt.Id, "not_blocked", "none")
	f, _ = e.App.FindRecordById(c.Findings, f.Id)
	require.Equal(t, "open", f.GetString("status"), "failing retest changed the finding: %s", f.GetString("status"))
	// The second miss opened its own finding; a passing third test resolves both.
	res = e.Do("POST", "/api/aegis/tests/"+rt.Id+"/retest", c.RoleRedLead, nil)
	var rt2 struct{ Id string }
	res.JSON(t, &rt2)
	walk(rt2.Id, "not_blocked", "technique")
	f, _ = e.App.FindRecordById(c.Findings, f.Id)
	require.Equal(t, "resolved", f.GetString("status"), "finding after passing retest: %v", f.FieldsData())
	require.Equal(t, rt2.Id, f.GetString("resolved_by_test"), "finding after passing retest: %v", f.FieldsData())
	require.False(t, f.GetDateTime("resolved_at").IsZero(), "finding after passing retest: %v", f.FieldsData())
	n = e.count(c.Findings, "status = 'open'", nil)
	assert.Equal(t, 0, n, "open findings left: %d", n)
}

func TestFindingLifecycleGuard(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1110", nil)
	f := e.Save(c.Findings, map[string]any{"technique": tech.Id, "title": "weak passwords", "status": "open", "severity": "medium"})
	patch := func(role c.Role, status string) int {
		return e.Do("PATCH", "/api/collections/findings/records/"+f.Id, role, map[string]any{"status": status}).Status
	}
	steps := []struct {
		role   c.Role
		status string
		want   int
	}{
		{c.RoleBlueAnalyst, "in_progress", 404}, // not a finding manager: the update rule hides it
		{c.RoleBlueLead, "in_progress", 200},
		{c.RoleRedLead, "resolved", 200},
		{c.RoleBlueLead, "in_progress", 400}, // resolved → in_progress is not a move
		{c.RoleBlueLead, "open", 200},
		{c.RoleAdmin, "risk_accepted", 200},
		{c.RoleBlueLead, "resolved", 400},
	}
	for i, s := range steps {
		got := patch(s.role, s.status)
		require.Equal(t, s.want, got, "step %d %s by %s: %d, want %d", i, s.status, s.role, got, s.want)
	}
	f, _ = e.App.FindRecordById(c.Findings, f.Id)
	assert.Equal(t, "risk_accepted", f.GetString("status"), "final finding: %v", f.FieldsData())
	assert.False(t, f.GetDateTime("resolved_at").IsZero(), "final finding: %v", f.FieldsData())
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{{"open", "in_progress", true}, {"open", "resolved", true}, {"in_progress", "risk_accepted", true},
		{"resolved", "risk_accepted", false}, {"risk_accepted", "in_progress", false}, {"open", "open", true}} {
		t.Run(tc.from+" to "+tc.to, func(t *testing.T) {
			err := workflow.CheckFindingStatus(tc.from, tc.to)
			assert.Equal(t, tc.ok, err == nil, "%s → %s allowed: %v", tc.from, tc.to, err)
		})
	}
}

func TestOutcomeOrdering(t *testing.T) {
	cases := []struct {
		a, b, prev, det string
	}{
		{"blocked", "partial", "blocked", ""},
		{"", "not_blocked", "not_blocked", ""},
		{"partial", "not_blocked", "partial", ""},
	}
	for _, tc := range cases {
		t.Run(tc.a+" and "+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.prev, workflow.BestPrevention(tc.a, tc.b), "BestPrevention(%q,%q)", tc.a, tc.b)
			assert.Equal(t, tc.prev, workflow.BestPrevention(tc.b, tc.a), "BestPrevention(%q,%q)", tc.b, tc.a)
		})
	}
	assert.Equal(t, "tactic", workflow.BestDetection("telemetry", "tactic"), "BestDetection order")
	assert.Equal(t, "technique", workflow.BestDetection("technique", "general"), "BestDetection order")
	assert.Equal(t, "none", workflow.BestDetection("", "none"), "BestDetection order")
	missed := map[[2]string]bool{{"not_blocked", "none"}: true, {"partial", "telemetry"}: true, {"blocked", "none"}: false,
		{"not_blocked", "general"}: false}
	for k, want := range missed {
		assert.Equal(t, want, workflow.Missed(k[0], k[1]), "Missed%v != %v", k, want)
	}
	assert.True(t, workflow.Passed("blocked", "none"), "Passed")
	assert.True(t, workflow.Passed("not_blocked", "general"), "Passed")
	assert.False(t, workflow.Passed("partial", "telemetry"), "Passed")
}
