package workflow

import (
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// HistoryEntry is one line of a test's history.
type HistoryEntry struct {
	Id         string         `db:"id" json:"id"`
	Created    types.DateTime `db:"created" json:"created"`
	Actor      string         `db:"actor" json:"actor"`
	ActorName  string         `db:"actor_name" json:"actor_name"`
	ActorKind  string         `db:"actor_kind" json:"actor_kind"`
	Action     string         `db:"action" json:"action"`
	Collection string         `db:"collection" json:"collection"`
	RecordId   string         `db:"record_id" json:"record_id"`
	Details    types.JSONRaw  `db:"details" json:"details"`
}

// History returns the audit entries of test testId and of the records that
// hang off it (outcomes, evidence, comments, findings), oldest first. The
// caller must be allowed to see the test.
func History(app core.App, actor Actor, testId string, limit int) ([]HistoryEntry, error) {
	test, err := app.FindRecordById(c.Tests, testId)
	if err != nil || !actor.CanSee(test) {
		return nil, notFound("Test not found.")
	}
	if limit <= 0 || limit > 5000 {
		limit = 5000
	}
	// Children that still exist are found by relation; deleted ones by the
	// test id their delete entry recorded.
	ids := []any{test.Id}
	for _, col := range []string{c.TestOutcomes, c.Evidence, c.TestComments, c.Findings} {
		var rows []struct {
			Id string `db:"id"`
		}
		if err := app.DB().Select("id").From(col).Where(dbx.HashExp{"test": test.Id}).All(&rows); err != nil {
			return nil, fmt.Errorf("history of %s: %s: %w", testId, col, err)
		}
		for _, r := range rows {
			ids = append(ids, r.Id)
		}
	}
	out := []HistoryEntry{}
	err = app.DB().Select("id", "created", "actor", "actor_name", "actor_kind", "action", "collection", "record_id", "details").
		From(c.AuditLogs).
		Where(dbx.Or(dbx.In("record_id", ids...),
			dbx.NewExp("json_extract(details, '$.test') = {:t}", dbx.Params{"t": test.Id}))).
		OrderBy("created ASC", "rowid ASC").Limit(int64(limit)).All(&out)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", testId, err)
	}
	return out, nil
}
