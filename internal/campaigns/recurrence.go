package campaigns

import (
	"context"
	"fmt"
	"strings"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/robfig/cron/v3"
)

// parser accepts the five standard cron fields and descriptors such as
// @daily, @weekly or @every 720h.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseRecurrence parses a campaign's cron spec (UTC).
func ParseRecurrence(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, fmt.Errorf("recurrence %q: time zones are not supported, schedules run in UTC", spec)
	}
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("recurrence %q: %w", spec, err)
	}
	return s, nil
}

// SpawnStats is what one SpawnDue pass did.
type SpawnStats struct {
	Spawned   int      `json:"spawned"`
	Scheduled int      `json:"scheduled"`
	Tests     int      `json:"tests"`
	Failed    []string `json:"failed,omitempty"`
}

// SpawnDue creates a fresh instance of every recurring campaign whose
// next_run_at is at or before now: a planned campaign (parent = the recurring
// one, round 1) holding a new draft of each of its tests, and moves
// next_run_at to the schedule's next time after now. A recurring campaign
// without next_run_at only gets it scheduled. Each campaign is spawned in its
// own transaction; archived campaigns never spawn. It is the recurring
// campaigns job, run daily, and takes now so tests can drive the clock.
func SpawnDue(ctx context.Context, app core.App, now time.Time) (SpawnStats, error) {
	var st SpawnStats
	nowDT, _ := types.ParseDateTime(now.UTC())
	due, err := app.FindRecordsByFilter(c.Campaigns,
		"recurrence != '' && status != 'archived' && (next_run_at = '' || next_run_at <= {:now})",
		"next_run_at", 0, 0, dbx.Params{"now": nowDT.String()})
	if err != nil {
		return st, fmt.Errorf("find due campaigns: %w", err)
	}
	for _, camp := range due {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		sched, err := ParseRecurrence(c.AsCampaign(camp).Recurrence())
		if err != nil {
			st.Failed = append(st.Failed, camp.Id+": "+err.Error())
			app.Logger().Warn("recurring campaign has a bad schedule", "campaign", camp.Id, "error", err)
			continue
		}
		next, _ := types.ParseDateTime(sched.Next(now.UTC()))
		if c.AsCampaign(camp).NextRunAt().IsZero() {
			if err := app.RunInTransaction(func(tx core.App) error {
				audit.Bind(tx, audit.System("recurring campaigns"))
				fresh, err := tx.FindRecordById(c.Campaigns, camp.Id)
				if err != nil {
					return err
				}
				c.AsCampaign(fresh).SetNextRunAt(next)
				return tx.Save(fresh)
			}); err != nil {
				st.Failed = append(st.Failed, camp.Id+": "+err.Error())
				continue
			}
			st.Scheduled++
			continue
		}
		n, err := spawn(app, camp.Id, nowDT, next)
		if err != nil {
			st.Failed = append(st.Failed, camp.Id+": "+err.Error())
			app.Logger().Error("spawn recurring campaign", "campaign", camp.Id, "error", err)
			continue
		}
		if n >= 0 {
			st.Spawned++
			st.Tests += n
		}
	}
	return st, nil
}

// spawn creates one instance of campaign id, re-checking inside the
// transaction that it is still due (another runner may have spawned it).
// It returns the number of tests created, or -1 when nothing was due.
func spawn(app core.App, id string, now, next types.DateTime) (int, error) {
	n := -1
	err := app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, audit.System("recurring campaigns"))
		src, err := tx.FindRecordById(c.Campaigns, id)
		if err != nil {
			return err
		}
		at := c.AsCampaign(src).NextRunAt()
		if at.IsZero() || at.After(now) {
			return nil
		}
		inst := core.NewRecord(src.Collection())
		ic := c.AsCampaign(inst)
		for _, f := range []string{c.FieldDescription, c.FieldThreatActor, c.FieldOwner, c.FieldTags, c.FieldBlind, c.FieldAttackVersion, c.FieldPlatforms} {
			inst.Set(f, src.Get(f))
		}
		ic.SetName(fmt.Sprintf("%s — %s", c.AsCampaign(src).Name(), at.Time().UTC().Format("2006-01-02")))
		ic.SetStatus(StatusPlanned)
		ic.SetParent(src.Id)
		ic.SetRound(1)
		ic.SetStartAt(at)
		if err := tx.Save(inst); err != nil {
			return fmt.Errorf("save instance: %w", err)
		}
		tests, err := tx.FindRecordsByFilter(c.Tests, "campaign = {:c} && state != 'cancelled' && retest_of = ''",
			"created", 0, 0, dbx.Params{"c": src.Id})
		if err != nil {
			return err
		}
		for _, t := range tests {
			d, err := workflow.NewDraft(tx, t, inst.Id)
			if err != nil {
				return err
			}
			if err := tx.Save(d); err != nil {
				return fmt.Errorf("save test: %w", err)
			}
		}
		c.AsCampaign(src).SetNextRunAt(next)
		if err := tx.Save(src); err != nil {
			return fmt.Errorf("advance schedule: %w", err)
		}
		n = len(tests)
		return audit.Write(tx, audit.Entry{ActorKind: audit.KindSystem, Action: "spawn", Collection: c.Campaigns,
			RecordId: src.Id, Details: map[string]any{"instance": inst.Id, "tests": n, "next_run_at": next.String()}})
	})
	return n, err
}
