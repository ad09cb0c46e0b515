// Package campaigns plans and runs campaigns: their lifecycle, generation
// from a threat actor or an ATT&CK Navigator layer, recurring instances,
// retest rounds and their comparison, and progress counts.
package campaigns

import (
	"fmt"
	"net/http"
	"slices"

	c "github.com/aegis-sec/aegis/collections"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Campaign statuses, in lifecycle order.
const (
	StatusPlanned   = "planned"
	StatusActive    = "active"
	StatusCompleted = "completed"
	StatusArchived  = "archived"
)

// moves is the lifecycle planned → active → completed → archived. A campaign
// may be archived from any status and a completed one reopened.
var moves = map[string][]string{
	StatusPlanned:   {StatusActive, StatusArchived},
	StatusActive:    {StatusCompleted, StatusArchived},
	StatusCompleted: {StatusActive, StatusArchived},
	StatusArchived:  {},
}

// CheckStatus refuses a status change outside the lifecycle (400).
func CheckStatus(from, to string) error {
	if from == to || from == "" {
		return nil
	}
	if !slices.Contains(moves[from], to) {
		return invalid("status", fmt.Sprintf("A campaign cannot go from %s to %s.", from, to))
	}
	return nil
}

// Prepare fills a campaign's defaults before it is saved: status planned,
// round 1 and, for a recurring campaign, the next run computed from its
// cron spec (a bad spec is a 400).
func Prepare(r *core.Record, now types.DateTime) error {
	camp, orig := c.AsCampaign(r), c.AsCampaign(r.Original())
	if camp.Status() == "" {
		camp.SetStatus(StatusPlanned)
	}
	if camp.Round() < 1 {
		camp.SetRound(1)
	}
	spec := camp.Recurrence()
	changed := r.IsNew() || orig.Recurrence() != spec
	if spec == "" {
		if changed {
			camp.SetNextRunAt(types.DateTime{})
		}
		return nil
	}
	sched, err := ParseRecurrence(spec)
	if err != nil {
		return invalid("recurrence", err.Error())
	}
	// A next run set explicitly in this save (the scheduler, or a lead
	// moving the next run) wins over the recomputation.
	explicit := !r.IsNew() && orig.NextRunAt().String() != camp.NextRunAt().String() &&
		!camp.NextRunAt().IsZero()
	if (changed && !explicit) || camp.NextRunAt().IsZero() {
		next, _ := types.ParseDateTime(sched.Next(now.Time()))
		camp.SetNextRunAt(next)
	}
	return nil
}

func invalid(field, msg string) error {
	return router.NewApiError(http.StatusBadRequest, msg, map[string]error{field: validation.NewError("validation_invalid_value", msg)})
}

func missing(field string) error {
	return router.NewApiError(http.StatusBadRequest, field+" is required.",
		map[string]error{field: validation.NewError("validation_required", "Cannot be blank.")})
}
