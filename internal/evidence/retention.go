package evidence

import (
	"context"
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// RetentionStats is what one retention pass did (the job run's stats).
type RetentionStats struct {
	Deleted       int    `json:"deleted"`
	Bytes         int64  `json:"bytes"`
	RetentionDays int    `json:"retention_days"`
	Cutoff        string `json:"cutoff,omitempty"`
	Disabled      bool   `json:"disabled,omitempty"`
}

// Retention deletes evidence of finished tests (closed or cancelled) that is
// older than settings.retention.evidence_days at now. Zero, the default,
// keeps evidence forever: deleting proof is the admin's decision. Each
// record is deleted through the app, so its file goes with it and the
// deletion is in the audit log. progress may be nil.
func Retention(ctx context.Context, app core.App, now time.Time, progress func(stage string, done, total int)) (RetentionStats, error) {
	days := collections.RetentionDays(app, collections.RetentionEvidenceDays, 0)
	st := RetentionStats{RetentionDays: days}
	if days <= 0 {
		st.Disabled = true
		return st, nil
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	st.Cutoff = now.UTC().Add(-time.Duration(days) * 24 * time.Hour).Format(types.DefaultDateLayout)
	var ids []string
	err := app.DB().Select("evidence.id").From(collections.Evidence).
		InnerJoin(collections.Tests, dbx.NewExp("tests.id = evidence.test")).
		Where(dbx.In("tests.state", collections.StateClosed, collections.StateCancelled)).
		AndWhere(dbx.NewExp("evidence.created < {:cutoff}", dbx.Params{"cutoff": st.Cutoff})).
		Column(&ids)
	if err != nil {
		return st, fmt.Errorf("find evidence past retention: %w", err)
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rec, err := app.FindRecordById(collections.Evidence, id)
		if err != nil {
			continue // deleted meanwhile
		}
		if err := app.Delete(rec); err != nil {
			return st, fmt.Errorf("delete evidence %s: %w", id, err)
		}
		st.Deleted++
		st.Bytes += int64(rec.GetInt("size"))
		progress("delete", i+1, len(ids))
	}
	return st, nil
}
