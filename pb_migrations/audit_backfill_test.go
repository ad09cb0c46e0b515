package migrations_test

import (
	"encoding/json"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAuditBackfill: entries written before audit_logs had test, revealed
// and private are linked to their test with its visibility, their emails and
// typed identities move to the private field, and integration secrets
// already stored in audit details and job errors are masked.
func TestAuditBackfill(t *testing.T) {
	app := testutil.NewApp(t)
	// The migration and every later one, which may build on its fields
	// (the sign-in index reads audit_logs.private).
	var later []*core.Migration
	for _, it := range core.AppMigrations.Items() {
		if it.File >= "1765000100_audit_visibility_and_privacy.go" {
			later = append(later, it)
		}
	}
	require.NotEmpty(t, later, "migration registered")
	require.Equal(t, "1765000100_audit_visibility_and_privacy.go", later[0].File)

	save := func(col string, fields map[string]any) *core.Record { return testutil.Save(t, app, col, fields) }
	tech := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--bf", "attack_id": "T1001", "name": "T", "domain": "enterprise-attack"})
	blind := save(collections.Campaigns, map[string]any{"name": "blind", "blind": true})
	hidden := save(collections.Tests, map[string]any{"name": "hidden", "technique": tech.Id, "campaign": blind.Id})
	shown := save(collections.Tests, map[string]any{"name": "shown", "technique": tech.Id})
	comment := save(collections.TestComments, map[string]any{"test": hidden.Id, "author": testutil.Users(t)[collections.RoleRedLead].Id, "body": "x"})
	require.False(t, hidden.GetBool("revealed"))
	require.True(t, shown.GetBool("revealed"))

	// Back to the schema before the migration, with rows as older versions wrote them.
	for i := len(later) - 1; i >= 0; i-- {
		require.NoError(t, later[i].Down(app), later[i].File)
	}
	_, err := app.DB().NewQuery("DELETE FROM audit_logs").Execute()
	require.NoError(t, err)
	legacy := []struct {
		id, action, collection, recordID, actorName, details string
	}{
		{"legacyhidden01", "update", "tests", hidden.Id, "Red Lead", `{"name":{"old":"a","new":"hidden"}}`},
		{"legacyshown001", "update", "tests", shown.Id, "Red Lead", `{"name":{"old":"a","new":"shown"}}`},
		{"legacycomment1", "create", "test_comments", comment.Id, "Red Lead", `{"body":{"old":null,"new":"x"}}`},
		{"legacydeleted1", "delete", "test_outcomes", "goneoutcome001", "Blue", `{"test":{"old":"` + hidden.Id + `","new":null}}`},
		{"legacyfailed01", "login_failed", "users", "", "typed@example.org", `{"identity":"typed@example.org","reason":"unknown identity"}`},
		{"legacyuser0001", "create", "users", "someuser000001", "admin@example.org", `{"email":{"old":null,"new":"new@example.org"},"name":{"old":null,"new":"N"}}`},
		{"legacyintegr01", "update", "integrations", "someintegrati1", "Admin", `{"source":{"old":{"spec":"https://u:pw-SECRET@h/x","token":"tok-SECRET"},"new":{"spec":"https://u:pw-SECRET@h/x","token":"tok2-SECRET"}}}`},
	}
	for _, l := range legacy {
		_, err := app.DB().Insert(collections.AuditLogs, dbx.Params{"id": l.id, "action": l.action, "collection": l.collection,
			"record_id": l.recordID, "actor_name": l.actorName, "actor_kind": "user", "details": l.details, "ip": "10.0.0.1",
			"created": "2026-01-01 00:00:00.000Z", "updated": "2026-01-01 00:00:00.000Z"}).Execute()
		require.NoError(t, err)
	}
	_, err = app.DB().Insert(collections.JobRuns, dbx.Params{"id": "legacyjobrun01", "job": "sync:x", "status": "failed",
		"error": `fetch: Get "https://u:pw-SECRET@h/x?access_token=q-SECRET": refused`, "log": `["09:00:00 Get https://u:pw-SECRET@h/x"]`}).Execute()
	require.NoError(t, err)

	for _, m := range later {
		require.NoError(t, m.Up(app), m.File)
	}

	type row struct {
		Test      string `db:"test"`
		Revealed  bool   `db:"revealed"`
		ActorName string `db:"actor_name"`
		Details   string `db:"details"`
		Private   string `db:"private"`
	}
	get := func(id string) row {
		var r row
		require.NoError(t, app.DB().NewQuery("SELECT test, revealed, actor_name, ifnull(details,'') AS details, ifnull(private,'') AS private FROM audit_logs WHERE id = {:id}").
			Bind(dbx.Params{"id": id}).One(&r))
		return r
	}
	cases := []struct {
		name         string
		id           string
		wantTest     string
		wantRevealed bool
	}{
		{"entry about a hidden test", "legacyhidden01", hidden.Id, false},
		{"entry about a revealed test", "legacyshown001", shown.Id, true},
		{"comment on a hidden test", "legacycomment1", hidden.Id, false},
		{"deleted outcome of a hidden test", "legacydeleted1", hidden.Id, false},
		{"sign-in entry", "legacyfailed01", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(tc.id)
			assert.Equal(t, tc.wantTest, r.Test)
			assert.Equal(t, tc.wantRevealed, r.Revealed)
		})
	}

	failed := get("legacyfailed01")
	assert.Empty(t, failed.ActorName)
	assert.NotContains(t, failed.Details, "typed@example.org")
	assert.Contains(t, failed.Private, "typed@example.org")
	user := get("legacyuser0001")
	assert.Empty(t, user.ActorName)
	assert.NotContains(t, user.Details, "new@example.org")
	var priv struct {
		ActorName string `json:"actor_name"`
		Details   map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(user.Private), &priv))
	assert.Equal(t, "admin@example.org", priv.ActorName)
	assert.Contains(t, priv.Details, "email")
	integ := get("legacyintegr01")
	assert.NotContains(t, integ.Details, "SECRET")
	assert.Contains(t, integ.Details, "(changed)")

	var job struct {
		Error string `db:"error"`
		Log   string `db:"log"`
	}
	require.NoError(t, app.DB().NewQuery("SELECT error, log FROM job_runs WHERE id = 'legacyjobrun01'").One(&job))
	assert.NotContains(t, job.Error+job.Log, "SECRET")
	assert.Contains(t, job.Error, "refused")
}
