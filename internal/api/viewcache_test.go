package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dashMetrics is the part of /api/aegis/metrics the test reads.
type dashMetrics struct {
	TestsByState map[string]int `json:"tests_by_state"`
	Outcomes     struct {
		Validated int `json:"validated"`
	} `json:"outcomes"`
	RulesBySource []struct {
		Source string `json:"source"`
		Total  int    `json:"total"`
	} `json:"rules_by_source"`
	Findings struct {
		Open     int            `json:"open"`
		ByStatus map[string]int `json:"by_status"`
	} `json:"findings"`
}

// The dashboard's answers are kept per model generation and visibility
// class: a repeat request computes nothing again, while a recorded outcome,
// a new rule and new findings show in the very next answer, and a blue
// analyst never counts the unrevealed tests of a blind campaign (nor the
// findings they opened), which an admin does.
func TestDashboardViewsAreKeptButNeverStale(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	admin, blue := users[collections.RoleAdmin], users[collections.RoleBlueAnalyst]

	save := func(col string, fields map[string]any) *core.Record {
		return testutil.SaveNoValidate(t, app, col, fields)
	}
	tech := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--1", "attack_id": "T1003", "name": "OS Credential Dumping",
		"domain": "enterprise-attack", "in_scope": true, "priority": "high"})
	blind := save(collections.Campaigns, map[string]any{"name": "Blind exercise", "blind": true, "status": "active"})
	visible := save(collections.Tests, map[string]any{"name": "Dump LSASS", "technique": tech.Id, "state": collections.StateBlueReview, "revealed": true})
	hidden := save(collections.Tests, map[string]any{"name": "Blind DCSync", "technique": tech.Id, "campaign": blind.Id, "state": collections.StateBlueReview})
	// Tests of a blind campaign stay hidden from blue until revealed.
	_, err := app.DB().NewQuery("UPDATE tests SET revealed = (id = {:v}) WHERE id IN ({:v}, {:h})").
		Bind(dbx.Params{"v": visible.Id, "h": hidden.Id}).Execute()
	require.NoError(t, err)
	coverage.For(app).Invalidate()

	// The rules aggregate runs once per rules change: count it.
	log := testutil.CaptureQueries(t, app)
	nRules := func() int {
		return log.Count(testutil.Containing("FROM detection_rules WHERE removed = 0 GROUP BY source"))
	}
	get := func(tok string) dashMetrics {
		t.Helper()
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/metrics", tok, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var m dashMetrics
		res.JSON(t, &m)
		return m
	}
	rules := func(m dashMetrics) int {
		n := 0
		for _, r := range m.RulesBySource {
			n += r.Total
		}
		return n
	}

	steps := []struct {
		name   string
		change func()
		// want: blue review, validated, rules, open findings; for the admin, then the blue analyst.
		admin, blue [4]int
		// rulesRead: the rules aggregate was read again. It is kept with the
		// model until a rule changes (coverage.Data.Shared), so a test change
		// re-scores without reading the rules; the values above prove the
		// answer followed the change either way.
		rulesRead bool
	}{
		{"first answers", nil, [4]int{2, 0, 0, 0}, [4]int{1, 0, 0, 0}, true},
		{"repeat answers are kept", nil, [4]int{2, 0, 0, 0}, [4]int{1, 0, 0, 0}, false},
		{"a recorded miss: validated, with a finding", func() {
			res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/tests/"+visible.Id+"/transition", admin.Token,
				map[string]any{"action": "record", "revision": visible.GetInt("revision"), "prevention": "not_blocked", "detection": "none"})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		}, [4]int{1, 1, 0, 1}, [4]int{0, 1, 0, 1}, false},
		{"a new rule", func() {
			save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "r-1", "title": "LSASS access",
				"enabled": true, "techniques": []string{tech.Id}})
		}, [4]int{1, 1, 1, 1}, [4]int{0, 1, 1, 1}, true},
		{"a finding on the hidden test counts for the admin only", func() {
			save(collections.Findings, map[string]any{"test": hidden.Id, "technique": tech.Id, "title": "DCSync not detected", "status": "open"})
		}, [4]int{1, 1, 1, 2}, [4]int{0, 1, 1, 1}, false},
		{"a finding of no test counts for everyone", func() {
			save(collections.Findings, map[string]any{"technique": tech.Id, "title": "No EDR on the DMZ", "status": "open"})
		}, [4]int{1, 1, 1, 3}, [4]int{0, 1, 1, 2}, false},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		before := nRules()
		for _, who := range []struct {
			name string
			tok  string
			want [4]int
		}{{"admin", admin.Token, st.admin}, {"blue analyst", blue.Token, st.blue}} {
			m := get(who.tok)
			got := [4]int{m.TestsByState[collections.StateBlueReview], m.TestsByState[collections.StateValidated], rules(m), m.Findings.Open}
			assert.Equal(t, who.want, got, "%s: %s (blue review, validated, rules, open findings)", st.name, who.name)
		}
		assert.Equal(t, st.rulesRead, nRules() > before, "%s: rules aggregate read again", st.name)
	}
}

// The other views of the model are kept per visibility class too: a blue
// analyst's ranked control gaps and an actor's raise list never offer to
// run an unrevealed test.
func TestGapViewsFollowVisibility(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	save := func(col string, fields map[string]any) *core.Record {
		return testutil.SaveNoValidate(t, app, col, fields)
	}
	tech := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--1", "attack_id": "T1003", "name": "OS Credential Dumping",
		"domain": "enterprise-attack", "in_scope": true, "priority": "high"})
	fw := save(collections.ComplianceFrameworks, map[string]any{"name": "NIST SP 800-53"})
	ctl := save(collections.ComplianceControls, map[string]any{"framework": fw.Id, "control_id": "AC-2", "title": "Account Management"})
	save(collections.ControlMappings, map[string]any{"control": ctl.Id, "technique": tech.Id, "mapping_type": "mitigates"})
	blind := save(collections.Campaigns, map[string]any{"name": "Blind exercise", "blind": true, "status": "active"})
	hidden := save(collections.Tests, map[string]any{"name": "Blind DCSync run", "technique": tech.Id, "campaign": blind.Id, "state": collections.StateReady})
	_, err := app.DB().NewQuery("UPDATE tests SET revealed = 0 WHERE id = {:h}").Bind(dbx.Params{"h": hidden.Id}).Execute()
	require.NoError(t, err)
	coverage.For(app).Invalidate()

	actor := save(collections.ThreatActors, map[string]any{"stix_id": "intrusion-set--1", "attack_id": "G0016", "name": "APT29"})
	save(collections.ActorTechniques, map[string]any{"actor": actor.Id, "technique": tech.Id})
	coverage.For(app).Invalidate()

	path := fmt.Sprintf("/api/aegis/coverage/control-gaps/%s?limit=200", fw.Id)
	var scenarios []testutil.Scenario
	for i := 0; i < 2; i++ { // the second answer is the kept one
		scenarios = append(scenarios,
			testutil.Scenario{Name: fmt.Sprintf("admin sees the blind test to run (%d)", i), Method: http.MethodGet, URL: path,
				Token: users[collections.RoleAdmin].Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"AC-2"`, "Blind DCSync run"}},
			testutil.Scenario{Name: fmt.Sprintf("blue does not (%d)", i), Method: http.MethodGet, URL: path,
				Token: users[collections.RoleBlueAnalyst].Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"AC-2"`},
				NotExpectedContent: []string{"Blind DCSync run", hidden.Id}},
		)
	}
	// What would raise an actor's coverage: the same rule.
	raise := "/api/aegis/coverage/actors/G0016/raise"
	scenarios = append(scenarios,
		testutil.Scenario{Name: "admin: run the blind test to raise APT29", Method: http.MethodGet, URL: raise,
			Token: users[collections.RoleAdmin].Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{"APT29", "Blind DCSync run"}},
		testutil.Scenario{Name: "blue: APT29 without the blind test", Method: http.MethodGet, URL: raise,
			Token: users[collections.RoleBlueAnalyst].Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{"APT29"},
			NotExpectedContent: []string{"Blind DCSync run", hidden.Id}},
		testutil.Scenario{Name: "unknown framework", Method: http.MethodGet, URL: "/api/aegis/coverage/control-gaps/nope",
			Token: users[collections.RoleAdmin].Token, ExpectedStatus: http.StatusNotFound, ExpectedError: true},
		testutil.Scenario{Name: "technique list from the model", Method: http.MethodGet, URL: "/api/aegis/coverage/techniques?domain=enterprise-attack",
			Token: users[collections.RoleBlueAnalyst].Token, ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"attack_id":"T1003"`, `"in_scope":true`, `"priority":"high"`}},
		testutil.Scenario{Name: "technique names of every domain, retired ones too", Method: http.MethodGet,
			URL: "/api/aegis/coverage/techniques?domain=any&retired=1", Token: users[collections.RoleRedOperator].Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"attack_id":"T1003"`, `"name":"OS Credential Dumping"`}},
		testutil.Scenario{Name: "technique list of a bad domain", Method: http.MethodGet, URL: "/api/aegis/coverage/techniques?domain=x",
			Token: users[collections.RoleBlueAnalyst].Token, ExpectedStatus: http.StatusBadRequest, ExpectedError: true},
		testutil.Scenario{Name: "technique list needs a user", Method: http.MethodGet, URL: "/api/aegis/coverage/techniques",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true},
	)
	testutil.ServerFor(t, app).Run(t, scenarios...)
	_ = srv
}

// The scored exports (techniques, actors and controls datasets, the DeTT&CT
// file) score what the caller may see: a validated but unrevealed blind test
// counts for the admin, never for a blue role.
func TestScoredExportsFollowVisibility(t *testing.T) {
	app := testutil.NewApp(t)
	users := testutil.Users(t)
	save := func(col string, fields map[string]any) *core.Record {
		return testutil.SaveNoValidate(t, app, col, fields)
	}
	tech := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--1", "attack_id": "T1003", "name": "OS Credential Dumping",
		"domain": "enterprise-attack", "in_scope": true, "priority": "high"})
	blind := save(collections.Campaigns, map[string]any{"name": "Blind exercise", "blind": true, "status": "active"})
	hidden := save(collections.Tests, map[string]any{"name": "Blind DCSync run", "technique": tech.Id, "campaign": blind.Id,
		"state": collections.StateValidated, "prevention": "blocked", "detection": "technique",
		"executed_at": "2026-11-01 10:00:00.000Z", "validated_at": "2026-11-01 11:00:00.000Z"})
	_, err := app.DB().NewQuery("UPDATE tests SET revealed = 0 WHERE id = {:h}").Bind(dbx.Params{"h": hidden.Id}).Execute()
	require.NoError(t, err)
	coverage.For(app).Invalidate()

	admin, blue := users[collections.RoleAdmin].Token, users[collections.RoleBlueAnalyst].Token
	var scenarios []testutil.Scenario
	for _, file := range []string{"techniques.csv", "actors.csv", "controls.csv"} {
		scenarios = append(scenarios, testutil.Scenario{Name: "blue's " + file + " is scored without the blind test", Method: http.MethodGet,
			URL: "/api/aegis/export/" + file, Token: blue, ExpectedStatus: http.StatusOK, NotExpectedContent: []string{hidden.Id, "Blind DCSync run"}})
	}
	scenarios = append(scenarios,
		testutil.Scenario{Name: "the admin's techniques count the blind run", Method: http.MethodGet, URL: "/api/aegis/export/techniques.json",
			Token: admin, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"attack_id":"T1003"`, `"procedures":1`, `"last_validated":"2026-11-01`}},
		testutil.Scenario{Name: "blue's techniques do not", Method: http.MethodGet, URL: "/api/aegis/export/techniques.json",
			Token: blue, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"attack_id":"T1003"`, `"procedures":0`, `"last_validated":""`}},
		testutil.Scenario{Name: "the admin's DeTT&CT file derives a score from it", Method: http.MethodGet, URL: "/api/aegis/export/dettect",
			Token: admin, ExpectedStatus: http.StatusOK, ExpectedContent: []string{"T1003", "over 1 procedure(s)"}},
		testutil.Scenario{Name: "blue's DeTT&CT file has nothing for T1003", Method: http.MethodGet, URL: "/api/aegis/export/dettect",
			Token: blue, ExpectedStatus: http.StatusOK, NotExpectedContent: []string{"T1003"}},
	)
	// Trends: two snapshots, the blind run between them.
	_, err = coverage.Take(app, "manual", "before")
	require.NoError(t, err)
	_, err = app.DB().NewQuery("UPDATE coverage_snapshots SET taken_at = '2026-10-01 00:00:00.000Z'").Execute()
	require.NoError(t, err)
	_, err = coverage.Take(app, "manual", "after")
	require.NoError(t, err)
	scenarios = append(scenarios,
		testutil.Scenario{Name: "the admin's trend explains the last step", Method: http.MethodGet, URL: "/api/aegis/trends",
			Token: admin, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"points":[`, `"latest_change":`, `"current":`}},
		testutil.Scenario{Name: "blue's trend does not name what moved while a test is unrevealed", Method: http.MethodGet, URL: "/api/aegis/trends",
			Token: blue, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"points":[`}, NotExpectedContent: []string{`"latest_change"`, hidden.Id}},
	)
	testutil.ServerFor(t, app).Run(t, scenarios...)
}
