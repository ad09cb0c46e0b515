package campaigns

import (
	"fmt"
	"net/http"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Rounds: round 1 is a campaign; "retest campaign" creates round N+1 as a
// campaign whose parent is round 1 and whose tests retest those of the
// latest round (retest_of), with the same procedures.

// rootOf returns round 1 of camp's family.
func rootOf(app core.App, camp *core.Record) (*core.Record, error) {
	cp := c.AsCampaign(camp)
	if cp.Round() <= 1 || cp.Parent() == "" {
		return camp, nil
	}
	return app.FindRecordById(c.Campaigns, cp.Parent())
}

// Family returns every round of camp's family, ordered by round.
func Family(app core.App, camp *core.Record) ([]*core.Record, error) {
	root, err := rootOf(app, camp)
	if err != nil {
		return nil, fmt.Errorf("round 1 of %s: %w", camp.Id, err)
	}
	later, err := app.FindRecordsByFilter(c.Campaigns, "parent = {:p} && round > 1", "round", 0, 0, dbx.Params{"p": root.Id})
	if err != nil {
		return nil, err
	}
	return append([]*core.Record{root}, later...), nil
}

// RetestRound creates the next round of campaign id: a planned campaign
// with one fresh draft per test of the latest round (cancelled ones
// excepted), each linked to the test it repeats, so a passing outcome
// resolves that test's findings.
func RetestRound(app core.App, actor workflow.Actor, id string) (Generated, error) {
	if err := canPlan(actor); err != nil {
		return Generated{}, err
	}
	var out Generated
	err := app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		camp, err := tx.FindRecordById(c.Campaigns, id)
		if err != nil {
			return router.NewNotFoundError("Campaign not found.", nil)
		}
		if c.AsCampaign(camp).Status() == StatusArchived {
			return router.NewApiError(http.StatusConflict, "An archived campaign cannot be retested.", nil)
		}
		fam, err := Family(tx, camp)
		if err != nil {
			return err
		}
		root, latest := fam[0], fam[len(fam)-1]
		tests, err := tx.FindRecordsByFilter(c.Tests, "campaign = {:c} && state != 'cancelled'", "created", 0, 0,
			dbx.Params{"c": latest.Id})
		if err != nil {
			return err
		}
		if len(tests) == 0 {
			return router.NewApiError(http.StatusConflict, "The latest round has no tests to retest.", nil)
		}
		round := c.AsCampaign(latest).Round() + 1
		next := core.NewRecord(camp.Collection())
		nc := c.AsCampaign(next)
		for _, f := range []string{c.FieldDescription, c.FieldThreatActor, c.FieldTags, c.FieldBlind, c.FieldAttackVersion, c.FieldPlatforms} {
			next.Set(f, root.Get(f))
		}
		name := strings.TrimSpace(strings.TrimSuffix(c.AsCampaign(root).Name(), fmt.Sprintf("(round %d)", c.AsCampaign(root).Round())))
		nc.SetName(fmt.Sprintf("%s (round %d)", name, round))
		nc.SetOwner(c.AsCampaign(root).Owner())
		if !actor.Superuser() {
			nc.SetOwner(actor.Id)
		}
		nc.SetStatus(StatusPlanned)
		nc.SetParent(root.Id)
		nc.SetRound(round)
		if err := tx.Save(next); err != nil {
			return fmt.Errorf("save round %d: %w", round, err)
		}
		out.Campaign = next
		out.Skipped = []string{}
		for _, t := range tests {
			d, err := workflow.NewDraft(tx, t, next.Id)
			if err != nil {
				return err
			}
			c.AsTest(d).SetRetestOf(t.Id)
			c.AsTest(d).SetRedAssignee(c.AsTest(t).RedAssignee())
			if err := tx.Save(d); err != nil {
				return fmt.Errorf("save retest of %s: %w", t.Id, err)
			}
			out.Tests = append(out.Tests, d)
		}
		return audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.AuditKind(),
			Action: "retest_round", Collection: c.Campaigns, RecordId: next.Id, IP: actor.IP,
			Details: map[string]any{"round": round, "of": latest.Id, "tests": len(out.Tests)}})
	})
	return out, err
}
