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
	return !camp.GetBool("blind")
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
	t.Set("campaign", campaignId)
	t.Set("state", c.StateDraft)
	t.Set("revision", 0)
	t.Set("revealed", VisibleOnCreate(tx, campaignId))
	return t, nil
}

// Retest creates a new draft that repeats test testId, linked by retest_of,
// in the same campaign. Only tests with a recorded outcome can be retested.
func Retest(app core.App, actor Actor, testId string) (*core.Record, error) {
	if !actor.Is(c.RoleAdmin, c.RoleRedLead) {
		return nil, forbidden("Only red leads and admins plan retests.")
	}
	var out *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor.Audit())
		src, err := tx.FindRecordById(c.Tests, testId)
		if err != nil {
			return notFound("Test not found.")
		}
		if s := src.GetString("state"); s != c.StateValidated && s != c.StateClosed {
			return conflict("Only validated or closed tests can be retested; this one is " + s + ".")
		}
		t, err := NewDraft(tx, src, src.GetString("campaign"))
		if err != nil {
			return err
		}
		t.Set("retest_of", src.Id)
		t.Set("red_assignee", src.GetString("red_assignee"))
		if err := tx.Save(t); err != nil {
			return fmt.Errorf("save retest of %s: %w", src.Id, err)
		}
		if err := audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.kind(),
			Action: "retest", Collection: c.Tests, RecordId: src.Id, IP: actor.IP,
			Details: map[string]any{"retest": t.Id}}); err != nil {
			return fmt.Errorf("audit retest: %w", err)
		}
		out = t
		return nil
	})
	return out, err
}
