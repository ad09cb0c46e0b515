package workflow

import (
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
)

// PlanFields are the fields a copy, retest or new round carries over: the
// plan of a test, never its results.
var PlanFields = []string{"name", "technique", "template", "procedure", "platform", "tags", "blue_assignee"}

// VisibleOnCreate is the revealed flag a new test gets in campaign: blind
// campaigns hide new tests from blue until a red lead reveals them.
func VisibleOnCreate(tx core.App, campaignId string) bool {
	if campaignId == "" {
		return true
	}
	camp, err := tx.FindRecordById(c.Campaigns, campaignId)
	if err != nil {
		return true
	}
	return !c.AsCampaign(camp).Blind()
}

// NewDraft returns an unsaved draft test in campaignId with the plan fields
// of src (nil for an empty plan).
func NewDraft(tx core.App, src *core.Record, campaignId string) (*core.Record, error) {
	col, err := tx.FindCachedCollectionByNameOrId(c.Tests)
	if err != nil {
		return nil, err
	}
	t := core.NewRecord(col)
	if src != nil {
		for _, f := range PlanFields {
			t.Set(f, src.Get(f))
		}
	}
	draft := c.AsTest(t)
	draft.SetCampaign(campaignId)
	draft.SetState(c.StateDraft)
	draft.SetRevision(0)
	draft.SetRevealed(VisibleOnCreate(tx, campaignId))
	return t, nil
}

// canRetest is Retest's check: red leads and admins, validated or closed tests.
func canRetest(actor Actor, src *core.Record) error {
	if !actor.Is(c.RoleAdmin, c.RoleRedLead) {
		return forbidden("Only red leads and admins plan retests.")
	}
	if s := c.AsTest(src).State(); s != c.StateValidated && s != c.StateClosed {
		return conflict("Only validated or closed tests can be retested; this one is " + s + ".")
	}
	return nil
}

// Retest creates a new draft that repeats test testId, linked by retest_of,
// in the same campaign. Only tests with a recorded outcome can be retested.
func Retest(app core.App, actor Actor, testId string) (*core.Record, error) {
	var out *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		src, err := tx.FindRecordById(c.Tests, testId)
		if err != nil {
			return notFound("Test not found.")
		}
		if err := canRetest(actor, src); err != nil {
			return err
		}
		t, err := NewDraft(tx, src, c.AsTest(src).Campaign())
		if err != nil {
			return err
		}
		c.AsTest(t).SetRetestOf(src.Id)
		c.AsTest(t).SetRedAssignee(c.AsTest(src).RedAssignee())
		if err := tx.Save(t); err != nil {
			return fmt.Errorf("save retest of %s: %w", src.Id, err)
		}
		if err := audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.AuditKind(),
			Action: "retest", Collection: c.Tests, RecordId: src.Id, IP: actor.IP,
			Details: map[string]any{"retest": t.Id}}); err != nil {
			return fmt.Errorf("audit retest: %w", err)
		}
		out = t
		return nil
	})
	return out, err
}
