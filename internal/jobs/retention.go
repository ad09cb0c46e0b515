package jobs

import (
	"context"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// EvidenceRetention deletes evidence of finished tests (closed or
// cancelled) that is older than settings.retention.evidence_days. Zero, the
// default, keeps evidence forever: deleting proof is the admin's decision.
// Each record is deleted through the app, so its file goes with it and the
// deletion is in the audit log.
func EvidenceRetention(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
	days := retentionDays(app, "evidence_days", 0)
	if days <= 0 {
		return map[string]any{"deleted": 0, "retention_days": days, "disabled": true}, nil
	}
	cutoff := time.Now().UTC().Add(-time.Duration(days) * 24 * time.Hour)
	var ids []string
	err := app.DB().Select("evidence.id").From(collections.Evidence).
		InnerJoin(collections.Tests, dbx.NewExp("tests.id = evidence.test")).
		Where(dbx.In("tests.state", collections.StateClosed, collections.StateCancelled)).
		AndWhere(dbx.NewExp("evidence.created < {:cutoff}", dbx.Params{"cutoff": dbTime(cutoff)})).
		Column(&ids)
	if err != nil {
		return nil, err
	}
	deleted, freed := 0, int64(0)
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return map[string]any{"deleted": deleted, "bytes": freed}, err
		}
		rec, err := app.FindRecordById(collections.Evidence, id)
		if err != nil {
			continue // deleted meanwhile
		}
		if err := app.Delete(rec); err != nil {
			return map[string]any{"deleted": deleted, "bytes": freed}, err
		}
		deleted++
		freed += int64(rec.GetInt("size"))
		if run != nil {
			run.Progress("delete", i+1, len(ids))
		}
	}
	if run != nil {
		run.Logf("deleted %d evidence files (%d bytes) of finished tests older than %d days", deleted, freed, days)
	}
	return map[string]any{"deleted": deleted, "bytes": freed, "retention_days": days, "cutoff": dbTime(cutoff)}, nil
}
