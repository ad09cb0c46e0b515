package workflow

import (
	"fmt"
	"strings"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Transition actions (DESIGN §4, §12).
const (
	ActionApprove = "approve"
	ActionStart   = "start"
	ActionSubmit  = "submit"
	ActionRecord  = "record"
	ActionRework  = "rework"
	ActionClose   = "close"
	ActionCancel  = "cancel"
	ActionReveal  = "reveal"
)

// Actions lists every transition action.
var Actions = []string{ActionApprove, ActionStart, ActionSubmit, ActionRecord, ActionRework, ActionClose, ActionCancel, ActionReveal}

// ToolOutcome is one defense tool's result for a test.
type ToolOutcome struct {
	DefenseTool string `json:"defense_tool"`
	Prevention  string `json:"prevention"`
	Detection   string `json:"detection"`
	DetectedAt  string `json:"detected_at"`
	Notes       string `json:"notes"`
}

// Input is the body of POST /api/aegis/tests/{id}/transition.
type Input struct {
	Action   string `json:"action"`
	Revision *int   `json:"revision"`

	// approve
	RedAssignee  string `json:"red_assignee"`
	BlueAssignee string `json:"blue_assignee"`
	DueAt        string `json:"due_at"`
	// submit
	RedResult  string `json:"red_result"`
	ExecutedAt string `json:"executed_at"`
	RedNotes   string `json:"red_notes"`
	// record
	Prevention     string        `json:"prevention"`
	Detection      string        `json:"detection"`
	DetectedAt     string        `json:"detected_at"`
	AlertSeverity  string        `json:"alert_severity"`
	DetectionRules []string      `json:"detection_rules"`
	ToolOutcomes   []ToolOutcome `json:"tool_outcomes"`
	BlueNotes      string        `json:"blue_notes"`
	// rework, cancel
	Reason string `json:"reason"`
}

// step describes one action: who may take it, from which states, to which.
type step struct {
	roles []string
	from  []string
	to    string // "" keeps the state (reveal)
}

var steps = map[string]step{
	ActionApprove: {roles: []string{c.RoleAdmin, c.RoleRedLead}, from: []string{c.StateDraft}, to: c.StateReady},
	ActionStart:   {roles: []string{c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator}, from: []string{c.StateReady}, to: c.StateExecuting},
	ActionSubmit:  {roles: []string{c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator}, from: []string{c.StateExecuting}, to: c.StateBlueReview},
	ActionRecord:  {roles: []string{c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst}, from: []string{c.StateBlueReview}, to: c.StateValidated},
	ActionRework:  {roles: []string{c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst}, from: []string{c.StateBlueReview}, to: c.StateExecuting},
	ActionClose:   {roles: []string{c.RoleAdmin, c.RoleRedLead, c.RoleBlueLead}, from: []string{c.StateValidated}, to: c.StateClosed},
	ActionCancel:  {roles: []string{c.RoleAdmin, c.RoleRedLead}, from: []string{c.StateDraft, c.StateReady, c.StateExecuting}, to: c.StateCancelled},
	ActionReveal:  {roles: []string{c.RoleAdmin, c.RoleRedLead}, from: c.TestStates, to: ""},
}

// Allowed lists the actions actor may take on test now (for the UI to offer
// only those); it applies the same checks as Transition, minus the fields.
func Allowed(actor Actor, test *core.Record) []string {
	out := []string{}
	for _, a := range Actions {
		if checkActor(actor, a, test) == nil && checkState(a, test, nil) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Transition applies in.Action to the test testId for actor, in one
// transaction: the checks (404 invisible, 403 role or assignee, 409 state or
// stale revision, 400 fields), a compare-and-swap on revision, the new field
// values, per-tool outcomes, findings, the audit entry and the notification
// of the next actor. Realtime subscribers see the saved record after commit.
// Nothing is written when an error is returned.
func Transition(app core.App, actor Actor, testId string, in Input) (*core.Record, error) {
	in.Action = strings.TrimSpace(in.Action)
	if _, ok := steps[in.Action]; !ok {
		return nil, invalid("action", fmt.Sprintf("Unknown action %q: use one of %s.", in.Action, strings.Join(Actions, ", ")))
	}
	if in.Revision == nil {
		return nil, missing("revision")
	}
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor.Audit())
		test, err := tx.FindRecordById(c.Tests, testId)
		if err != nil || !actor.CanSee(test) {
			return notFound("Test not found.")
		}
		if err := checkActor(actor, in.Action, test); err != nil {
			return err
		}
		if err := checkState(in.Action, test, in.Revision); err != nil {
			return err
		}
		from := test.GetString("state")
		ch, err := apply(tx, actor, test, in)
		if err != nil {
			return err
		}
		if err := bumpRevision(tx, test); err != nil {
			return err
		}
		if err := tx.Save(test); err != nil {
			return fmt.Errorf("save test %s: %w", test.Id, err)
		}
		if err := ch.after(tx, test); err != nil {
			return err
		}
		details := map[string]any{"action": in.Action, "from": from, "to": test.GetString("state"),
			"revision": test.GetInt("revision")}
		if in.Reason != "" {
			details["reason"] = in.Reason
		}
		for k, v := range ch.details {
			details[k] = v
		}
		if err := audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.kind(),
			Action: "transition", Collection: c.Tests, RecordId: test.Id, Details: details, IP: actor.IP}); err != nil {
			return fmt.Errorf("audit transition: %w", err)
		}
		if err := notifyNext(tx, actor, in.Action, test); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		saved = test
		return nil
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// checkActor is the 403 part: role, then assignee.
func checkActor(actor Actor, action string, test *core.Record) error {
	st := steps[action]
	if !actor.Is(st.roles...) {
		return forbidden(fmt.Sprintf("Your role may not %s a test.", action))
	}
	switch action {
	case ActionStart, ActionSubmit:
		if actor.Is(c.RoleRedOperator) && test.GetString("red_assignee") != actor.Id {
			return forbidden("Only the assigned red operator or a red lead may " + action + " this test.")
		}
	case ActionRecord, ActionRework:
		if a := test.GetString("blue_assignee"); a != "" && actor.Is(c.RoleBlueAnalyst) && a != actor.Id {
			return forbidden("Only the assigned blue analyst or a blue lead may " + action + " this test.")
		}
	}
	return nil
}

// checkState is the 409 part: the state the action starts from and, when
// given, the revision the caller last saw.
func checkState(action string, test *core.Record, revision *int) error {
	st := steps[action]
	state := test.GetString("state")
	if !contains(st.from, state) {
		return conflict(fmt.Sprintf("Cannot %s a test in state %s.", action, state))
	}
	if action == ActionReveal && test.GetBool("revealed") {
		return conflict("The test is already revealed.")
	}
	if revision != nil && *revision != test.GetInt("revision") {
		return conflict(fmt.Sprintf("The test changed meanwhile (revision %d, you sent %d): reload it.",
			test.GetInt("revision"), *revision))
	}
	return nil
}

// bumpRevision is the optimistic lock: it increments revision only when
// nobody else did since the record was read, in the same transaction.
func bumpRevision(tx core.App, test *core.Record) error {
	old := test.GetInt("revision")
	res, err := tx.DB().NewQuery("UPDATE {{tests}} SET [[revision]] = {:new} WHERE [[id]] = {:id} AND [[revision]] = {:old}").
		Bind(dbx.Params{"new": old + 1, "id": test.Id, "old": old}).Execute()
	if err != nil {
		return fmt.Errorf("bump revision of %s: %w", test.Id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return conflict("The test changed meanwhile: reload it.")
	}
	test.Set("revision", old+1)
	return nil
}

// change is what an action does beyond its own record.
type change struct {
	details map[string]any
	after   func(tx core.App, test *core.Record) error
}

func noAfter(core.App, *core.Record) error { return nil }

// apply validates the action's fields (400) and sets them on test.
func apply(tx core.App, actor Actor, test *core.Record, in Input) (change, error) {
	ch := change{details: map[string]any{}, after: noAfter}
	st := steps[in.Action]
	switch in.Action {
	case ActionApprove:
		if in.RedAssignee == "" {
			in.RedAssignee = test.GetString("red_assignee")
		}
		if in.RedAssignee == "" {
			return ch, missing("red_assignee")
		}
		if err := checkUser(tx, "red_assignee", in.RedAssignee, c.RoleRedOperator, c.RoleRedLead, c.RoleAdmin); err != nil {
			return ch, err
		}
		test.Set("red_assignee", in.RedAssignee)
		ch.details["red_assignee"] = in.RedAssignee
		if in.BlueAssignee != "" {
			if err := checkUser(tx, "blue_assignee", in.BlueAssignee, c.RoleBlueAnalyst, c.RoleBlueLead, c.RoleAdmin); err != nil {
				return ch, err
			}
			test.Set("blue_assignee", in.BlueAssignee)
		}
		if in.DueAt != "" {
			d, err := parseTime("due_at", in.DueAt)
			if err != nil {
				return ch, err
			}
			test.Set("due_at", d)
		}
	case ActionStart, ActionClose:
		if in.Action == ActionClose {
			test.Set("reason", "")
		}
	case ActionSubmit:
		if in.RedResult == "" {
			return ch, missing("red_result")
		}
		if !contains(c.RedResults, in.RedResult) {
			return ch, invalid("red_result", "red_result must be one of "+strings.Join(c.RedResults, ", ")+".")
		}
		executed := types.NowDateTime()
		if in.ExecutedAt != "" {
			d, err := parseTime("executed_at", in.ExecutedAt)
			if err != nil {
				return ch, err
			}
			executed = d
		}
		test.Set("red_result", in.RedResult)
		test.Set("executed_at", executed)
		if in.RedNotes != "" {
			test.Set("red_notes", in.RedNotes)
		}
		test.Set("reason", "")
		ch.details["red_result"] = in.RedResult
	case ActionRecord:
		rc, err := record(tx, actor, test, in)
		if err != nil {
			return ch, err
		}
		ch = rc
	case ActionRework, ActionCancel:
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			return ch, missing("reason")
		}
		test.Set("reason", reason)
	case ActionReveal:
		test.Set("revealed", true)
		ch.details["revealed"] = true
	}
	if st.to != "" {
		test.Set("state", st.to)
	}
	return ch, nil
}

// checkUser verifies that id is an active user holding one of roles.
func checkUser(tx core.App, field, id string, roles ...string) error {
	u, err := tx.FindRecordById(c.Users, id)
	if err != nil || !u.GetBool("active") {
		return invalid(field, field+" must be an active user.")
	}
	if !contains(roles, u.GetString("role")) {
		return invalid(field, fmt.Sprintf("%s must hold one of the roles %s.", field, strings.Join(roles, ", ")))
	}
	return nil
}

// parseTime accepts RFC 3339 and PocketBase's "2006-01-02 15:04:05.000Z".
func parseTime(field, s string) (types.DateTime, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return types.ParseDateTime(t)
	}
	d, err := types.ParseDateTime(s)
	if err != nil || d.IsZero() {
		return types.DateTime{}, invalid(field, field+" must be a date and time (RFC 3339).")
	}
	return d, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// notifyNext tells whoever acts next. Blue is told nothing about tests it
// cannot see yet; red leads are asked to reveal them instead.
func notifyNext(tx core.App, actor Actor, action string, test *core.Record) error {
	name := test.GetString("name")
	link := "/tests/" + test.Id
	send := func(userId string, kind, title string) error {
		if userId == "" || userId == actor.Id {
			return nil
		}
		return notify.User(tx, userId, notify.Message{Kind: kind, Title: title, Body: name, Link: link})
	}
	role := func(kind, title string, roles ...string) error {
		_, err := notify.Role(tx, notify.Message{Kind: kind, Title: title, Body: name, Link: link}, roles...)
		return err
	}
	switch action {
	case ActionApprove:
		return send(test.GetString("red_assignee"), "test_assigned", "Test assigned to you")
	case ActionSubmit:
		if !test.GetBool("revealed") {
			return role("test_awaiting_reveal", "Executed blind test awaits reveal", c.RoleRedLead)
		}
		if a := test.GetString("blue_assignee"); a != "" {
			return send(a, "test_blue_review", "Test ready for blue review")
		}
		return role("test_blue_review", "Test ready for blue review", c.RoleBlueLead)
	case ActionReveal:
		if test.GetString("state") != c.StateBlueReview {
			return nil
		}
		if a := test.GetString("blue_assignee"); a != "" {
			return send(a, "test_blue_review", "Test ready for blue review")
		}
		return role("test_blue_review", "Test ready for blue review", c.RoleBlueLead)
	case ActionRecord:
		if a := test.GetString("red_assignee"); a != "" {
			return send(a, "outcome_recorded", "Outcome recorded")
		}
		return role("outcome_recorded", "Outcome recorded", c.RoleRedLead)
	case ActionRework:
		if a := test.GetString("red_assignee"); a != "" {
			return send(a, "test_rework", "Test sent back for rework")
		}
		return role("test_rework", "Test sent back for rework", c.RoleRedLead)
	}
	return nil
}
