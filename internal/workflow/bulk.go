package workflow

import (
	"fmt"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/pocketbase/pocketbase/core"
)

// Bulk actions for leads.
const (
	BulkApprove = "approve"
	BulkAssign  = "assign"
	BulkMove    = "move"
	BulkCopy    = "copy"
	BulkCancel  = "cancel"
	BulkRetest  = "retest"
)

// BulkActions lists every bulk action.
var BulkActions = []string{BulkApprove, BulkAssign, BulkMove, BulkCopy, BulkCancel, BulkRetest}

// BulkInput is the body of POST /api/aegis/tests/bulk.
type BulkInput struct {
	Action       string   `json:"action"`
	Ids          []string `json:"ids"`
	RedAssignee  string   `json:"red_assignee"`
	BlueAssignee string   `json:"blue_assignee"`
	Campaign     string   `json:"campaign"`
	Reason       string   `json:"reason"`
}

// MaxBulk bounds one bulk request so its transaction stays short.
const MaxBulk = 1000

// Bulk applies one action to many tests, all or nothing, for red leads and
// admins (blue leads may assign blue analysts): approve (draft →
// ready with red_assignee, through Transition's rules), assign (red and/or
// blue assignee), move (to another campaign), copy (fresh drafts in a
// campaign), cancel (with a reason, through Transition's rules) or retest
// (validated or closed tests, through Retest's rules). It returns the tests changed or created.
func Bulk(app core.App, actor Actor, in BulkInput) ([]*core.Record, error) {
	ids, err := checkBulk(actor, in)
	if err != nil {
		return nil, err
	}
	var out []*core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		out = out[:0]
		target, err := bulkTarget(tx, in)
		if err != nil {
			return err
		}
		for _, id := range ids {
			saved, err := bulkOne(tx, actor, in, id, target)
			if err != nil {
				return err
			}
			out = append(out, saved)
		}
		return audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.AuditKind(),
			Action: "bulk_" + in.Action, Collection: c.Tests, IP: actor.IP,
			Details: map[string]any{"ids": strings.Join(ids, ","), "campaign": in.Campaign,
				"red_assignee": in.RedAssignee, "blue_assignee": in.BlueAssignee}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkBulk refuses a bulk request that the actor may not run or that is
// malformed, before anything is read; it returns the distinct ids.
func checkBulk(actor Actor, in BulkInput) ([]string, error) {
	blueLead := actor.Is(c.RoleBlueLead)
	if !actor.Is(c.RoleAdmin, c.RoleRedLead) && !blueLead {
		return nil, forbidden("Only leads and admins run bulk actions.")
	}
	if blueLead && (in.Action != BulkAssign || in.RedAssignee != "") {
		return nil, forbidden("Blue leads may only assign blue analysts in bulk.")
	}
	ids := uniq(in.Ids)
	if len(ids) == 0 {
		return nil, missing("ids")
	}
	if len(ids) > MaxBulk {
		return nil, invalid("ids", fmt.Sprintf("At most %d tests per request.", MaxBulk))
	}
	switch {
	case in.Action == "":
		return nil, missing("action")
	case !contains(BulkActions, in.Action):
		return nil, invalid("action", "action must be one of "+strings.Join(BulkActions, ", ")+".")
	case in.Action == BulkCancel && strings.TrimSpace(in.Reason) == "":
		return nil, missing("reason")
	}
	return ids, nil
}

// bulkTarget checks what the action points at: the campaign of a move or a
// copy (returned), the assignees of an assignment.
func bulkTarget(tx core.App, in BulkInput) (*core.Record, error) {
	switch in.Action {
	case BulkMove, BulkCopy:
		if in.Campaign == "" {
			return nil, missing("campaign")
		}
		t, err := tx.FindRecordById(c.Campaigns, in.Campaign)
		if err != nil {
			return nil, invalid("campaign", "Unknown campaign.")
		}
		return t, nil
	case BulkAssign:
		if in.RedAssignee == "" && in.BlueAssignee == "" {
			return nil, missing("red_assignee")
		}
		if in.RedAssignee != "" {
			if err := checkUser(tx, "red_assignee", in.RedAssignee, c.RoleRedOperator, c.RoleRedLead, c.RoleAdmin); err != nil {
				return nil, err
			}
		}
		if in.BlueAssignee != "" {
			if err := checkUser(tx, "blue_assignee", in.BlueAssignee, c.RoleBlueAnalyst, c.RoleBlueLead, c.RoleAdmin); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// bulkOne applies the action to the test id and returns the saved test (the
// new draft of a copy).
func bulkOne(tx core.App, actor Actor, in BulkInput, id string, target *core.Record) (*core.Record, error) {
	t, err := tx.FindRecordById(c.Tests, id)
	if err != nil || !actor.CanSee(t) {
		return nil, invalid("ids", "Unknown test "+id+".")
	}
	test := c.AsTest(t)
	var saved *core.Record
	switch in.Action {
	case BulkApprove:
		rev := test.Revision()
		saved, err = Transition(tx, actor, id, Input{Action: ActionApprove, Revision: &rev,
			RedAssignee: in.RedAssignee, BlueAssignee: in.BlueAssignee})
	case BulkCancel:
		rev := test.Revision()
		saved, err = Transition(tx, actor, id, Input{Action: ActionCancel, Revision: &rev, Reason: in.Reason})
	case BulkRetest:
		saved, err = Retest(tx, actor, id)
	default:
		return bulkEdit(tx, actor, in, t, target)
	}
	if err != nil {
		return nil, fmt.Errorf("test %s: %w", id, err)
	}
	return saved, nil
}

// bulkEdit assigns, moves or copies one test and saves it.
func bulkEdit(tx core.App, actor Actor, in BulkInput, t, target *core.Record) (*core.Record, error) {
	id, test := t.Id, c.AsTest(t)
	switch in.Action {
	case BulkAssign:
		if in.RedAssignee != "" {
			test.SetRedAssignee(in.RedAssignee)
		}
		if in.BlueAssignee != "" {
			test.SetBlueAssignee(in.BlueAssignee)
		}
	case BulkMove:
		test.SetCampaign(target.Id)
		if !c.AsCampaign(target).Blind() {
			test.SetRevealed(true)
		}
	case BulkCopy:
		cp, err := NewDraft(tx, t, target.Id)
		if err != nil {
			return nil, err
		}
		t = cp
	}
	if !t.IsNew() {
		if err := bumpRevision(tx, t); err != nil {
			return nil, err
		}
	}
	if err := tx.Save(t); err != nil {
		return nil, fmt.Errorf("bulk %s test %s: %w", in.Action, id, err)
	}
	if in.Action == BulkAssign {
		if err := notifyAssigned(tx, actor, t, in); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// notifyAssigned tells a newly assigned user of a test that waits for them:
// the red assignee of a ready or executing test, the blue assignee of a
// revealed test in blue review.
func notifyAssigned(tx core.App, actor Actor, t *core.Record, in BulkInput) error {
	tt := c.AsTest(t)
	state := tt.State()
	m := notify.Message{Body: tt.Name(), Link: "/tests/" + t.Id}
	if in.RedAssignee != "" && (state == c.StateReady || state == c.StateExecuting) {
		m.Kind, m.Title = "test_assigned", "Test assigned to you"
		if err := notifyUsers(tx, actor, m, []string{in.RedAssignee}); err != nil {
			return err
		}
	}
	if in.BlueAssignee != "" && state == c.StateBlueReview && tt.Revealed() {
		m.Kind, m.Title = "test_blue_review", "Test ready for blue review"
		if err := notifyUsers(tx, actor, m, []string{in.BlueAssignee}); err != nil {
			return err
		}
	}
	return nil
}
