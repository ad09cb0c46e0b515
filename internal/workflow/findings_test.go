package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/stretchr/testify/require"
)

func TestMissOpensFindingAndPassingRetestResolvesIt(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1566.001", map[string]any{"priority": "high"})
	e.save(c.Mitigations, map[string]any{"stix_id": "course-of-action--1", "attack_id": "M1049", "name": "Antivirus/Antimalware", "techniques": []string{tech.Id}})
	id := e.newTest(tech, nil).Id
	op := e.users[c.RoleRedOperator].Id
	e.mustAct(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
	e.mustAct(id, c.RoleRedOperator, "start", nil)
	e.mustAct(id, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"})
	e.mustAct(id, c.RoleBlueAnalyst, "record", map[string]any{"prevention": "not_blocked", "detection": "telemetry"})

	f, err := e.app.FindFirstRecordByFilter(c.Findings, "test = {:t}", map[string]any{"t": id})
	require.NoError(t, err, "no finding opened")
	if f.GetString("status") != "open" || f.GetString("severity") != "high" || f.GetString("technique") != tech.Id ||
		f.GetString("owner") != e.users[c.RoleBlueAnalyst].Id || f.GetDateTime("due_at").IsZero() ||
		f.GetString("title") == "" {
		t.Fatalf("finding: %v", f.FieldsData())
	}
	if rec := f.GetString("recommendation"); !strings.Contains(rec, "M1049") || !strings.Contains(rec, "T1566.001") {
		t.Errorf("recommendation: %q", rec)
	}
	// The analyst who recorded the miss became the test's analyst and owns it.
	if n := e.count(c.Notifications, "user = {:u} && kind = 'finding_opened'", map[string]any{"u": e.users[c.RoleBlueAnalyst].Id}); n != 1 {
		t.Errorf("finding notifications = %d", n)
	}

	// Only validated or closed tests can be retested; operators may not.
	if res := e.do("POST", "/api/aegis/tests/"+id+"/retest", c.RoleRedOperator, nil); res.Status != 403 {
		t.Errorf("retest by operator: %d", res.Status)
	}
	res := e.do("POST", "/api/aegis/tests/"+id+"/retest", c.RoleRedLead, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("retest: %d %s", res.Status, res.Body)
	}
	var rt struct{ Id, State, Retest_of, Procedure string }
	res.JSON(t, &rt)
	if rt.State != c.StateDraft || rt.Retest_of != id {
		t.Fatalf("retest: %s", res.Body)
	}
	// A failing retest keeps the finding open.
	walk := func(tid, prevention, detection string) {
		e.mustAct(tid, c.RoleRedLead, "approve", map[string]any{"red_assignee": op})
		e.mustAct(tid, c.RoleRedOperator, "start", nil)
		e.mustAct(tid, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"})
		e.mustAct(tid, c.RoleBlueAnalyst, "record", map[string]any{"prevention": prevention, "detection": detection})
	}
	walk(rt.Id, "not_blocked", "none")
	f, _ = e.app.FindRecordById(c.Findings, f.Id)
	if f.GetString("status") != "open" {
		t.Fatalf("failing retest changed the finding: %s", f.GetString("status"))
	}
	// The second miss opened its own finding; a passing third test resolves both.
	res = e.do("POST", "/api/aegis/tests/"+rt.Id+"/retest", c.RoleRedLead, nil)
	var rt2 struct{ Id string }
	res.JSON(t, &rt2)
	walk(rt2.Id, "not_blocked", "technique")
	f, _ = e.app.FindRecordById(c.Findings, f.Id)
	if f.GetString("status") != "resolved" || f.GetString("resolved_by_test") != rt2.Id || f.GetDateTime("resolved_at").IsZero() {
		t.Fatalf("finding after passing retest: %v", f.FieldsData())
	}
	if n := e.count(c.Findings, "status = 'open'", nil); n != 0 {
		t.Errorf("open findings left: %d", n)
	}
}

func TestFindingLifecycleGuard(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1110", nil)
	f := e.save(c.Findings, map[string]any{"technique": tech.Id, "title": "weak passwords", "status": "open", "severity": "medium"})
	patch := func(role c.Role, status string) int {
		return e.do("PATCH", "/api/collections/findings/records/"+f.Id, role, map[string]any{"status": status}).Status
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
		if got := patch(s.role, s.status); got != s.want {
			t.Fatalf("step %d %s by %s: %d, want %d", i, s.status, s.role, got, s.want)
		}
	}
	f, _ = e.app.FindRecordById(c.Findings, f.Id)
	if f.GetString("status") != "risk_accepted" || f.GetDateTime("resolved_at").IsZero() {
		t.Errorf("final finding: %v", f.FieldsData())
	}
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{{"open", "in_progress", true}, {"open", "resolved", true}, {"in_progress", "risk_accepted", true},
		{"resolved", "risk_accepted", false}, {"risk_accepted", "in_progress", false}, {"open", "open", true}} {
		if err := workflow.CheckFindingStatus(tc.from, tc.to); (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v", tc.from, tc.to, err)
		}
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
		if got := workflow.BestPrevention(tc.a, tc.b); got != tc.prev {
			t.Errorf("BestPrevention(%q,%q) = %q", tc.a, tc.b, got)
		}
		if got := workflow.BestPrevention(tc.b, tc.a); got != tc.prev {
			t.Errorf("BestPrevention(%q,%q) = %q", tc.b, tc.a, got)
		}
	}
	if workflow.BestDetection("telemetry", "tactic") != "tactic" || workflow.BestDetection("technique", "general") != "technique" ||
		workflow.BestDetection("", "none") != "none" {
		t.Error("BestDetection order")
	}
	missed := map[[2]string]bool{{"not_blocked", "none"}: true, {"partial", "telemetry"}: true, {"blocked", "none"}: false,
		{"not_blocked", "general"}: false}
	for k, want := range missed {
		if workflow.Missed(k[0], k[1]) != want {
			t.Errorf("Missed%v != %v", k, want)
		}
	}
	if !workflow.Passed("blocked", "none") || !workflow.Passed("not_blocked", "general") || workflow.Passed("partial", "telemetry") {
		t.Error("Passed")
	}
}
