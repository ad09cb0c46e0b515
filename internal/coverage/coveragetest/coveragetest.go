// Package coveragetest holds the fixtures that the tests of coverage and of
// the packages built on it (exports, report) share: a hand-made model, the
// real ATT&CK bundle with the small demo, bulk-seeded tests and a GET helper.
package coveragetest

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/require"
)

// Now is the fixed "now" of the hand-made models.
var Now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// DaysAgo is n days before Now.
func DaysAgo(n float64) time.Time { return Now.Add(-time.Duration(n * 24 * float64(time.Hour))) }

// Validated is a validated test of tech with the given outcome.
func Validated(id, tech, tpl, prev, det string, at time.Time) coverage.Test {
	return coverage.Test{ID: id, Name: id, Technique: tech, Template: tpl, State: collections.StateValidated,
		Prevention: prev, Detection: det, ValidatedAt: coverage.StampOf(at)}
}

// GapFixture: five in-scope top-level techniques, one out of scope, two
// tracked actors. Ranks are computed by hand in TestRankGaps.
func GapFixture() *coverage.Data {
	tech := func(id, attack, prio string, inScope bool) coverage.Technique {
		return coverage.Technique{ID: id, AttackID: attack, Name: "Technique " + attack, Domain: "enterprise-attack",
			Tactics: []string{"ta1"}, InScope: inScope, Priority: prio, Platforms: []string{"Windows"}}
	}
	sub := tech("b1", "T1002.001", "", true)
	sub.IsSub, sub.Parent = true, "b"
	mac := tech("c", "T1003", "", true)
	mac.Platforms = []string{"macOS"}
	return &coverage.Data{
		Now:      Now,
		Settings: collections.DefaultScoring(),
		Tactics:  []coverage.Tactic{{ID: "ta1", AttackID: "TA0002", Name: "Execution", Shortname: "execution", Domain: "enterprise-attack"}},
		Techniques: []coverage.Technique{
			tech("a", "T1001", "critical", true),
			tech("b", "T1002", "high", true), sub,
			mac,
			tech("d", "T1004", "low", true),
			tech("f", "T1005", "critical", true),
			tech("x", "T1006", "critical", false),
		},
		GivenTests: []coverage.Test{
			Validated("tb", "b", "", "not_blocked", "none", DaysAgo(200)),
			Validated("td", "d", "", "blocked", "technique", Now),
			Validated("tf", "f", "", "not_blocked", "telemetry", Now),
		},
		Actors: []coverage.Actor{
			{ID: "g1", AttackID: "G0001", Name: "Alpha", Techniques: []string{"a", "x"}},
			{ID: "g2", AttackID: "G0002", Name: "Bravo", Techniques: []string{"a", "b1"}},
		},
	}
}

// AttackApp is a fresh test app with the real Enterprise ATT&CK bundle
// imported (skipped when the shared data is absent).
func AttackApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app := testutil.NewApp(t)
	spec := filepath.Join(testutil.SharedData(t), "attack", "enterprise-attack-18.1.json.gz")
	src, err := source.Open(spec, source.Options{})
	require.NoError(t, err, "open %s", spec)
	_, err = attack.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err, "import ATT&CK")
	return app
}

// DemoApp imports the real Enterprise ATT&CK bundle and seeds the small demo.
func DemoApp(t *testing.T) *tests.TestApp {
	t.Helper()
	app := AttackApp(t)
	rep, err := demo.Seed(app, "small")
	require.NoError(t, err, "demo")
	require.Equal(t, demo.Sizes["small"].Tests, rep.Counts["tests"], "demo tests")
	require.Equal(t, demo.Sizes["small"].Rules, rep.Counts["detection_rules"], "demo rules")
	return app
}

func Get(t *testing.T, url, token string, v any) testutil.Response {
	t.Helper()
	res := testutil.Do(t, http.MethodGet, url, token, nil)
	require.Equal(t, http.StatusOK, res.Status, "GET %s: %s", url, res.Body)
	if v != nil {
		res.JSON(t, v)
	}
	return res
}

// SeedTests writes n tests on one technique with raw SQL (fast), with
// hostile names and a long procedure so the export is megabytes.
func SeedTests(t testing.TB, app core.App, n int) string {
	t.Helper()
	tech := core.GenerateDefaultRandomId()
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	err := app.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().NewQuery(`INSERT INTO techniques (id, stix_id, attack_id, name, domain, in_scope, created, updated)
			VALUES ({:id}, 'attack-pattern--x', 'T1059', 'Command and Scripting Interpreter', 'enterprise-attack', 1, {:now}, {:now})`).
			Bind(dbx.Params{"id": tech, "now": now}).Execute(); err != nil {
			return err
		}
		q := tx.DB().NewQuery(`INSERT INTO tests (id, name, technique, procedure, state, prevention, detection, validated_at, tags, created, updated)
			VALUES ({:id}, {:name}, {:tech}, {:proc}, 'validated', 'blocked', 'technique', {:now}, '["a","b"]', {:now}, {:now})`).Prepare()
		defer q.Close()
		proc := strings.Repeat("Invoke-Expression step; ", 20)
		names := []string{"=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ünïcødé \"quoted\", comma\nnew line", "normal"}
		for i := 0; i < n; i++ {
			if _, err := q.Bind(dbx.Params{"id": fmt.Sprintf("t%014d", i), "name": names[i%len(names)], "tech": tech,
				"proc": proc, "now": now}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	coverage.For(app).Invalidate()
	return tech
}
