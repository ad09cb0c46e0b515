package demo_test

import (
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/coverage/coveragetest"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withAttack is a fresh app with the real Enterprise ATT&CK bundle imported.
func withAttack(t *testing.T) core.App { return coveragetest.AttackApp(t) }

type indexDef struct {
	Name string `db:"name"`
	SQL  string `db:"sql"`
}

func indexes(t *testing.T, app core.App) []indexDef {
	t.Helper()
	var all []indexDef
	require.NoError(t, app.DB().NewQuery(`SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
		AND tbl_name IN ('tests', 'test_outcomes', 'findings', 'audit_logs') ORDER BY name`).All(&all))
	return all
}

// writer is the writing connection's settings the seeding changes.
func writer(t *testing.T, app core.App) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, pragma := range []string{"temp_store", "threads", "cache_size"} {
		var v int
		require.NoError(t, app.NonconcurrentDB().NewQuery("PRAGMA "+pragma).Row(&v))
		got[pragma] = v
	}
	return got
}

// TestSeedSnapshotsMatchTheModel: every back-filled week equals a Compute
// over the seeded data as loaded by the app (every test validated by then,
// not only the latest per procedure the replay keeps), so the trend ends
// where the live model is; the bulk load leaves the indexes as the
// migrations made them and fresh statistics; each step is reported.
func TestSeedSnapshotsMatchTheModel(t *testing.T) {
	app := withAttack(t)
	before := indexes(t, app)
	require.NotEmpty(t, before)
	lent := writer(t, app)
	var steps []string
	rep, err := demo.SeedWith(app, "small", demo.Options{Progress: func(step string, seconds float64) {
		assert.GreaterOrEqual(t, seconds, 0.0)
		steps = append(steps, step)
	}})
	require.NoError(t, err)
	size := demo.Sizes["small"]
	assert.Equal(t, size.Snapshots, rep.Counts["coverage_snapshots"])
	assert.Equal(t, size.AuditEntries, rep.Counts["audit_logs"])
	for _, step := range []string{"users", "tests", "rules", "outcomes", "history", "indexes", "analyze", "commit", "snapshots"} {
		assert.Contains(t, steps, step)
		assert.Contains(t, rep.Steps, step)
	}

	assert.Equal(t, before, indexes(t, app), "the bulk tables' indexes are rebuilt as they were")
	// The writing connection (one) is handed back as it was lent: the
	// index builds' file sorter and workers, and the bulk page cache, end
	// with the seeding.
	assert.Equal(t, lent, writer(t, app))
	var stats int
	require.NoError(t, app.DB().NewQuery("SELECT count(*) FROM sqlite_stat1 WHERE tbl IN ('tests', 'audit_logs')").Row(&stats))
	assert.Positive(t, stats, "statistics of the bulk tables")

	var odd int
	require.NoError(t, app.DB().NewQuery(`SELECT count(*) FROM audit_logs a JOIN tests t ON t.id = a.record_id
		WHERE a.collection = 'tests' AND (a.created != a.updated OR a.created < t.created OR a.created = '')`).Row(&odd))
	assert.Zero(t, odd, "a test's history is timed once per entry, from its creation on")

	d, err := coverage.Load(app)
	require.NoError(t, err)
	type row struct {
		ID      string `db:"id"`
		TakenAt string `db:"taken_at"`
	}
	var rows []row
	require.NoError(t, app.DB().NewQuery("SELECT id, taken_at FROM coverage_snapshots WHERE trigger = 'demo' ORDER BY taken_at").All(&rows))
	require.Len(t, rows, size.Snapshots)
	for i, r := range rows {
		stored, err := coverage.LoadSnapshot(app, r.ID)
		require.NoError(t, err)
		at := coverage.ParseTime(r.TakenAt)
		if i > 0 {
			assert.Equal(t, 7*24*time.Hour, at.Sub(coverage.ParseTime(rows[i-1].TakenAt)), "weekly")
		}
		past := &coverage.Data{Now: at, Settings: d.Settings, AttackVersion: d.AttackVersion, Tactics: d.Tactics,
			Techniques: d.Techniques, Rules: d.Rules, Countermeasures: d.Countermeasures, Controls: d.Controls,
			Actors: d.Actors, Campaigns: d.Campaigns, AttackCampaigns: d.AttackCampaigns, Assessments: d.Assessments,
			Templates: d.Templates}
		for tt := range d.AllTests() {
			if !tt.ValidatedAt.IsZero() && tt.ValidatedAt.Before(coverage.StampOf(at)) {
				past.GivenTests = append(past.GivenTests, *tt)
			}
		}
		want := coverage.BuildSnapshot(coverage.Compute(past, coverage.Options{}), "enterprise-attack", "demo", "")
		want.Totals.Techniques = len(want.ByTechnique)
		assert.Equal(t, want.Totals, stored.Totals, "week %d totals", i)
		assert.Equal(t, want.ByTactic, stored.ByTactic, "week %d tactics", i)
		assert.Equal(t, want.ByTechnique, stored.ByTechnique, "week %d techniques", i)
	}
	last, err := coverage.LoadSnapshot(app, rows[len(rows)-1].ID)
	require.NoError(t, err)
	assert.Positive(t, last.Totals.Validated, "the last week has validated techniques")
	first, err := coverage.LoadSnapshot(app, rows[0].ID)
	require.NoError(t, err)
	assert.LessOrEqual(t, first.Totals.Validated, last.Totals.Validated, "coverage grows over the weeks")
}

// fingerprint is what a seed produced, without the random record ids and
// the run's clock: the same seed must give the same organisation.
type fingerprint struct {
	Tests     []string
	Rules     []string
	Outcomes  int
	Audit     []string
	Snapshots []coverage.Totals
}

func fingerprintOf(t *testing.T, app core.App) fingerprint {
	t.Helper()
	var f fingerprint
	q := func(sql string, out *[]string) {
		require.NoError(t, app.DB().NewQuery(sql).Column(out))
	}
	q(`SELECT t.name || '|' || x.attack_id || '|' || t.state || '|' || t.prevention || '|' || t.detection || '|' || t.platform
		|| '|' || t.red_result FROM tests t JOIN techniques x ON x.id = t.technique ORDER BY t.id`, &f.Tests)
	q(`SELECT title || '|' || status || '|' || severity || '|' || json_array_length(techniques) || '|' || enabled
		FROM detection_rules ORDER BY id`, &f.Rules)
	q(`SELECT action || '|' || collection || '|' || actor_name || '|' || ifnull(details, '') FROM audit_logs WHERE collection = 'tests' ORDER BY id LIMIT 500`, &f.Audit)
	require.NoError(t, app.DB().NewQuery("SELECT count(*) FROM test_outcomes").Row(&f.Outcomes))
	var ids []string
	require.NoError(t, app.DB().Select("id").From(collections.CoverageSnapshots).OrderBy("taken_at").Column(&ids))
	for _, id := range ids {
		s, err := coverage.LoadSnapshot(app, id)
		require.NoError(t, err)
		f.Snapshots = append(f.Snapshots, s.Totals)
	}
	return f
}

// TestSeedIsDeterministic: two runs on the same catalogue give the same
// organisation, snapshots (computed in parallel) included.
// The bulk load writes tests with the counting triggers dropped: the kept
// counts equal the tests afterwards, and the triggers count later writes.
func TestSeedKeepsTheTestCounts(t *testing.T) {
	app := withAttack(t)
	_, err := demo.Seed(app, "small")
	require.NoError(t, err)
	type row struct {
		State    string `db:"state"`
		Revealed int    `db:"revealed"`
		N        int    `db:"n"`
	}
	counts := func(q string) []row {
		var out []row
		require.NoError(t, app.DB().NewQuery(q).All(&out))
		return out
	}
	kept := "SELECT state, revealed, n FROM " + collections.TestCountsTable + " WHERE n > 0 ORDER BY state, revealed"
	counted := "SELECT state, CASE WHEN revealed THEN 1 ELSE 0 END AS revealed, COUNT(*) AS n FROM tests GROUP BY 1, 2 ORDER BY 1, 2"
	require.NotEmpty(t, counts(counted))
	assert.Equal(t, counts(counted), counts(kept), "kept counts after the seed")
	_, err = app.DB().NewQuery("UPDATE tests SET state = 'cancelled' WHERE id IN (SELECT id FROM tests WHERE state = 'draft' LIMIT 5)").Execute()
	require.NoError(t, err)
	assert.Equal(t, counts(counted), counts(kept), "kept counts after a later write (the triggers are back)")
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b := withAttack(t), withAttack(t)
	_, err := demo.Seed(a, "small")
	require.NoError(t, err)
	_, err = demo.Seed(b, "small")
	require.NoError(t, err)
	fa, fb := fingerprintOf(t, a), fingerprintOf(t, b)
	require.Len(t, fa.Tests, demo.Sizes["small"].Tests)
	assert.Equal(t, fa.Tests, fb.Tests)
	assert.Equal(t, fa.Rules, fb.Rules)
	assert.Equal(t, fa.Outcomes, fb.Outcomes)
	assert.Equal(t, fa.Audit, fb.Audit)
	assert.Equal(t, fa.Snapshots, fb.Snapshots)

	_, err = demo.Seed(a, "small")
	assert.ErrorIs(t, err, demo.ErrAlreadySeeded)
	_, err = demo.Seed(a, "huge")
	assert.ErrorContains(t, err, "unknown demo size")
}

// TestSeedOnAConnectionThatUsedItsTemporaryDatabase: SQLite refuses to move
// temporary files inside a transaction once the connection has opened its
// temporary database (as the CLI's earlier steps may have); the seeding
// sets it before its transaction, and puts it back after.
func TestSeedOnAConnectionThatUsedItsTemporaryDatabase(t *testing.T) {
	app := withAttack(t)
	for _, q := range []string{"CREATE TEMP TABLE scratch (a)", "INSERT INTO scratch VALUES (1)", "DROP TABLE temp.scratch"} {
		_, err := app.NonconcurrentDB().NewQuery(q).Execute()
		require.NoError(t, err, q)
	}
	lent := writer(t, app)
	_, err := demo.Seed(app, "small")
	require.NoError(t, err)
	assert.Equal(t, lent, writer(t, app))
}
