package migrations_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkPageQueriesAreIndexBacked replays the requests of the Board, the
// Campaign page and the Findings board as the UI sends them (one page of
// the rows each shows, ui/src/pages/work/Board.tsx, Campaign.tsx,
// content/Findings.tsx) as a blue analyst and an admin, and fails when the
// plan of a page's list or count query reads its table without an index or
// sorts more than the rows its filter bounds.
func TestWorkPageQueriesAreIndexBacked(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	populate(t, app.DB())
	// Findings in every column of the board, as an organisation has them.
	_, err := app.DB().NewQuery("WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < 9000) " +
		"INSERT INTO findings (id, created, updated, test, technique, title, status) SELECT 'g' || printf('%013d', k.n), " +
		"strftime('%Y-%m-%d %H:%M:%fZ', julianday('2022-01-01') + k.n / 20.0), strftime('%Y-%m-%d %H:%M:%fZ', julianday('2022-01-01') + k.n / 20.0), " +
		"'t' || printf('%014d', k.n * 2), 't' || printf('%014d', k.n % 700), 'Undetected', " +
		"CASE k.n % 3 WHEN 0 THEN 'in_progress' WHEN 1 THEN 'resolved' ELSE 'risk_accepted' END FROM k").Execute()
	require.NoError(t, err)
	_, err = app.DB().NewQuery("ANALYZE findings").Execute()
	require.NoError(t, err)

	log := testutil.CaptureQueries(t, app)
	const (
		campaignFields = "id,name,technique,technique_attack_id,state,prevention,detection,expand.technique.attack_id,expand.technique.name"
		findingFields  = "id,title,severity,status,owner,due_at,test,technique,created,expand.test.name"
	)
	finding := func(filter string) string {
		return list("findings", "page", "1", "perPage", "25", "sort", "-created", "filter", filter, "expand", "test",
			"fields", findingFields, "skipTotal", "1")
	}
	pages := []struct {
		name, table, path string
		// plan is an index the page's list query must read, "" for any.
		plan string
		// bounded: the filter bounds the rows (one campaign's): sorting them is fine.
		bounded bool
	}{
		{"Board", collections.Tests, list("tests", "page", "1", "perPage", "100", "sort", "-updated", "filter", "state != 'cancelled'",
			"skipTotal", "1"), "idx_tests_updated", false},
		{"Board of a campaign", collections.Tests, list("tests", "page", "1", "perPage", "100", "sort", "-updated",
			"filter", "campaign = 'c00000000000001' && state != 'cancelled'", "skipTotal", "1"), "", true},
		{"Campaign", collections.Tests, list("tests", "page", "1", "perPage", "50", "sort", "name", "filter", "campaign = 'c00000000000001'",
			"expand", "technique", "fields", campaignFields), "idx_tests_campaign_name", false},
		{"Campaign, page 3", collections.Tests, list("tests", "page", "3", "perPage", "50", "sort", "name", "filter", "campaign = 'c00000000000001'",
			"expand", "technique", "fields", campaignFields), "idx_tests_campaign_name", false},
		{"Findings, open", collections.Findings, finding("(status = 'open' || status = '')"), "", false},
		{"Findings, in progress", collections.Findings, finding("status = 'in_progress'"), "idx_findings_status_created", false},
		{"Findings, resolved", collections.Findings, finding("status = 'resolved'"), "idx_findings_status_created", false},
		{"Findings, risk accepted", collections.Findings, finding("status = 'risk_accepted'"), "idx_findings_status_created", false},
	}
	for _, role := range []collections.Role{collections.RoleBlueAnalyst, collections.RoleAdmin} {
		for _, pg := range pages {
			t.Run(string(role)+"/"+pg.name, func(t *testing.T) {
				log.Reset()
				res := testutil.Do(t, http.MethodGet, srv.URL+pg.path, users[role].Token, nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				queries := log.All()
				main := mainQueries(queries, pg.table)
				require.NotEmpty(t, main, "no query on %s captured among %q", pg.table, queries)
				for _, q := range main {
					plan := explain(t, app.DB(), q)
					assert.False(t, scansTable(plan, pg.table), "%s reads %s without an index:\n%s\n%s", pg.name, pg.table, q, plan)
					if strings.HasPrefix(q, "SELECT COUNT(") || pg.bounded {
						continue // the Campaign page's total: bounded by the campaign's index
					}
					assert.NotContains(t, plan, "TEMP B-TREE FOR ORDER BY", "%s sorts %s outside an index:\n%s\n%s", pg.name, pg.table, q, plan)
					if pg.plan != "" {
						assert.Contains(t, plan, pg.plan, "%s:\n%s\n%s", pg.name, q, plan)
					}
				}
			})
		}
	}
}
