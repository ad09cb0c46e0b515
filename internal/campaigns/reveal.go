package campaigns

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// RevealAll reveals every hidden test of campaign id to blue, each through
// the reveal transition (audit entry, revision bump), in one transaction.
func RevealAll(app core.App, actor workflow.Actor, id string) (int, error) {
	if err := canPlan(actor); err != nil {
		return 0, err
	}
	n := 0
	err := app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		if _, err := tx.FindRecordById(c.Campaigns, id); err != nil {
			return router.NewNotFoundError("Campaign not found.", nil)
		}
		hidden, err := tx.FindAllRecords(c.Tests, dbx.HashExp{"campaign": id, "revealed": false})
		if err != nil {
			return err
		}
		for _, t := range hidden {
			rev := c.AsTest(t).Revision()
			if _, err := workflow.Transition(tx, actor, t.Id, workflow.Input{Action: workflow.ActionReveal, Revision: &rev}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
