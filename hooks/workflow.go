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
		test := c.AsTest(e.Record)
		if test.State() == "" {
			test.SetState(c.StateDraft)
		}
		if !test.Revealed() && workflow.VisibleOnCreate(e.App, test.Campaign()) {
			test.SetRevealed(true)
		}
		return e.Next()
	})
	app.OnRecordCreateRequest(c.Tests).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			test := c.AsTest(e.Record)
			for _, f := range []string{c.FieldRedResult, c.FieldExecutedAt, c.FieldPrevention, c.FieldDetection, c.FieldDetectedAt,
				c.FieldValidatedBy, c.FieldValidatedAt, c.FieldRetestOf, c.FieldReason, c.FieldOutcomeImported, c.FieldOutcomeImportedBy,
				c.FieldOutcomeConfirmedBy, c.FieldOutcomeConfirmedAt} {
				test.Set(f, nil)
			}
			// Only importers store a test whose technique the catalogue lacks yet.
			if test.Technique() == "" {
				return router.NewBadRequestError("A test needs a technique.", map[string]any{
					"technique": map[string]string{"code": "validation_required", "message": "Cannot be blank."}})
			}
			test.SetState(c.StateDraft)
			test.SetRevision(0)
			test.SetRevealed(workflow.VisibleOnCreate(e.App, test.Campaign()))
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
		if f := c.AsFinding(e.Record); f.Status() == "" {
			f.SetStatus(workflow.FindingOpen)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(c.Findings).BindFunc(func(e *core.RecordRequestEvent) error {
		f := c.AsFinding(e.Record)
		from, to := c.AsFinding(e.Record.Original()).Status(), f.Status()
		if err := workflow.CheckFindingStatus(from, to); err != nil {
			return err
		}
		if from != to {
			switch to {
			case workflow.FindingResolved, workflow.FindingRiskAccepted:
				f.SetResolvedAt(types.NowDateTime())
			case workflow.FindingOpen, workflow.FindingInProgress:
				f.SetResolvedAt(types.DateTime{})
				f.SetResolvedByTest("")
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
			camp := c.AsCampaign(e.Record)
			camp.SetStatus(campaigns.StatusPlanned)
			camp.SetParent("")
			camp.SetRound(1)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(c.Campaigns).BindFunc(func(e *core.RecordRequestEvent) error {
		camp, orig := c.AsCampaign(e.Record), c.AsCampaign(e.Record.Original())
		if err := campaigns.CheckStatus(orig.Status(), camp.Status()); err != nil {
			return err
		}
		if !e.HasSuperuserAuth() {
			camp.SetParent(orig.Parent())
			camp.SetRound(orig.Round())
		}
		return e.Next()
	})
}

// bindOutcomeGuards keeps per-tool outcome rows on tests the caller can see.
func bindOutcomeGuards(app core.App) {
	guard := func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			actor := workflow.ActorFromRequest(e.RequestEvent)
			test, err := e.App.FindRecordById(c.Tests, c.AsTestOutcome(e.Record).Test())
			if err != nil || !actor.CanSee(test) {
				return router.NewNotFoundError("Test not found.", nil)
			}
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(c.TestOutcomes).BindFunc(guard)
	app.OnRecordUpdateRequest(c.TestOutcomes).BindFunc(guard)
}
