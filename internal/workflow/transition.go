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

// Transition actions (DESIGN §4, §12): the vocabulary's, named here for
// the state machine's readers.
const (
	ActionApprove = c.ActionApprove
	ActionStart   = c.ActionStart
	ActionSubmit  = c.ActionSubmit
	ActionRecord  = c.ActionRecord
	ActionRework  = c.ActionRework
	ActionClose   = c.ActionClose
	ActionCancel  = c.ActionCancel
	ActionReveal  = c.ActionReveal
	// ActionConfirm makes an imported outcome count: a blue lead or an admin
	// vouches for an outcome that someone else read in from a file.
	ActionConfirm = c.ActionConfirm
	// ActionRetest is not a transition (POST /tests/{id}/retest plans a new
	// draft) but Allowed offers it alongside them.
	ActionRetest = c.ActionRetest
)

// executionSkew is how far in the future an executed_at may lie (clocks).
const executionSkew = time.Minute

// Actions lists every transition action.
var Actions = []string{ActionApprove, ActionStart, ActionSubmit, ActionRecord, ActionRework, ActionClose, ActionCancel, ActionReveal, ActionConfirm}

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
	roles []c.Role
	from  []string
	to    string // "" keeps the state (reveal)
}

var steps = map[string]step{
	ActionApprove: {roles: []c.Role{c.RoleAdmin, c.RoleRedLead}, from: []string{c.StateDraft}, to: c.StateReady},
	ActionStart:   {roles: []c.Role{c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator}, from: []string{c.StateReady}, to: c.StateExecuting},
	ActionSubmit:  {roles: []c.Role{c.RoleAdmin, c.RoleRedLead, c.RoleRedOperator}, from: []string{c.StateExecuting}, to: c.StateBlueReview},
	ActionRecord:  {roles: []c.Role{c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst}, from: []string{c.StateBlueReview}, to: c.StateValidated},
	ActionRework:  {roles: []c.Role{c.RoleAdmin, c.RoleBlueLead, c.RoleBlueAnalyst}, from: []string{c.StateBlueReview}, to: c.StateExecuting},
	ActionClose:   {roles: []c.Role{c.RoleAdmin, c.RoleRedLead, c.RoleBlueLead}, from: []string{c.StateValidated}, to: c.StateClosed},
	ActionCancel:  {roles: []c.Role{c.RoleAdmin, c.RoleRedLead}, from: []string{c.StateDraft, c.StateReady, c.StateExecuting}, to: c.StateCancelled},
	ActionReveal:  {roles: []c.Role{c.RoleAdmin, c.RoleRedLead}, from: c.TestStates, to: ""},
	ActionConfirm: {roles: []c.Role{c.RoleAdmin, c.RoleBlueLead}, from: []string{c.StateValidated, c.StateClosed}, to: ""},
}

// Allowed lists the actions actor may take on test now (for the UI to offer
// only those, never a copy of the state machine): the transitions that pass
// the same checks as Transition, minus the fields, and retest when Retest
// would accept it. A test the actor cannot see offers nothing.
func Allowed(actor Actor, test *core.Record) []string {
	out := []string{}
	if !actor.CanSee(test) {
		return out
	}
	for _, a := range Actions {
		if checkActor(actor, a, test) == nil && checkState(a, test, nil) == nil {
			out = append(out, a)
		}
	}
	if canRetest(actor, test) == nil {
		out = append(out, ActionRetest)
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
		audit.Bind(tx, actor)
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
		from := c.AsTest(test).State()
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
		details := map[string]any{"action": in.Action, "from": from, "to": c.AsTest(test).State(),
			"revision": c.AsTest(test).Revision()}
		if in.Reason != "" {
			details["reason"] = in.Reason
		}
		for k, v := range ch.details {
			details[k] = v
		}
		if err := audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.AuditKind(),
			Action: c.AuditTransition, Collection: c.Tests, RecordId: test.Id, Details: details, IP: actor.IP}); err != nil {
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
	t := c.AsTest(test)
	st := steps[action]
	if !actor.Is(st.roles...) {
		return forbidden(fmt.Sprintf("Your role may not %s a test.", action))
	}
	switch action {
	case ActionStart, ActionSubmit:
		if actor.Is(c.RoleRedOperator) && t.RedAssignee() != actor.Id {
			return forbidden("Only the assigned red operator or a red lead may " + action + " this test.")
		}
	case ActionRecord, ActionRework:
		if a := t.BlueAssignee(); a != "" && actor.Is(c.RoleBlueAnalyst) && a != actor.Id {
			return forbidden("Only the assigned blue analyst or a blue lead may " + action + " this test.")
		}
	}
	return nil
}

// checkState is the 409 part: the state the action starts from and, when
// given, the revision the caller last saw.
func checkState(action string, test *core.Record, revision *int) error {
	t := c.AsTest(test)
	st := steps[action]
	state := t.State()
	if !contains(st.from, state) {
		return conflict(fmt.Sprintf("Cannot %s a test in state %s.", action, state))
	}
	if action == ActionReveal && t.Revealed() {
		return conflict("The test is already revealed.")
	}
	if action == ActionConfirm && !OutcomeUnconfirmed(test) {
		return conflict("The test has no imported outcome waiting for confirmation.")
	}
	if revision != nil && *revision != t.Revision() {
		return conflict(fmt.Sprintf("The test changed meanwhile (revision %d, you sent %d): reload it.",
			t.Revision(), *revision))
	}
	return nil
}

// bumpRevision is the optimistic lock: it increments revision only when
// nobody else did since the record was read, in the same transaction.
func bumpRevision(tx core.App, test *core.Record) error {
	t := c.AsTest(test)
	old := t.Revision()
	res, err := tx.DB().NewQuery("UPDATE {{tests}} SET [[revision]] = {:new} WHERE [[id]] = {:id} AND [[revision]] = {:old}").
		Bind(dbx.Params{"new": old + 1, "id": test.Id, "old": old}).Execute()
	if err != nil {
		return fmt.Errorf("bump revision of %s: %w", test.Id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return conflict("The test changed meanwhile: reload it.")
	}
	t.SetRevision(old + 1)
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
	t := c.AsTest(test)
	ch := change{details: map[string]any{}, after: noAfter}
	var err error
	switch in.Action {
	case ActionApprove:
		err = approve(tx, t, in, ch.details)
	case ActionStart, ActionClose:
		if in.Action == ActionClose {
			t.SetReason("")
		}
	case ActionSubmit:
		err = submit(t, actor, in, ch.details)
	case ActionRecord:
		ch, err = record(tx, actor, test, in)
	case ActionRework, ActionCancel:
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			return ch, missing("reason")
		}
		t.SetReason(reason)
	case ActionReveal:
		t.SetRevealed(true)
		ch.details["revealed"] = true
	case ActionConfirm:
		t.SetOutcomeConfirmedBy(actor.UserId())
		t.SetOutcomeConfirmedAt(types.NowDateTime())
		ch.details["imported_by"] = t.OutcomeImportedBy()
		ch.details["prevention"], ch.details["detection"] = t.Prevention(), t.Detection()
	}
	if err != nil {
		return ch, err
	}
	if st := steps[in.Action]; st.to != "" {
		t.SetState(st.to)
	}
	return ch, nil
}

// approve checks and sets the assignment of an approved test: its red
// operator (kept when already set; required), optionally its blue analyst
// and due date.
func approve(tx core.App, t *c.Test, in Input, details map[string]any) error {
	if in.RedAssignee == "" {
		in.RedAssignee = t.RedAssignee()
	}
	if in.RedAssignee == "" {
		return missing("red_assignee")
	}
	if err := checkUser(tx, "red_assignee", in.RedAssignee, c.RoleRedOperator, c.RoleRedLead, c.RoleAdmin); err != nil {
		return err
	}
	t.SetRedAssignee(in.RedAssignee)
	details["red_assignee"] = in.RedAssignee
	if in.BlueAssignee != "" {
		if err := checkUser(tx, "blue_assignee", in.BlueAssignee, c.RoleBlueAnalyst, c.RoleBlueLead, c.RoleAdmin); err != nil {
			return err
		}
		t.SetBlueAssignee(in.BlueAssignee)
	}
	if in.DueAt != "" {
		d, err := parseTime("due_at", in.DueAt)
		if err != nil {
			return err
		}
		t.SetDueAt(d)
	}
	return nil
}

// submit checks and sets red's result of an executed test: the result, its
// execution time (now unless given; not in the future) and notes.
func submit(t *c.Test, actor Actor, in Input, details map[string]any) error {
	if in.RedResult == "" {
		return missing("red_result")
	}
	if !contains(c.RedResults, in.RedResult) {
		return oneOf("red_result", c.RedResults)
	}
	executed := types.NowDateTime()
	if in.ExecutedAt != "" {
		d, err := parseTime("executed_at", in.ExecutedAt)
		if err != nil {
			return err
		}
		// A minute of clock skew between the operator's machine and the
		// server is tolerated; a later time is a mistake.
		if d.Time().After(executed.Time().Add(executionSkew)) {
			return invalid("executed_at", "executed_at is in the future.")
		}
		executed = d
	}
	// Whoever submits a test nobody was assigned to becomes its operator.
	if t.RedAssignee() == "" && actor.UserId() != "" {
		t.SetRedAssignee(actor.UserId())
		details["red_assignee"] = actor.UserId()
	}
	t.SetRedResult(in.RedResult)
	t.SetExecutedAt(executed)
	if in.RedNotes != "" {
		t.SetRedNotes(in.RedNotes)
	}
	t.SetReason("")
	details["red_result"] = in.RedResult
	return nil
}

// checkUser verifies that id is an active user holding one of roles.
func checkUser(tx core.App, field, id string, roles ...c.Role) error {
	u, err := tx.FindRecordById(c.Users, id)
	if err != nil || !c.AsUser(u).Active() {
		return invalid(field, field+" must be an active user.")
	}
	if !contains(roles, c.AsUser(u).Role()) {
		return invalid(field, fmt.Sprintf("%s must hold one of the roles %s.", field, strings.Join(c.Strings(roles), ", ")))
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

func contains[T ~string](list []T, s T) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// notifyNext tells whoever acts next, never the actor: the red assignee of
// an approved test; the blue assignee of a test ready for review, or every
// blue lead and analyst when none is assigned (blue is told nothing about
// tests it cannot see yet, red leads are asked to reveal them instead); the
// red assignee and every red lead of an outcome; the red assignee of a
// rework, or the red leads when none is assigned.
func notifyNext(tx core.App, actor Actor, action string, test *core.Record) error {
	t := c.AsTest(test)
	name := t.Name()
	link := "/tests/" + test.Id
	send := func(kind, title string, users []string, roles ...c.Role) error {
		return notifyUsers(tx, actor, notify.Message{Kind: kind, Title: title, Body: name, Link: link}, users, roles...)
	}
	forBlue := func() error {
		if a := t.BlueAssignee(); a != "" {
			return send("test_blue_review", "Test ready for blue review", []string{a})
		}
		return send("test_blue_review", "Test waits for blue: no analyst assigned", nil, c.RoleBlueLead, c.RoleBlueAnalyst)
	}
	switch action {
	case ActionApprove:
		return send("test_assigned", "Test assigned to you", []string{t.RedAssignee()})
	case ActionSubmit:
		if !t.Revealed() {
			return send("test_awaiting_reveal", "Executed blind test awaits reveal", nil, c.RoleRedLead)
		}
		return forBlue()
	case ActionReveal:
		if t.State() != c.StateBlueReview {
			return nil
		}
		return forBlue()
	case ActionRecord:
		title := fmt.Sprintf("Outcome recorded: %s, detection %s", t.Prevention(), t.Detection())
		return send("outcome_recorded", title, []string{t.RedAssignee()}, c.RoleRedLead)
	case ActionRework:
		if a := t.RedAssignee(); a != "" {
			return send("test_rework", "Test sent back for rework", []string{a})
		}
		return send("test_rework", "Test sent back for rework", nil, c.RoleRedLead)
	}
	return nil
}

// notifyUsers sends m once to each of users and each active holder of roles,
// skipping the actor and empty ids.
func notifyUsers(tx core.App, actor Actor, m notify.Message, users []string, roles ...c.Role) error {
	seen := map[string]bool{"": true, actor.Id: true}
	ids := []string{}
	for _, u := range users {
		if !seen[u] {
			seen[u] = true
			ids = append(ids, u)
		}
	}
	if len(roles) > 0 {
		ins := make([]any, len(roles))
		for i, r := range roles {
			ins[i] = r
		}
		holders, err := tx.FindAllRecords(c.Users, dbx.In("role", ins...), dbx.HashExp{"active": true})
		if err != nil {
			return fmt.Errorf("find %s: %w", strings.Join(c.Strings(roles), ", "), err)
		}
		for _, u := range holders {
			if !seen[u.Id] {
				seen[u.Id] = true
				ids = append(ids, u.Id)
			}
		}
	}
	for _, id := range ids {
		if err := notify.User(tx, id, m); err != nil {
			return fmt.Errorf("notify %s: %w", id, err)
		}
	}
	return nil
}
