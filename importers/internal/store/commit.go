package store

import (
	"context"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
)

// Commit runs write in one transaction. When the run changed something,
// one audit entry for the whole import (action "import" on collection, with
// the report's counts and whatever write put in details) is written in the
// same transaction. On error nothing was written and the counts are reset;
// on success the report's NoChange flag is set.
func Commit(ctx context.Context, app core.App, rep *importers.Report, opts importers.Options, collection string,
	write func(tx core.App, details map[string]any) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := app.RunInTransaction(func(tx core.App) error {
		details := map[string]any{}
		if err := write(tx, details); err != nil {
			return err
		}
		if rep.Created+rep.Updated+rep.Removed == 0 {
			return nil
		}
		details["kind"], details["source"] = rep.Kind, rep.Source
		details["created"], details["updated"] = rep.Created, rep.Updated
		details["removed"], details["unchanged"] = rep.Removed, rep.Unchanged
		return audit.Write(tx, audit.Entry{Actor: opts.Actor, ActorKind: ActorKind(opts.Actor), Action: "import",
			Collection: collection, Details: details})
	})
	if err != nil {
		// Nothing was written: the counters describe a rolled-back attempt.
		rep.Created, rep.Updated, rep.Removed, rep.Unchanged = 0, 0, 0, 0
		return err
	}
	rep.NoChange = rep.Created+rep.Updated+rep.Removed == 0
	return nil
}

// ActorKind is the audit actor kind of an import started by actor (empty:
// the system).
func ActorKind(actor string) string {
	if actor == "" {
		return audit.KindSystem
	}
	return audit.KindUser
}

// Tick is the periodic check of a write loop: every every-th item it stops
// on a cancelled context and reports write progress (i of total).
func Tick(ctx context.Context, progress importers.Progress, i, total, every int) error {
	if i%every != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if progress != nil {
		progress("write", i, total)
	}
	return nil
}
