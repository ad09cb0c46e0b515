package attack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/stretchr/testify/require"
)

func techID(t *testing.T, app core.App, attackID string) string {
	t.Helper()
	var id string
	require.NoError(t, app.DB().NewQuery("SELECT id FROM techniques WHERE attack_id={:a}").Bind(dbx.Params{"a": attackID}).Row(&id), "technique %s", attackID)
	return id
}

// TestUpgradeRevokesDeprecatesAndMovesTests upgrades synthetic release 1.0
// to 2.0: T2000 is revoked by T4000, T3000 deprecated, T5000 added, T1000
// reworded, and the group's use of T2000 disappears upstream.
func TestUpgradeRevokesDeprecatesAndMovesTests(t *testing.T) {
	app := testutil.NewApp(t)
	r1 := mustImport(t, app, "testdata/release-1.json")
	if r1.Version != "1.0" || r1.Created != 11 { // 2 tactics, 4 techniques, group, software, mitigation, 2 procedures
		t.Fatalf("release 1: %+v", r1)
	}
	// Tactics are data: the matrix lists Execution first.
	var firstTactic string
	app.DB().NewQuery("SELECT shortname FROM tactics ORDER BY matrix_order LIMIT 1").Row(&firstTactic)
	require.EqualValuesf(t, "execution", firstTactic, "first column %q, want execution (matrix order)", firstTactic)

	t1, t2, t4 := techID(t, app, "T1000"), techID(t, app, "T2000"), techID(t, app, "T4000")
	// The organisation scopes T1000 out and prioritises it; a test exists on T2000.
	if _, err := app.DB().NewQuery("UPDATE techniques SET in_scope=0, priority='high' WHERE id={:id}").Bind(dbx.Params{"id": t1}).Execute(); err != nil {
		t.Fatal(err)
	}
	now := types.NowDateTime().String()
	if _, err := app.DB().NewQuery(`INSERT INTO tests (id, name, technique, state, revision, created, updated)
		VALUES ('testonrevoked1', 'Run T2000', {:t}, 'draft', 3, {:now}, {:now})`).Bind(dbx.Params{"t": t2, "now": now}).Execute(); err != nil {
		t.Fatal(err)
	}

	r2 := mustImport(t, app, "testdata/release-2.json")
	require.EqualValuesf(t, "2.0", r2.Version, "release 2 report: %+v", r2)
	require.EqualValuesf(t, 1, r2.Created, "release 2 report: %+v", r2)
	require.EqualValuesf(t, 1, r2.Revoked, "release 2 report: %+v", r2)
	require.EqualValuesf(t, 1, r2.Deprecated, "release 2 report: %+v", r2)
	require.EqualValuesf(t, 1, r2.Removed, "release 2 report: %+v", r2)
	var tech struct {
		Revoked   bool   `db:"revoked"`
		RevokedBy string `db:"revoked_by"`
	}
	app.DB().NewQuery("SELECT revoked, revoked_by FROM techniques WHERE id={:id}").Bind(dbx.Params{"id": t2}).One(&tech)
	require.Truef(t, tech.Revoked, "T2000 after upgrade: %+v (want revoked by %s)", tech, t4)
	require.EqualValuesf(t, t4, tech.RevokedBy, "T2000 after upgrade: %+v (want revoked by %s)", tech, t4)
	n := count(t, app, "SELECT count(*) FROM techniques WHERE attack_id='T3000' AND deprecated=1 AND revoked=0")
	require.EqualValues(t, 1, n, "T3000 not deprecated")
	var test struct {
		Technique string `db:"technique"`
		Revision  int    `db:"revision"`
	}
	app.DB().NewQuery("SELECT technique, revision FROM tests WHERE id='testonrevoked1'").One(&test)
	require.EqualValuesf(t, t4, test.Technique, "test not moved to the successor: %+v", test)
	require.EqualValuesf(t, 4, test.Revision, "test not moved to the successor: %+v", test)
	var details string
	err := app.DB().NewQuery("SELECT details FROM audit_logs WHERE action='technique_revoked' AND record_id='testonrevoked1'").Row(&details)
	require.NoErrorf(t, err, "audit of the move: %q %v", details, err)
	require.Containsf(t, details, `"from":"T2000"`, "audit of the move: %q %v", details, err)
	require.Containsf(t, details, `"to":"T4000"`, "audit of the move: %q %v", details, err)
	var scope struct {
		InScope  bool   `db:"in_scope"`
		Priority string `db:"priority"`
		Desc     string `db:"description"`
	}
	app.DB().NewQuery("SELECT in_scope, priority, description FROM techniques WHERE id={:id}").Bind(dbx.Params{"id": t1}).One(&scope)
	require.Falsef(t, scope.InScope, "T1000 after upgrade: %+v (scope and priority must survive, text must update)", scope)
	require.EqualValuesf(t, "high", scope.Priority, "T1000 after upgrade: %+v (scope and priority must survive, text must update)", scope)
	require.Falsef(t, scope.Desc != "Revised words.", "T1000 after upgrade: %+v (scope and priority must survive, text must update)", scope)
	n = count(t, app, "SELECT count(*) FROM actor_techniques")
	require.EqualValuesf(t, 1, n, "vanished procedure kept: %d rows", n)
	n = count(t, app, "SELECT count(*) FROM techniques WHERE attack_id='T5000' AND in_scope=1")
	require.EqualValues(t, 1, n, "new technique not in scope")

	var raw string
	app.DB().NewQuery("SELECT changes FROM attack_releases WHERE version='2.0'").Row(&raw)
	var ch attack.Changes
	require.NoError(t, json.Unmarshal([]byte(raw), &ch))
	require.Falsef(t, strings.Join(ch.Added, ",") != "T5000", "changelog: %+v", ch)
	require.Falsef(t, strings.Join(ch.Revoked, ",") != "T2000", "changelog: %+v", ch)
	require.Falsef(t, strings.Join(ch.Deprecated, ",") != "T3000", "changelog: %+v", ch)
	require.EqualValuesf(t, "T4000", ch.Successors["T2000"], "changelog: %+v", ch)
	require.Containsf(t, strings.Join(ch.Changed, ","), "T1000", "changelog: %+v", ch)
	require.Lenf(t, ch.MovedTests, 1, "changelog: %+v", ch)
	require.EqualValuesf(t, 1, ch.Removed, "changelog: %+v", ch)
	n = count(t, app, "SELECT count(*) FROM audit_logs WHERE action='import'")
	require.EqualValuesf(t, 2, n, "import audit entries: %d, want 2", n)
	// And the upgrade is idempotent.
	r3 := mustImport(t, app, "testdata/release-2.json")
	require.Truef(t, r3.NoChange, "re-import of release 2 changed something: %+v", r3)
}

// A procedure curated by hand for a group/technique pair is not overwritten
// by ATT&CK's text, nor removed when upstream drops the pair.
func TestCuratedProcedureKept(t *testing.T) {
	app := testutil.NewApp(t)
	mustImport(t, app, "testdata/release-1.json")
	if _, err := app.DB().NewQuery("UPDATE actor_techniques SET source='manual', procedure='Seen in our own incident.'").Execute(); err != nil {
		t.Fatal(err)
	}
	mustImport(t, app, "testdata/release-2.json")
	n := count(t, app, "SELECT count(*) FROM actor_techniques WHERE source='manual' AND procedure='Seen in our own incident.'")
	require.EqualValuesf(t, 2, n, "curated procedures kept: %d, want 2", n)
}
