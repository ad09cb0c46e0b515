package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The Tests page and the Audit log page by cursor (keyset) rather than by
// page number, and the Tests page's total comes from a kept count
// (docs/BENCHMARKS.md, page loads):
//   - tests (updated, id) and (state, updated, id, revealed) replace (updated)
//     and (state, updated, revealed): the cursor is (updated, id), so the
//     page's sort and its `updated <= X && (updated < X || id < Y)` filter
//     are one index range whatever the rule adds;
//   - audit_logs (actor_name, created, id): the sort by actor, ties in the
//     sort's direction like the other sorts of the page (collection and
//     action already have theirs);
//   - aegis_test_counts holds the number of tests per (state, revealed),
//     kept by triggers in the same transaction as every insert, delete and
//     change of state or revealed, including the importers' bulk SQL, so a
//     total is a sum over a few rows instead of PocketBase's
//     COUNT(DISTINCT rowid) over every test under the rule's join.

// TestCountsTable is the table of kept test counts.
const TestCountsTable = c.TestCountsTable

var testCountsUp = []string{
	"CREATE TABLE IF NOT EXISTS `" + TestCountsTable + "` (`state` TEXT NOT NULL, `revealed` INTEGER NOT NULL, `n` INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (`state`, `revealed`)) WITHOUT ROWID",
	"DELETE FROM `" + TestCountsTable + "`",
	"INSERT INTO `" + TestCountsTable + "` (`state`, `revealed`, `n`) SELECT `state`, CASE WHEN `revealed` THEN 1 ELSE 0 END, COUNT(*) FROM `tests` GROUP BY 1, 2",
	"DROP TRIGGER IF EXISTS `aegis_test_counts_insert`",
	"CREATE TRIGGER `aegis_test_counts_insert` AFTER INSERT ON `tests` BEGIN " +
		"INSERT INTO `" + TestCountsTable + "` (`state`, `revealed`, `n`) VALUES (new.`state`, CASE WHEN new.`revealed` THEN 1 ELSE 0 END, 1) " +
		"ON CONFLICT (`state`, `revealed`) DO UPDATE SET `n` = `n` + 1; END",
	"DROP TRIGGER IF EXISTS `aegis_test_counts_delete`",
	"CREATE TRIGGER `aegis_test_counts_delete` AFTER DELETE ON `tests` BEGIN " +
		"UPDATE `" + TestCountsTable + "` SET `n` = `n` - 1 WHERE `state` = old.`state` AND `revealed` = CASE WHEN old.`revealed` THEN 1 ELSE 0 END; END",
	"DROP TRIGGER IF EXISTS `aegis_test_counts_update`",
	"CREATE TRIGGER `aegis_test_counts_update` AFTER UPDATE OF `state`, `revealed` ON `tests` " +
		"WHEN old.`state` IS NOT new.`state` OR (CASE WHEN old.`revealed` THEN 1 ELSE 0 END) != (CASE WHEN new.`revealed` THEN 1 ELSE 0 END) BEGIN " +
		"UPDATE `" + TestCountsTable + "` SET `n` = `n` - 1 WHERE `state` = old.`state` AND `revealed` = CASE WHEN old.`revealed` THEN 1 ELSE 0 END; " +
		"INSERT INTO `" + TestCountsTable + "` (`state`, `revealed`, `n`) VALUES (new.`state`, CASE WHEN new.`revealed` THEN 1 ELSE 0 END, 1) " +
		"ON CONFLICT (`state`, `revealed`) DO UPDATE SET `n` = `n` + 1; END",
}

var testCountsDown = []string{
	"DROP TRIGGER IF EXISTS `aegis_test_counts_insert`",
	"DROP TRIGGER IF EXISTS `aegis_test_counts_delete`",
	"DROP TRIGGER IF EXISTS `aegis_test_counts_update`",
	"DROP TABLE IF EXISTS `" + TestCountsTable + "`",
}

func init() {
	m.Register(func(app core.App) error {
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		tests.RemoveIndex("idx_tests_updated")
		tests.RemoveIndex("idx_tests_state_updated_revealed")
		index(tests, false, "updated,id")
		index(tests, false, "state,updated,id,revealed")
		if err := app.Save(tests); err != nil {
			return wrap(c.Tests, err)
		}
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		index(audit, false, "actor_name,created,id")
		if err := app.Save(audit); err != nil {
			return wrap(c.AuditLogs, err)
		}
		for _, q := range testCountsUp {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return wrap(c.Tests, err)
			}
		}
		for _, t := range []string{c.Tests, c.AuditLogs} {
			if _, err := app.DB().NewQuery("ANALYZE `" + t + "`").Execute(); err != nil {
				return wrap(t, err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, q := range testCountsDown {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return wrap(c.Tests, err)
			}
		}
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		tests.RemoveIndex("idx_tests_updated_id")
		tests.RemoveIndex("idx_tests_state_updated_id_revealed")
		index(tests, false, "updated")
		index(tests, false, "state,updated,revealed")
		if err := app.Save(tests); err != nil {
			return wrap(c.Tests, err)
		}
		audit, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		audit.RemoveIndex("idx_audit_logs_actor_name_created_id")
		return app.Save(audit)
	})
}
