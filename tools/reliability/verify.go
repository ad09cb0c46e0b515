package reliability

import (
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Lost lists acknowledged writes that are missing or different in app's
// database: comments that vanished, evidence whose stored hash differs, and
// tests whose revision went backwards.
func Lost(app core.App, res *Result) []string {
	var lost []string
	ids := make([]any, 0, len(res.Comments))
	for _, id := range res.Comments {
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		var found []struct {
			Id string `db:"id"`
		}
		_ = app.DB().Select("id").From(collections.TestComments).Where(dbx.In("id", ids...)).All(&found)
		have := map[string]bool{}
		for _, f := range found {
			have[f.Id] = true
		}
		for _, id := range res.Comments {
			if !have[id] {
				lost = append(lost, "comment "+id)
			}
		}
	}
	for id, want := range res.Evidence {
		var got string
		if err := app.DB().Select("sha256").From(collections.Evidence).Where(dbx.HashExp{"id": id}).Row(&got); err != nil || got != want {
			lost = append(lost, fmt.Sprintf("evidence %s (sha256 %q, want %q)", id, got, want))
		}
	}
	for id, rev := range res.Revisions {
		var got int
		if err := app.DB().Select("revision").From(collections.Tests).Where(dbx.HashExp{"id": id}).Row(&got); err != nil || got < rev {
			lost = append(lost, fmt.Sprintf("test %s revision %d, acknowledged %d", id, got, rev))
		}
	}
	return lost
}
