package migrations

import (
	"encoding/json"
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Blind stays blind, private stays private, secrets stay secret:
//   - audit_logs.test holds the test an entry concerns (the test itself or
//     what hangs on it) and audit_logs.revealed a copy of that test's flag;
//     the list and view rules are the tests' own blind condition, so blue
//     roles do not read entries about tests they may not see (records API,
//     filters, realtime, export) until the test is revealed.
//   - audit_logs.private (hidden: only superusers may filter on it) holds the
//     emails and typed sign-in identities that used to sit in actor_name and
//     details, where anyone could probe them with a filter.
//   - existing rows are backfilled; integration secrets already written into
//     audit details, job_runs.error/log and integrations.last_error are
//     masked, and so are job-failure notifications that quoted them.
func init() {
	m.Register(func(app core.App) error {
		col, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		col.Fields.Add(text("test"), boolean("revealed"),
			&core.JSONField{Name: "private", MaxSize: 1 << 20, Hidden: true})
		index(col, false, "test")
		visible := rule(c.Authed + " && " + c.NotBlueOrRevealed(""))
		col.ListRule, col.ViewRule = visible, visible
		if err := app.Save(col); err != nil {
			return wrap(c.AuditLogs, err)
		}
		if err := backfillAuditTests(app); err != nil {
			return wrap(c.AuditLogs, err)
		}
		if err := backfillAuditPrivacy(app); err != nil {
			return wrap(c.AuditLogs, err)
		}
		return scrubStoredErrors(app)
	}, func(app core.App) error {
		col, err := app.FindCollectionByNameOrId(c.AuditLogs)
		if err != nil {
			return wrap(c.AuditLogs, err)
		}
		col.Fields.RemoveByName("test")
		col.Fields.RemoveByName("revealed")
		col.Fields.RemoveByName("private")
		col.RemoveIndex("idx_audit_logs_test")
		readAll := rule(c.Authed)
		col.ListRule, col.ViewRule = readAll, readAll
		return app.Save(col)
	})
}

// backfillAuditTests links existing entries to their test and copies the
// test's revealed flag. A deleted test keeps the flag its delete entry
// recorded; entries of a test nothing is known about stay hidden from blue.
func backfillAuditTests(app core.App) error {
	db := app.DB()
	stmts := []string{
		`UPDATE audit_logs SET test = record_id WHERE collection = 'tests' AND record_id != ''`,
	}
	for _, child := range audit.TestChildren {
		stmts = append(stmts, fmt.Sprintf(`UPDATE audit_logs SET test = coalesce(
			(SELECT x.test FROM %[1]s x WHERE x.id = audit_logs.record_id),
			json_extract(audit_logs.details, '$.test.new'), json_extract(audit_logs.details, '$.test.old'), '')
			WHERE collection = '%[1]s' AND record_id != ''`, child))
	}
	stmts = append(stmts, `UPDATE audit_logs SET revealed = CASE WHEN test = '' THEN 1 ELSE coalesce(
		(SELECT t.revealed FROM tests t WHERE t.id = audit_logs.test),
		(SELECT CASE WHEN json_extract(d.details, '$.revealed.old') = 1 THEN 1 ELSE 0 END FROM audit_logs d
			WHERE d.collection = 'tests' AND d.record_id = audit_logs.test AND d.action = 'delete' LIMIT 1),
		0) END`)
	for _, q := range stmts {
		if _, err := db.NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("backfill audit tests: %w", err)
		}
	}
	return nil
}

// backfillAuditPrivacy moves emails and typed identities of existing
// entries into the private field, and masks integration secrets in their
// details. Rows are changed with SQL: entries are otherwise immutable.
func backfillAuditPrivacy(app core.App) error {
	type row struct {
		ID         string `db:"id"`
		Action     string `db:"action"`
		Collection string `db:"collection"`
		ActorName  string `db:"actor_name"`
		Details    string `db:"details"`
	}
	var rows []row
	err := app.DB().NewQuery(`SELECT id, action, collection, actor_name, ifnull(details, '') AS details FROM audit_logs
		WHERE action IN ('login', 'login_failed', 'login_locked') OR actor_name LIKE '%@%'
			OR collection IN ('users', '_superusers', 'integrations') OR details LIKE '%"identity"%'`).All(&rows)
	if err != nil {
		return fmt.Errorf("backfill audit privacy: %w", err)
	}
	for _, r := range rows {
		var details map[string]any
		if r.Details != "" && r.Details != "null" {
			if err := json.Unmarshal([]byte(r.Details), &details); err != nil {
				continue // not an object: nothing keyed to move
			}
		}
		if r.Collection == c.Integrations {
			maskSourceChange(details)
		}
		name, visible, private := audit.Split(r.Action, r.Collection, r.ActorName, details)
		var detailsJSON, privateJSON any
		if visible != nil {
			raw, err := json.Marshal(visible)
			if err != nil {
				return fmt.Errorf("backfill audit privacy %s: %w", r.ID, err)
			}
			detailsJSON = string(raw)
		}
		if private.ActorName != "" || len(private.Details) > 0 {
			raw, err := json.Marshal(private)
			if err != nil {
				return fmt.Errorf("backfill audit privacy %s: %w", r.ID, err)
			}
			privateJSON = string(raw)
		}
		_, err := app.DB().NewQuery(`UPDATE audit_logs SET actor_name = {:name}, details = {:details}, private = {:private} WHERE id = {:id}`).
			Bind(dbx.Params{"name": name, "details": detailsJSON, "private": privateJSON, "id": r.ID}).Execute()
		if err != nil {
			return fmt.Errorf("backfill audit privacy %s: %w", r.ID, err)
		}
	}
	return nil
}

// maskSourceChange masks the secrets of an integration's source change
// recorded in clear by an older version.
func maskSourceChange(details map[string]any) {
	ch, ok := details["source"].(map[string]any)
	if !ok {
		return
	}
	o, _ := json.Marshal(ch["old"])
	n, _ := json.Marshal(ch["new"])
	mo, mn := redact.SourceChange(o, n)
	details["source"] = map[string]any{"old": mo, "new": mn}
}

// scrubStoredErrors redacts URLs with credentials in stored error texts.
func scrubStoredErrors(app core.App) error {
	for _, t := range []struct{ table, col string }{
		{c.JobRuns, "error"}, {c.JobRuns, "log"}, {c.Integrations, "last_error"}, {c.Notifications, "body"},
	} {
		var rows []struct {
			ID   string `db:"id"`
			Text string `db:"text"`
		}
		q := fmt.Sprintf("SELECT id, ifnull(%[2]s, '') AS text FROM %[1]s WHERE %[2]s LIKE '%%://%%@%%' OR %[2]s LIKE '%%?%%=%%' OR %[2]s LIKE '%%earer %%'", t.table, t.col)
		if err := app.DB().NewQuery(q).All(&rows); err != nil {
			return wrap(t.table, err)
		}
		for _, r := range rows {
			clean := redact.Text(r.Text)
			if clean == r.Text {
				continue
			}
			if _, err := app.DB().Update(t.table, dbx.Params{t.col: clean}, dbx.HashExp{"id": r.ID}).Execute(); err != nil {
				return wrap(t.table, err)
			}
		}
	}
	return nil
}
