package hooks

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
)

// bindWorkflowGuards keeps the workflow in one place: tests are created as
// drafts and edited only within each role's fields, comments are written in
// the caller's name, findings follow their lifecycle, and campaigns theirs.
func bindWorkflowGuards(app core.App) {
	// Every new test starts as a draft that blue sees unless its campaign is
	// blind; Go callers (importers, rounds) may set a state themselves.
	app.OnRecordCreate(c.Tests).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("state") == "" {
			e.Record.Set("state", c.StateDraft)
		}
		if !e.Record.GetBool("revealed") && workflow.VisibleOnCreate(e.App, e.Record.GetString("campaign")) {
			e.Record.Set("revealed", true)
		}
		return e.Next()
	})
	app.OnRecordCreateRequest(c.Tests).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			for _, f := range []string{"red_result", "executed_at", "prevention", "detection", "detected_at",
				"validated_by", "validated_at", "retest_of", "reason"} {
				e.Record.Set(f, nil)
			}
			e.Record.Set("state", c.StateDraft)
			e.Record.Set("revision", 0)
			e.Record.Set("revealed", workflow.VisibleOnCreate(e.App, e.Record.GetString("campaign")))
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(c.Tests).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			if err := workflow.CheckEdit(workflow.ActorFromRequest(e.RequestEvent), e.Record); err != nil {
				return err
			}
		}
		return e.Next()
	})

	app.OnRecordCreateRequest(c.TestComments).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Auth != nil && !e.HasSuperuserAuth() {
			e.Record.Set("author", e.Auth.Id)
		}
		return e.Next()
	})

	app.OnRecordCreateRequest(c.Findings).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Record.GetString("status") == "" {
			e.Record.Set("status", workflow.FindingOpen)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(c.Findings).BindFunc(func(e *core.RecordRequestEvent) error {
		from, to := e.Record.Original().GetString("status"), e.Record.GetString("status")
		if err := workflow.CheckFindingStatus(from, to); err != nil {
			return err
		}
		if from != to {
			switch to {
			case workflow.FindingResolved, workflow.FindingRiskAccepted:
				e.Record.Set("resolved_at", types.NowDateTime())
			case workflow.FindingOpen, workflow.FindingInProgress:
				e.Record.Set("resolved_at", nil)
				e.Record.Set("resolved_by_test", nil)
			}
		}
		return e.Next()
	})

	bindCampaignGuards(app)
	bindOutcomeGuards(app)
}

// bindCampaignGuards keeps campaigns on their lifecycle and their recurring
// schedule computed.
func bindCampaignGuards(app core.App) {
	prepare := func(e *core.RecordEvent) error {
		if err := campaigns.Prepare(e.Record, types.NowDateTime()); err != nil {
			return err
		}
		return e.Next()
	}
	app.OnRecordCreate(c.Campaigns).BindFunc(prepare)
	app.OnRecordUpdate(c.Campaigns).BindFunc(prepare)
	app.OnRecordCreateRequest(c.Campaigns).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			// Rounds and instances come from the retest and recurrence code.
			e.Record.Set("status", campaigns.StatusPlanned)
			e.Record.Set("parent", nil)
			e.Record.Set("round", 1)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(c.Campaigns).BindFunc(func(e *core.RecordRequestEvent) error {
		orig := e.Record.Original()
		if err := campaigns.CheckStatus(orig.GetString("status"), e.Record.GetString("status")); err != nil {
			return err
		}
		if !e.HasSuperuserAuth() {
			e.Record.Set("parent", orig.Get("parent"))
			e.Record.Set("round", orig.Get("round"))
		}
		return e.Next()
	})
}

// bindOutcomeGuards keeps per-tool outcome rows on tests the caller can see.
func bindOutcomeGuards(app core.App) {
	guard := func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			actor := workflow.ActorFromRequest(e.RequestEvent)
			test, err := e.App.FindRecordById(c.Tests, e.Record.GetString("test"))
			if err != nil || !actor.CanSee(test) {
				return router.NewNotFoundError("Test not found.", nil)
			}
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(c.TestOutcomes).BindFunc(guard)
	app.OnRecordUpdateRequest(c.TestOutcomes).BindFunc(guard)
}
