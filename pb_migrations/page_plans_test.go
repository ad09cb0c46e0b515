package migrations_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every page of the UI sends its list requests through the records API with
// its role's rule added to the WHERE clause. This test replays the requests
// of each page (the query strings of ui/src/pages: sort, filter, expand,
// perPage, skipTotal) as a blue analyst (who pays for the blind rules) and
// as an admin, captures the SQL PocketBase runs, and fails if the plan of a
// page's main query reads its table without an index or sorts the whole
// table: the difference between milliseconds and seconds once the
// organisation holds hundreds of thousands of tests and millions of audit
// entries (docs/BENCHMARKS.md, page loads).
func TestPageQueriesAreIndexBacked(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	populate(t, app.DB())

	log := testutil.CaptureQueries(t, app)
	const testExpand = "technique,campaign,red_assignee,blue_assignee"
	pages := []struct {
		name, table, path string
		sortedByFilter    bool // the filter bounds the rows (one campaign): sorting them is fine
	}{
		{"Tests", collections.Tests, list("tests", "page", "1", "perPage", "25", "sort", "-updated", "expand", testExpand), false},
		{"Tests, deep page", collections.Tests, list("tests", "page", "200", "perPage", "25", "sort", "-updated", "expand", testExpand), false},
		{"Tests by state", collections.Tests, list("tests", "page", "1", "perPage", "25", "sort", "-updated", "expand", testExpand, "filter", "state = 'validated'"), false},
		{"Tests of a technique", collections.Tests, list("tests", "page", "1", "perPage", "25", "sort", "-updated", "expand", testExpand, "filter", "technique = 'abcdefghijklmno'"), true},
		{"Rules", collections.DetectionRules, list("detection_rules", "page", "1", "perPage", "50", "sort", "title", "expand", "techniques", "skipTotal", "1", "filter", "removed = false"), false},
		{"Compliance", collections.ComplianceControls, list("compliance_controls", "page", "1", "perPage", "50", "sort", "control_id", "expand", "owner", "skipTotal", "1", "filter", "framework = 'abcdefghijklmno'"), false},
		{"Library", collections.TestTemplates, list("test_templates", "page", "1", "perPage", "30", "sort", "technique_attack_id,name", "expand", "technique", "skipTotal", "1"), false},
		{"Dashboard activity", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "12", "sort", "-created,-id", "skipTotal", "1"), false},
		{"Audit log", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "50", "sort", "-created,-id", "skipTotal", "1"), false},
		{"Audit log, deep page", collections.AuditLogs, list("audit_logs", "page", "100", "perPage", "50", "sort", "-created,-id", "skipTotal", "1"), false},
		{"Audit log by collection", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "50", "sort", "-created,-id", "skipTotal", "1", "filter", "collection = 'findings'"), false},
		{"Audit log by action", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "50", "sort", "-created,-id", "skipTotal", "1", "filter", "action = 'transition'"), false},
		{"Audit log by date", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "50", "sort", "-created,-id", "skipTotal", "1", "filter", "created >= '2026-01-01 00:00:00.000Z' && created <= '2026-01-31 23:59:59.999Z'"), false},
		// Keyset pages (the cursor of the UI, ui/src/lib/cursor.ts): next and
		// previous, unfiltered and filtered, in each sort an index serves.
		{"Tests, next page by cursor", collections.Tests, list("tests", "page", "1", "perPage", "26", "sort", "-updated,-id", "expand", testExpand, "skipTotal", "1", "filter", "updated <= '2022-06-01 00:00:00.000Z' && (updated < '2022-06-01 00:00:00.000Z' || (updated = '2022-06-01 00:00:00.000Z' && id < 't0000000003000'))"), false},
		// The search, as the Tests page sends it: the name, or the techniques
		// the term names; tested on the index entry, the row read only on a match.
		{"Tests, search", collections.Tests, list("tests", "page", "1", "perPage", "26", "sort", "-updated,-id", "expand", testExpand, "skipTotal", "1", "filter", "(name ~ 'Spearphishing Voice' || technique = 'abcdefghijklmno')"), false},
		{"Tests, previous page by cursor", collections.Tests, list("tests", "page", "1", "perPage", "26", "sort", "updated,id", "expand", testExpand, "skipTotal", "1", "filter", "updated >= '2022-06-01 00:00:00.000Z' && (updated > '2022-06-01 00:00:00.000Z' || (updated = '2022-06-01 00:00:00.000Z' && id > 't0000000003000'))"), false},
		{"Tests by state, next page by cursor", collections.Tests, list("tests", "page", "1", "perPage", "26", "sort", "-updated,-id", "expand", testExpand, "skipTotal", "1", "filter", "(state = 'validated') && updated <= '2022-06-01 00:00:00.000Z' && (updated < '2022-06-01 00:00:00.000Z' || (updated = '2022-06-01 00:00:00.000Z' && id < 't0000000003000'))"), false},
		{"Tests sorted by state, next page by cursor", collections.Tests, list("tests", "page", "1", "perPage", "26", "sort", "state,updated,id", "expand", testExpand, "skipTotal", "1", "filter", "state >= 'executing' && (state > 'executing' || (state = 'executing' && (updated > '2022-06-01 00:00:00.000Z' || (updated = '2022-06-01 00:00:00.000Z' && id > 't0000000003000'))))"), false},
		{"Audit log, next page by cursor", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "-created,-id", "skipTotal", "1", "filter", "created <= '2023-06-01 00:00:00.000Z' && (created < '2023-06-01 00:00:00.000Z' || (created = '2023-06-01 00:00:00.000Z' && id < 'a0000000030000'))"), false},
		{"Audit log, previous page by cursor", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "created,id", "skipTotal", "1", "filter", "created >= '2023-06-01 00:00:00.000Z' && (created > '2023-06-01 00:00:00.000Z' || (created = '2023-06-01 00:00:00.000Z' && id > 'a0000000030000'))"), false},
		{"Audit log by collection, next page by cursor", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "-created,-id", "skipTotal", "1", "filter", "(collection = 'findings') && created <= '2023-06-01 00:00:00.000Z' && (created < '2023-06-01 00:00:00.000Z' || (created = '2023-06-01 00:00:00.000Z' && id < 'a0000000030000'))"), false},
		{"Audit log sorted by actor", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "actor_name,created,id", "skipTotal", "1"), false},
		{"Audit log sorted by actor, descending", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "-actor_name,-created,-id", "skipTotal", "1"), false},
		// By actor the UI pages by number (an admin reads private names, not the stored sort value).
		{"Audit log sorted by actor, deep page", collections.AuditLogs, list("audit_logs", "page", "100", "perPage", "50", "sort", "actor_name,created,id", "skipTotal", "1"), false},
		{"Audit log sorted by collection", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "collection,created,id", "skipTotal", "1"), false},
		{"Audit log sorted by collection, previous page by cursor", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "-collection,-created,-id", "skipTotal", "1", "filter", "collection <= 'tests' && (collection < 'tests' || (collection = 'tests' && (created < '2023-06-01 00:00:00.000Z' || (created = '2023-06-01 00:00:00.000Z' && id < 'a0000000030000'))))"), false},
		{"Audit log sorted by action", collections.AuditLogs, list("audit_logs", "page", "1", "perPage", "51", "sort", "-action,-created,-id", "skipTotal", "1"), false},
		{"Notifications", collections.Notifications, list("notifications", "page", "1", "perPage", "25", "sort", "-created,-id", "skipTotal", "1"), false},
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
				counts := 0
				for _, q := range main {
					if strings.HasPrefix(q, "SELECT COUNT(") {
						// The total of a page that shows one (the Tests page):
						// PocketBase's COUNT(DISTINCT rowid) under the rule reads
						// the table once; pages without a total must not pay it.
						// Filtered by state, it counts from the index alone.
						counts++
						if strings.Contains(q, "`state` = 'validated'") || strings.Contains(q, "[[tests.state]] = 'validated'") {
							plan := explain(t, app.DB(), q)
							assert.Contains(t, plan, "COVERING INDEX idx_tests_state_updated_id_revealed", "%s\n%s", q, plan)
						}
						continue
					}
					plan := explain(t, app.DB(), q)
					if strings.HasPrefix(pg.name, "Tests, search") {
						// The name, technique and blind flag ride in the sort's
						// index: a rare term does not read every test row.
						assert.Contains(t, plan, "INDEX idx_tests_updated_id_name_technique_revealed", "%s:\n%s\n%s", pg.name, q, plan)
					}
					if strings.Contains(pg.name, "by cursor") {
						// The cursor is a range of the index: the read starts
						// at the cursor, not at the start of the order.
						assert.Regexp(t, `(?m)^SEARCH `+pg.table+` USING (COVERING )?INDEX \S+ \(.*[<>]`, plan, "%s does not enter the index at its cursor:\n%s\n%s", pg.name, q, plan)
					}
					assert.False(t, scansTable(plan, pg.table), "%s reads %s without an index:\n%s\n%s", pg.name, pg.table, q, plan)
					if !pg.sortedByFilter {
						assert.NotContains(t, plan, "TEMP B-TREE FOR ORDER BY", "%s sorts %s outside an index:\n%s\n%s", pg.name, pg.table, q, plan)
						assert.NotContains(t, plan, "TEMP B-TREE FOR RIGHT PART OF ORDER BY", "%s sorts %s outside an index:\n%s\n%s", pg.name, pg.table, q, plan)
					}
				}
				if strings.Contains(pg.path, "skipTotal=1") {
					assert.Zero(t, counts, "%s asks for no total but a count ran", pg.name)
				}
			})
		}
	}
}

// populate fills the listed tables with an organisation's worth of rows
// (tens of thousands of tests, audit entries, rules) and takes SQLite's
// statistics, so that the planner sees the sizes the pages face in use, as
// the demo seeder and the page-index migration leave them.
func populate(t *testing.T, db dbx.Builder) {
	t.Helper()
	seq := func(n int) string {
		return "WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < " + strconv.Itoa(n) + ") "
	}
	at := "strftime('%Y-%m-%d %H:%M:%fZ', julianday('2022-01-01') + k.n / 20.0)"
	id := func(p string) string { return "'" + p + "' || printf('%013d', k.n)" }
	stmts := []string{
		seq(20000) + "INSERT INTO tests (id, created, updated, name, technique, campaign, state, revealed, revision) SELECT " + id("t") + ", " + at + ", " + at +
			", 'T' || (k.n % 700) || ' test ' || k.n, 't' || printf('%014d', k.n % 700), 'c' || printf('%014d', k.n % 60)," +
			" CASE k.n % 7 WHEN 0 THEN 'draft' WHEN 1 THEN 'ready' WHEN 2 THEN 'executing' WHEN 3 THEN 'blue_review' WHEN 6 THEN 'cancelled' ELSE 'validated' END," +
			" k.n % 10 != 3, 1 FROM k",
		seq(60000) + "INSERT INTO audit_logs (id, created, updated, actor_name, action, collection, record_id, test, revealed) SELECT " + id("a") + ", " + at + ", " + at +
			", CASE k.n % 4 WHEN 0 THEN 'Admin' WHEN 1 THEN 'Blue Analyst' WHEN 2 THEN 'Red Operator' ELSE 'system' END" +
			", CASE k.n % 5 WHEN 0 THEN 'create' WHEN 1 THEN 'login' WHEN 2 THEN 'update' ELSE 'transition' END," +
			" CASE k.n % 9 WHEN 0 THEN 'findings' WHEN 1 THEN 'users' WHEN 2 THEN 'test_outcomes' ELSE 'tests' END, 't' || printf('%014d', k.n / 3)," +
			" 't' || printf('%014d', k.n / 3), k.n % 10 != 3 FROM k",
		seq(3000) + "INSERT INTO findings (id, created, updated, test, technique, title, status) SELECT " + id("f") + ", " + at + ", " + at +
			", 't' || printf('%014d', k.n * 5), 't' || printf('%014d', k.n % 700), 'Undetected', 'open' FROM k",
		seq(5000) + "INSERT INTO detection_rules (id, created, updated, source, source_rule_id, title, removed, enabled, techniques) SELECT " + id("r") + ", " + at + ", " + at +
			", 'sigma', 'r' || k.n, 'Rule ' || k.n, k.n % 20 = 0, 1, '[]' FROM k",
		seq(2000) + "INSERT INTO test_templates (id, created, updated, source, source_id, name, technique_attack_id) SELECT " + id("p") + ", " + at + ", " + at +
			", 'atomic', 'p' || k.n, 'Template ' || k.n, 'T' || (1000 + k.n % 600) FROM k",
		seq(1000) + "INSERT INTO compliance_controls (id, created, updated, framework, control_id, title) SELECT " + id("c") + ", " + at + ", " + at +
			", 'w' || printf('%014d', k.n % 3), 'AC-' || k.n, 'Control ' || k.n FROM k",
		"ANALYZE",
	}
	for _, q := range stmts {
		_, err := db.NewQuery(q).Execute()
		require.NoError(t, err, q)
	}
	off := 0
	for _, u := range testutil.Users(t) {
		_, err := db.NewQuery(seq(2000) + "INSERT INTO notifications (id, created, updated, user, title) SELECT 'n' || printf('%014d', k.n + {:off}), " +
			at + ", " + at + ", {:u}, 'Note' FROM k").Bind(dbx.Params{"u": u.Id, "off": off}).Execute()
		require.NoError(t, err)
		off += 2000
	}
	_, err := db.NewQuery("ANALYZE notifications").Execute()
	require.NoError(t, err)
}

// mainQueries are the list and count queries on table (expand lookups and
// rule joins are by primary key).
// list is the records API URL of col's list with the query kv (pairs).
func list(col string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "/api/collections/" + col + "/records?" + v.Encode()
}

func mainQueries(all []string, table string) []string {
	var out []string
	for _, q := range all {
		if strings.HasPrefix(q, "SELECT DISTINCT `"+table+"`.*") || strings.HasPrefix(q, "SELECT `"+table+"`.*") ||
			(strings.HasPrefix(q, "SELECT COUNT(") && strings.Contains(q, "FROM `"+table+"`")) {
			out = append(out, q)
		}
	}
	return out
}

func explain(t *testing.T, db dbx.Builder, q string) string {
	t.Helper()
	rows, err := db.NewQuery("EXPLAIN QUERY PLAN " + q).Rows()
	require.NoError(t, err, q)
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		plan.WriteString(detail + "\n")
	}
	return plan.String()
}

// scansTable reports a plain scan of table (or of its alias): every row
// read, no index.
func scansTable(plan, table string) bool {
	re := regexp.MustCompile(`(?m)^SCAN ` + regexp.QuoteMeta(table) + `( AS \S+)?$`)
	return re.MatchString(plan)
}
