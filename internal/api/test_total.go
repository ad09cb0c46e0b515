package api

import (
	"fmt"
	"net/http"
	"slices"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The Tests page's total ("N tests") comes from the counts that triggers keep
// per (state, revealed) in the same transaction as every test write
// (pb_migrations/1765001100_list_cursors_and_counts.go), under the list
// rule's own visibility logic: blue roles count the revealed tests only,
// every other role and superusers count them all. It equals PocketBase's
// COUNT(DISTINCT) of the records API under the rule (TestTestTotal proves
// it for every role with blind tests present) and costs a read of at most
// fourteen rows instead of every test.

func registerTestTotalRoute(g *Group) {
	g.GET("/tests/total", handleTestTotal).Bind(requireUser())
	document(Op{Method: "GET", Path: Prefix + "/tests/total", Tags: []string{"tests"}, Auth: "user",
		Summary: "How many tests the caller may list, in one state or all (exact, kept per state by the database)",
		Description: "Blue roles count the tests they may see (revealed ones); other roles count every test. " +
			"The Tests page shows it for its unfiltered and state-filtered lists; other filters count through the records API.",
		Query:    []Param{{Name: "state", Description: "one workflow state; empty for all"}},
		Response: map[string]any{"total": 1234, "exact": true}})
}

func handleTestTotal(e *core.RequestEvent) error {
	state := e.Request.URL.Query().Get("state")
	if state != "" && !slices.Contains(c.TestStates, state) {
		return e.BadRequestError("Unknown state "+fmt.Sprintf("%q", state)+".", nil)
	}
	n, err := TestTotal(e.App, c.ActorFromRequest(e), state)
	if err != nil {
		e.App.Logger().Error("test total", "error", err)
		return e.InternalServerError("", nil)
	}
	return e.JSON(http.StatusOK, map[string]any{"total": n, "exact": true})
}

// TestTotal is the number of tests actor may list, in state or in all
// states when state is "".
func TestTotal(app core.App, actor c.Actor, state string) (int, error) {
	if actor.Role == "" {
		return 0, nil
	}
	q := "SELECT coalesce(sum(n), 0) FROM `" + c.TestCountsTable + "` WHERE 1 = 1"
	p := dbx.Params{}
	if state != "" {
		q += " AND state = {:state}"
		p["state"] = state
	}
	if actor.Blue() {
		q += " AND revealed = 1"
	}
	var n int
	if err := app.DB().NewQuery(q).Bind(p).Row(&n); err != nil {
		return 0, fmt.Errorf("count tests: %w", err)
	}
	return n, nil
}
