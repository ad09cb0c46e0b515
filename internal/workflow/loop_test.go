package workflow_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkTo moves a fresh test of the open campaign camp to state, approving it
// for the red operator (and blueAssignee when set); blind campaigns only get
// drafts.
func (e *env) walkTo(camp *core.Record, state, blueAssignee string) *core.Record {
	e.T.Helper()
	test := e.newTest(e.technique("T1003.001", nil), camp)
	path := []struct {
		until  string
		role   c.Role
		action string
		fields map[string]any
	}{
		{c.StateReady, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.Users[c.RoleRedOperator].Id, "blue_assignee": blueAssignee}},
		{c.StateExecuting, c.RoleRedOperator, "start", nil},
		{c.StateBlueReview, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed", "executed_at": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}},
		{c.StateValidated, c.RoleBlueLead, "record", map[string]any{"prevention": "blocked", "detection": "technique"}},
	}
	for _, p := range path {
		if e.Get(c.Tests, test.Id).GetString("state") == state {
			break
		}
		e.MustTransition(test.Id, p.role, p.action, p.fields)
	}
	return e.Get(c.Tests, test.Id)
}

func TestAllowedActionsComeFromTheServer(t *testing.T) {
	e := newEnv(t)
	open, blind := e.campaign("open", false), e.campaign("blind", true)
	lead := e.Users[c.RoleBlueLead].Id
	draft := e.walkTo(open, c.StateDraft, "")
	ready := e.walkTo(open, c.StateReady, "")
	review := e.walkTo(open, c.StateBlueReview, "")
	reviewOfLead := e.walkTo(open, c.StateBlueReview, lead)
	validated := e.walkTo(open, c.StateValidated, "")
	hidden := e.walkTo(blind, c.StateDraft, "")
	cancelledHidden := e.walkTo(blind, c.StateDraft, "")
	e.MustTransition(cancelledHidden.Id, c.RoleRedLead, "cancel", map[string]any{"reason": "out of scope"})
	cancelledHidden = e.Get(c.Tests, cancelledHidden.Id)

	scenarios := []struct {
		name string
		role c.Role
		test *core.Record
		want []string
	}{
		{"red lead on a draft approves or cancels", c.RoleRedLead, draft, []string{"approve", "cancel"}},
		{"operator on a draft may do nothing", c.RoleRedOperator, draft, []string{}},
		{"assigned operator starts a ready test", c.RoleRedOperator, ready, []string{"start"}},
		{"blue analyst records an unassigned test", c.RoleBlueAnalyst, review, []string{"record", "rework"}},
		{"blue analyst may not record a test assigned to the blue lead", c.RoleBlueAnalyst, reviewOfLead, []string{}},
		{"blue lead records a test assigned to them", c.RoleBlueLead, reviewOfLead, []string{"record", "rework"}},
		{"red lead closes or retests a validated test", c.RoleRedLead, validated, []string{"close", "retest"}},
		{"blue lead closes but does not retest", c.RoleBlueLead, validated, []string{"close"}},
		{"viewer may do nothing", c.RoleViewer, validated, []string{}},
		{"red lead reveals a hidden draft", c.RoleRedLead, hidden, []string{"approve", "cancel", "reveal"}},
		{"red lead may still reveal a cancelled hidden test", c.RoleRedLead, cancelledHidden, []string{"reveal"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			res := e.Do("GET", "/api/aegis/tests/"+s.test.Id+"/actions", s.role, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			var one struct{ Actions []string }
			res.JSON(t, &one)
			assert.Equal(t, s.want, one.Actions, "per-test route")

			res = e.Do("GET", "/api/aegis/tests/actions?ids="+s.test.Id+",unknown-id", s.role, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			var many struct {
				Tests map[string]struct {
					Actions  []string
					Revision int
					State    string
				}
			}
			res.JSON(t, &many)
			require.Contains(t, many.Tests, s.test.Id)
			assert.Equal(t, s.want, many.Tests[s.test.Id].Actions, "list route")
			assert.Equal(t, s.test.GetString("state"), many.Tests[s.test.Id].State)
			assert.NotContains(t, many.Tests, "unknown-id")
		})
	}

	ids := make([]string, 501)
	for i := range ids {
		ids[i] = "id" + strings.Repeat("x", 3)
		ids[i] += string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	requests := []struct {
		name   string
		role   c.Role
		url    string
		status int
		body   string
	}{
		{"anonymous callers get nothing", "", "/api/aegis/tests/actions?ids=" + draft.Id, http.StatusUnauthorized, ""},
		{"ids are required", c.RoleRedLead, "/api/aegis/tests/actions", http.StatusBadRequest, "ids"},
		{"at most 500 ids", c.RoleRedLead, "/api/aegis/tests/actions?ids=" + strings.Join(ids, ","), http.StatusBadRequest, "500"},
		{"blue does not see hidden tests", c.RoleBlueAnalyst, "/api/aegis/tests/actions?ids=" + hidden.Id, http.StatusOK, `{"tests":{}}`},
		{"hidden test's own route is 404 for blue", c.RoleBlueAnalyst, "/api/aegis/tests/" + hidden.Id + "/actions", http.StatusNotFound, ""},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			res := e.Do("GET", r.url, r.role, nil)
			assert.Equal(t, r.status, res.Status, string(res.Body))
			assert.Contains(t, string(res.Body), r.body)
		})
	}
}

func TestRecordAndSubmitNameWhoActedAndRefuseFutureTimes(t *testing.T) {
	e := newEnv(t)
	camp := e.campaign("times", false)
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	scenarios := []struct {
		name   string
		fields map[string]any
		status int
		body   string
	}{
		{"detection in the future is refused", map[string]any{"prevention": "not_blocked", "detection": "technique", "detected_at": ts(time.Hour)},
			http.StatusBadRequest, "in the future"},
		{"detection before execution is refused", map[string]any{"prevention": "not_blocked", "detection": "technique", "detected_at": ts(-3 * time.Hour)},
			http.StatusBadRequest, "before the test was executed"},
		{"a tool's detection in the future is refused", map[string]any{"tool_outcomes": []map[string]any{
			{"defense_tool": "TOOL", "prevention": "blocked", "detection": "technique", "detected_at": ts(2 * time.Hour)}}},
			http.StatusBadRequest, "tool_outcomes.0.detected_at"},
		{"a detection between execution and now is stored with notes", map[string]any{"prevention": "blocked", "detection": "technique",
			"detected_at": ts(-30 * time.Minute), "blue_notes": "EDR alert 4411 fired"}, http.StatusOK, `"blue_notes":"EDR alert 4411 fired"`},
	}
	tool := e.Save(c.DefenseTools, map[string]any{"name": "EDR", "kind": "edr", "active": true})
	analyst := e.Users[c.RoleBlueAnalyst].Id
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			test := e.walkTo(camp, c.StateBlueReview, "")
			require.Empty(t, test.GetString("blue_assignee"))
			if tos, ok := s.fields["tool_outcomes"].([]map[string]any); ok {
				tos[0]["defense_tool"] = tool.Id
			}
			res := e.Transition(test.Id, c.RoleBlueAnalyst, "record", s.fields)
			assert.Equal(t, s.status, res.Status, string(res.Body))
			assert.Contains(t, string(res.Body), s.body)
			after := e.Get(c.Tests, test.Id)
			if s.status == http.StatusOK {
				assert.Equal(t, analyst, after.GetString("blue_assignee"), "the recorder becomes the analyst")
				assert.Equal(t, analyst, after.GetString("validated_by"))
			} else {
				assert.Equal(t, c.StateBlueReview, after.GetString("state"), "nothing stored on refusal")
				assert.Empty(t, after.GetString("blue_assignee"))
			}
		})
	}

	t.Run("an assigned analyst stays when the blue lead records", func(t *testing.T) {
		test := e.walkTo(camp, c.StateBlueReview, analyst)
		e.MustTransition(test.Id, c.RoleBlueLead, "record", map[string]any{"prevention": "blocked", "detection": "general"})
		assert.Equal(t, analyst, e.Get(c.Tests, test.Id).GetString("blue_assignee"))
	})

	t.Run("a red lead submitting an unassigned test becomes its operator", func(t *testing.T) {
		test := e.newTest(e.technique("T1059", nil), camp)
		// Approve needs an assignee; clear it afterwards as a lead may.
		e.MustTransition(test.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.Users[c.RoleRedOperator].Id})
		rec := e.Get(c.Tests, test.Id)
		rec.Set("red_assignee", "")
		require.NoError(t, e.App.Save(rec))
		e.MustTransition(test.Id, c.RoleRedLead, "start", nil)
		res := e.Transition(test.Id, c.RoleRedLead, "submit", map[string]any{"red_result": "executed", "executed_at": ts(time.Hour)})
		assert.Equal(t, http.StatusBadRequest, res.Status, "execution in the future")
		assert.Contains(t, string(res.Body), "executed_at")
		e.MustTransition(test.Id, c.RoleRedLead, "submit", map[string]any{"red_result": "executed", "red_notes": "ran as SYSTEM"})
		after := e.Get(c.Tests, test.Id)
		assert.Equal(t, e.Users[c.RoleRedLead].Id, after.GetString("red_assignee"))
		assert.Equal(t, "ran as SYSTEM", after.GetString("red_notes"))
	})
}

func TestWhoeverActsNextIsNotified(t *testing.T) {
	e := newEnv(t)
	camp := e.campaign("notify", false)
	u := func(role c.Role) string { return e.Users[role].Id }
	// unread returns the titles of role's notifications about test since.
	unread := func(role c.Role, link string) []string {
		recs, err := e.App.FindRecordsByFilter(c.Notifications, "user = {:u} && link = {:l}", "created", 0, 0,
			map[string]any{"u": u(role), "l": link})
		require.NoError(t, err)
		var out []string
		for _, r := range recs {
			out = append(out, r.GetString("kind"))
		}
		return out
	}
	scenarios := []struct {
		name     string
		blue     string // blue_assignee at approval
		from     string // state the test is walked to
		role     c.Role
		action   string
		fields   map[string]any
		told     map[c.Role][]string // role → notification kinds about this test
		notTold  []c.Role
		findings bool
	}{
		{name: "approval tells the operator", from: c.StateDraft, role: c.RoleRedLead, action: "approve",
			fields: map[string]any{"red_assignee": u(c.RoleRedOperator)},
			told:   map[c.Role][]string{c.RoleRedOperator: {"test_assigned"}}, notTold: []c.Role{c.RoleBlueAnalyst, c.RoleBlueLead}},
		{name: "submit without an analyst tells blue leads and analysts", from: c.StateExecuting, role: c.RoleRedOperator, action: "submit",
			fields: map[string]any{"red_result": "executed"},
			told:   map[c.Role][]string{c.RoleBlueAnalyst: {"test_blue_review"}, c.RoleBlueLead: {"test_blue_review"}}},
		{name: "submit with an analyst tells only them", blue: string(c.RoleBlueAnalyst), from: c.StateExecuting, role: c.RoleRedOperator, action: "submit",
			fields: map[string]any{"red_result": "executed"},
			told:   map[c.Role][]string{c.RoleBlueAnalyst: {"test_blue_review"}}, notTold: []c.Role{c.RoleBlueLead}},
		{name: "an outcome tells the operator and red leads", from: c.StateBlueReview, role: c.RoleBlueAnalyst, action: "record",
			fields: map[string]any{"prevention": "blocked", "detection": "technique"},
			told:   map[c.Role][]string{c.RoleRedOperator: {"outcome_recorded"}, c.RoleRedLead: {"outcome_recorded"}}},
		{name: "a miss also tells red leads of the finding", from: c.StateBlueReview, role: c.RoleBlueAnalyst, action: "record",
			fields: map[string]any{"prevention": "not_blocked", "detection": "none"}, findings: true,
			told: map[c.Role][]string{c.RoleRedOperator: {"outcome_recorded"}, c.RoleRedLead: {"outcome_recorded", "finding_opened"}}},
		{name: "rework tells the operator", from: c.StateBlueReview, role: c.RoleBlueAnalyst, action: "rework",
			fields: map[string]any{"reason": "no logs"},
			told:   map[c.Role][]string{c.RoleRedOperator: {"test_rework"}}, notTold: []c.Role{c.RoleRedLead}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			test := e.walkTo(camp, s.from, map[bool]string{true: u(c.RoleBlueAnalyst), false: ""}[s.blue != ""])
			e.MustTransition(test.Id, s.role, s.action, s.fields)
			link := "/tests/" + test.Id
			for role, kinds := range s.told {
				got := unread(role, link)
				if s.findings && role == c.RoleRedLead {
					// the finding links to itself
					recs, err := e.App.FindRecordsByFilter(c.Notifications, "user = {:u} && kind = 'finding_opened'", "", 0, 0,
						map[string]any{"u": u(role)})
					require.NoError(t, err)
					require.NotEmpty(t, recs, "red lead hears of the finding")
					got = append(got, "finding_opened")
				}
				assert.Subset(t, got, kinds, role)
			}
			for _, role := range s.notTold {
				assert.Empty(t, unread(role, link), role)
			}
		})
	}

	t.Run("bulk assigning an analyst to a waiting test tells them", func(t *testing.T) {
		test := e.walkTo(camp, c.StateBlueReview, "")
		res := e.Do("POST", "/api/aegis/tests/bulk", c.RoleBlueLead, map[string]any{"action": "assign", "ids": []string{test.Id}, "blue_assignee": u(c.RoleBlueAnalyst)})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		assert.Equal(t, []string{"test_blue_review", "test_blue_review"}, unread(c.RoleBlueAnalyst, "/tests/"+test.Id),
			"once when it waited for blue, once when assigned")
	})

	t.Run("marking all read clears the unread count", func(t *testing.T) {
		res := e.Do("POST", "/api/aegis/notifications/read-all", c.RoleBlueAnalyst, map[string]any{})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res = e.Do("GET", "/api/collections/notifications/records?filter=read%3Dfalse&perPage=1", c.RoleBlueAnalyst, nil)
		require.Equal(t, http.StatusOK, res.Status)
		assert.Contains(t, string(res.Body), `"totalItems":0`)
	})
}

func TestBulkCancelAndRetest(t *testing.T) {
	e := newEnv(t)
	camp := e.campaign("bulk", false)
	d1, d2 := e.walkTo(camp, c.StateDraft, ""), e.walkTo(camp, c.StateReady, "")
	v1, v2 := e.walkTo(camp, c.StateValidated, ""), e.walkTo(camp, c.StateValidated, "")
	scenarios := []struct {
		name   string
		role   c.Role
		body   map[string]any
		status int
		body2  string
		states map[string]string // id → state after
	}{
		{"cancel needs a reason", c.RoleRedLead, map[string]any{"action": "cancel", "ids": []string{d1.Id, d2.Id}}, http.StatusBadRequest, "reason",
			map[string]string{d1.Id: c.StateDraft, d2.Id: c.StateReady}},
		{"cancel is all or nothing: a validated test refuses it", c.RoleRedLead, map[string]any{"action": "cancel", "reason": "descoped", "ids": []string{d1.Id, v1.Id}},
			http.StatusConflict, "Cannot cancel", map[string]string{d1.Id: c.StateDraft, v1.Id: c.StateValidated}},
		{"blue leads may not cancel", c.RoleBlueLead, map[string]any{"action": "cancel", "reason": "x", "ids": []string{d1.Id}}, http.StatusForbidden, "",
			map[string]string{d1.Id: c.StateDraft}},
		{"red lead cancels drafts and ready tests", c.RoleRedLead, map[string]any{"action": "cancel", "reason": "descoped", "ids": []string{d1.Id, d2.Id}},
			http.StatusOK, `"state":"cancelled"`, map[string]string{d1.Id: c.StateCancelled, d2.Id: c.StateCancelled}},
		{"retest of a cancelled test is refused", c.RoleRedLead, map[string]any{"action": "retest", "ids": []string{v1.Id, d1.Id}},
			http.StatusConflict, "retested", map[string]string{v1.Id: c.StateValidated}},
		{"red lead retests validated tests", c.RoleRedLead, map[string]any{"action": "retest", "ids": []string{v1.Id, v2.Id}},
			http.StatusOK, `"retest_of":"` + v1.Id, map[string]string{v1.Id: c.StateValidated}},
		{"unknown bulk action", c.RoleRedLead, map[string]any{"action": "explode", "ids": []string{v1.Id}}, http.StatusBadRequest, "cancel, retest", nil},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			before := e.count(c.Tests, "1=1", nil)
			res := e.Do("POST", "/api/aegis/tests/bulk", s.role, s.body)
			assert.Equal(t, s.status, res.Status, string(res.Body))
			assert.Contains(t, string(res.Body), s.body2)
			for id, st := range s.states {
				assert.Equal(t, st, e.Get(c.Tests, id).GetString("state"), id)
			}
			if s.status != http.StatusOK {
				assert.Equal(t, before, e.count(c.Tests, "1=1", nil), "nothing created on refusal")
			}
		})
	}
	assert.Equal(t, 2, e.count(c.Tests, "retest_of != ''", nil))
}
