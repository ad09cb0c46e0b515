package campaigns

import (
	"fmt"
	"net/http"
	"sort"
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

// Outcome is the best result of a technique's tests in one round.
type Outcome struct {
	Tests      int     `json:"tests"`
	Validated  int     `json:"validated"`
	Prevention string  `json:"prevention"`
	Detection  string  `json:"detection"`
	Score      float64 `json:"score"`
}

// TechniqueComparison is one technique's before → after.
type TechniqueComparison struct {
	Technique string   `json:"technique"`
	AttackId  string   `json:"attack_id"`
	Name      string   `json:"name"`
	Before    *Outcome `json:"before"`
	After     *Outcome `json:"after"`
	// Change is improved, regressed, unchanged, added (only after), removed
	// (only before) or pending (a side has no validated test yet).
	Change string `json:"change"`
}

// Comparison compares two rounds of a campaign family.
type Comparison struct {
	Round      int                   `json:"round"`
	With       int                   `json:"with"`
	Before     string                `json:"before_campaign"`
	After      string                `json:"after_campaign"`
	Techniques []TechniqueComparison `json:"techniques"`
	Summary    map[string]int        `json:"summary"`
}

// score rates an outcome with the scoring weights of DESIGN §5: the better
// of its prevention and detection values.
func score(s c.ScoringSettings, prevention, detection string) float64 {
	p, d := s.Prevention[prevention], s.Detection[detection]
	if p > d {
		return p
	}
	return d
}

// Compare returns, per technique, the outcome in round a and round b of the
// family of campaign id. Blue roles only see revealed tests.
func Compare(app core.App, actor workflow.Actor, id string, a, b int) (Comparison, error) {
	camp, err := app.FindRecordById(c.Campaigns, id)
	if err != nil {
		return Comparison{}, router.NewNotFoundError("Campaign not found.", nil)
	}
	fam, err := Family(app, camp)
	if err != nil {
		return Comparison{}, err
	}
	byRound := map[int]*core.Record{}
	for _, f := range fam {
		byRound[c.AsCampaign(f).Round()] = f
	}
	if a == 0 && b == 0 {
		a, b = c.AsCampaign(camp).Round()-1, c.AsCampaign(camp).Round()
		if a < 1 {
			a, b = 1, c.AsCampaign(fam[len(fam)-1]).Round()
		}
	}
	before, ok1 := byRound[a]
	after, ok2 := byRound[b]
	if !ok1 || !ok2 {
		return Comparison{}, router.NewNotFoundError(fmt.Sprintf("Round %d or %d does not exist in this campaign.", a, b), nil)
	}
	weights := c.DefaultScoring()
	cmp := Comparison{Round: a, With: b, Before: before.Id, After: after.Id, Summary: map[string]int{}}
	rows := map[string]*TechniqueComparison{}
	for side, cp := range []*core.Record{before, after} {
		tests, err := app.FindAllRecords(c.Tests, dbx.HashExp{"campaign": cp.Id})
		if err != nil {
			return cmp, err
		}
		for _, t := range tests {
			test := c.AsTest(t)
			if !actor.CanSee(t) || test.State() == c.StateCancelled {
				continue
			}
			tid := test.Technique()
			row := rows[tid]
			if row == nil {
				row = &TechniqueComparison{Technique: tid}
				rows[tid] = row
			}
			o := &row.Before
			if side == 1 {
				o = &row.After
			}
			if *o == nil {
				*o = &Outcome{}
			}
			(*o).Tests++
			if st := test.State(); st == c.StateValidated || st == c.StateClosed {
				(*o).Validated++
				(*o).Prevention = workflow.BestPrevention((*o).Prevention, test.Prevention())
				(*o).Detection = workflow.BestDetection((*o).Detection, test.Detection())
				if s := score(weights, test.Prevention(), test.Detection()); s > (*o).Score {
					(*o).Score = s
				}
			}
		}
	}
	ids := make([]any, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		techs, err := app.FindAllRecords(c.Techniques, dbx.In("id", ids...))
		if err != nil {
			return cmp, err
		}
		for _, t := range techs {
			tq := c.AsTechnique(t)
			rows[t.Id].AttackId, rows[t.Id].Name = tq.AttackId(), tq.Name()
		}
	}
	for _, r := range rows {
		switch {
		case r.Before == nil:
			r.Change = "added"
		case r.After == nil:
			r.Change = "removed"
		case r.Before.Validated == 0 || r.After.Validated == 0:
			r.Change = "pending"
		case r.After.Score > r.Before.Score:
			r.Change = "improved"
		case r.After.Score < r.Before.Score:
			r.Change = "regressed"
		default:
			r.Change = "unchanged"
		}
		cmp.Summary[r.Change]++
		cmp.Techniques = append(cmp.Techniques, *r)
	}
	sort.Slice(cmp.Techniques, func(i, j int) bool { return cmp.Techniques[i].AttackId < cmp.Techniques[j].AttackId })
	if cmp.Techniques == nil {
		cmp.Techniques = []TechniqueComparison{}
	}
	return cmp, nil
}
