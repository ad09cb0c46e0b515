package demo

import (
	"fmt"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
)

// The outcomes and the audit trail are written by SQLite itself
// (INSERT … SELECT over the seeded tests), so the two million entries of
// the xl organisation cost no round trip per row. The audit table's
// secondary indexes are dropped for the bulk insert and rebuilt once after
// it (a sorted build instead of two million random inserts per index), all
// inside the seeding transaction (bulk.go).

// The time of an entry is computed once, in a subquery that LIMIT keeps
// SQLite from flattening into the INSERT (flattened, the expression is
// evaluated for created and again for updated).

// demoCampaigns restricts a query on tests to the ones seeded now.
// (The unary + keeps SQLite from walking tests by the campaign index, so
// the rows come in rowid order and the sequential ids below stay sorted.)
const demoCampaigns = "+t.campaign IN (SELECT id FROM campaigns WHERE name LIKE 'Demo: %')"

// sqlTime formats a julian day as the record time layout.
func sqlTime(julian string) string {
	return "strftime('%Y-%m-%d %H:%M:%fZ', " + julian + ")"
}

// seqID is a 15-character record id that grows with n (a run's random
// prefix, then n in hex): rows written in that order append to the primary
// key's index instead of landing at random pages of a two-million-entry
// b-tree.
func seqID(prefix, n string) string {
	return "('" + prefix + "' || printf('%010x', " + n + "))"
}

// nextID is seqID on the Go side: the seeder's prefix and its next number.
func (s *seeder) nextID() string {
	if s.idPrefix == "" {
		s.idPrefix = newID()[:5]
	}
	s.idSeq++
	return fmt.Sprintf("%s%010x", s.idPrefix, s.idSeq)
}

// outcomes records, for every validated or closed test, the outcome per
// defense tool that saw it (the test's own prevention and detection are
// the summary of these).
func (s *seeder) outcomes() error {
	if len(s.tools) == 0 {
		return nil
	}
	cases := make([]string, len(s.tools))
	for i, id := range s.tools {
		cases[i] = fmt.Sprintf("WHEN %d THEN '%s'", i, id)
	}
	res, err := s.tx.DB().NewQuery(`INSERT INTO test_outcomes (id, created, updated, test, defense_tool, prevention, detection, detected_at, notes)
		SELECT ` + seqID(strings.ToLower(newID()[:5]), "t.rowid") + `, t.validated_at, t.validated_at, t.id,
			CASE (t.rowid % ` + fmt.Sprint(len(s.tools)) + `) ` + strings.Join(cases, " ") + ` END,
			t.prevention, t.detection, t.detected_at, ''
		FROM tests t WHERE t.state IN ('validated', 'closed') AND t.validated_at != '' AND ` + demoCampaigns).Execute()
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	s.rep.Counts["test_outcomes"] += int(n)
	return nil
}

// history writes the audit trail: per test its creation, its workflow
// transitions and later edits spread between created and updated, and
// sign-ins of the demo users over the whole span, AuditEntries in all.
func (s *seeder) history() error {
	if s.size.AuditEntries == 0 || len(s.testRows) == 0 {
		return nil
	}
	per := s.size.AuditEntries * 8 / 10 / len(s.testRows)
	if per < 1 {
		per = 1
	}
	chain := []string{collections.StateDraft, collections.StateReady, collections.StateExecuting, collections.StateBlueReview,
		collections.StateValidated, collections.StateClosed}
	var from, to []string
	for i := 0; i+1 < len(chain); i++ {
		from = append(from, fmt.Sprintf("WHEN %d THEN '%s'", i+1, chain[i]))
		to = append(to, fmt.Sprintf("WHEN %d THEN '%s'", i+1, chain[i+1]))
	}
	when := fmt.Sprintf("julianday(t.created) + (julianday(t.updated) - julianday(t.created)) * k.n / %d.0 + k.n / 86400.0", per)
	prefix := strings.ToLower(newID()[:5])
	res, err := s.tx.DB().NewQuery(`WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < ` + fmt.Sprint(per) + `)
		INSERT INTO audit_logs (id, created, updated, action, collection, record_id, actor, actor_kind, actor_name, details, ip, test, revealed)
		SELECT id, ts, ts, action, collection, record_id, actor, actor_kind, actor_name, details, ip, test, revealed FROM (
		SELECT ` + seqID(prefix, fmt.Sprintf("t.rowid * %d + k.n", per)) + ` AS id, ` + sqlTime(when) + ` AS ts,
			CASE WHEN k.n = 0 THEN 'create' WHEN k.n <= 5 THEN 'transition' ELSE 'update' END AS action,
			'tests' AS collection, t.id AS record_id,
			coalesce(u.id, '') AS actor, CASE WHEN u.id IS NULL THEN 'system' ELSE 'user' END AS actor_kind, coalesce(u.name, '') AS actor_name,
			CASE WHEN k.n = 0 THEN json_object('name', json_object('old', NULL, 'new', t.name), 'state', json_object('old', NULL, 'new', 'draft'))
				WHEN k.n <= 5 THEN json_object('from', CASE k.n ` + strings.Join(from, " ") + ` END, 'to', CASE k.n ` + strings.Join(to, " ") + ` END, 'revision', k.n + 1)
				ELSE json_object('blue_notes', json_object('old', '', 'new', 'Reviewed (edit ' || k.n || ').')) END AS details,
			'' AS ip, t.id AS test, t.revealed AS revealed
		FROM tests t CROSS JOIN k
		LEFT JOIN users u ON u.id = CASE WHEN k.n % 2 = 0 THEN t.red_assignee ELSE t.blue_assignee END
		WHERE ` + demoCampaigns + ` LIMIT -1) LIMIT -1`).Execute()
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	s.rep.Counts["audit_logs"] += int(n)
	if rest := s.size.AuditEntries - int(n); rest > 0 {
		res, err = s.tx.DB().NewQuery(`WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < {:rest}),
			u AS (SELECT id, name, email, row_number() OVER (ORDER BY email) - 1 AS rn, count(*) OVER () AS cnt FROM users WHERE email LIKE {:like})
			INSERT INTO audit_logs (id, created, updated, action, collection, record_id, actor, actor_kind, actor_name, details, ip, test, revealed, private)
			SELECT ` + seqID(prefix, "(SELECT max(rowid) FROM tests) * "+fmt.Sprint(per)+" + "+fmt.Sprint(per)+" + k.n") + `, ` + sqlTime("julianday({:start}) + k.n * {:days} / {:rest}") + `, ` + sqlTime("julianday({:start}) + k.n * {:days} / {:rest}") + `,
				'login', 'users', u.id, u.id, 'user', u.name, NULL, '10.0.' || (k.n % 200) || '.' || (k.n % 250 + 1), '', 1,
				json_object('actor_name', u.email)
			FROM k CROSS JOIN u WHERE u.rn = k.n % u.cnt`).Bind(dbx.Params{"rest": rest, "like": "%@" + EmailDomain,
			"start": s.now.AddDate(0, 0, -s.size.Days).Format(dateLayout), "days": float64(s.size.Days)}).Execute()
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		s.rep.Counts["audit_logs"] += int(n)
	}
	return nil
}

// dropIndexes drops table's explicit indexes and returns the function that
// creates them again.
func (s *seeder) dropIndexes(table string) (func() error, error) {
	type idx struct {
		Name string `db:"name"`
		Type string `db:"type"`
		SQL  string `db:"sql"`
	}
	// Indexes and triggers (the kept test counts) go for the bulk insert and
	// come back after it, the triggers' work done once by a recount.
	var all []idx
	if err := s.tx.DB().NewQuery("SELECT name, type, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = {:t} AND sql IS NOT NULL").
		Bind(dbx.Params{"t": table}).All(&all); err != nil {
		return nil, fmt.Errorf("indexes of %s: %w", table, err)
	}
	for _, ix := range all {
		if _, err := s.tx.DB().NewQuery("DROP " + strings.ToUpper(ix.Type) + " `" + ix.Name + "`").Execute(); err != nil {
			return nil, fmt.Errorf("drop %s %s: %w", ix.Type, ix.Name, err)
		}
	}
	return func() error {
		for _, ix := range all {
			if _, err := s.tx.DB().NewQuery(ix.SQL).Execute(); err != nil {
				return fmt.Errorf("rebuild %s %s: %w", ix.Type, ix.Name, err)
			}
		}
		if table == collections.Tests {
			for _, q := range collections.RecountTestsSQL {
				if _, err := s.tx.DB().NewQuery(q).Execute(); err != nil {
					return fmt.Errorf("recount the tests: %w", err)
				}
			}
		}
		return nil
	}, nil
}
