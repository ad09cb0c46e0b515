package api_test

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// TestUnknownTechniques: GET /api/aegis/content/unknown-techniques lists
// the ids rules name that the catalogue lacks (with the references waiting
// for them) and the rules on deprecated techniques.
func TestUnknownTechniques(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	save := func(col string, data map[string]any) *core.Record { return testutil.Save(t, app, col, data) }
	old := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--old", "attack_id": "T1001", "name": "Old", "deprecated": true})
	save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "a", "title": "Names two new ids",
		"unknown_techniques": []string{"T1685", "T1689.001"}})
	save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "b", "title": "Names one new id",
		"unknown_techniques": []string{"T1685"}})
	save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "c", "title": "Gone upstream",
		"unknown_techniques": []string{"T1699"}, "removed": true})
	save(collections.DetectionRules, map[string]any{"source": "custom", "source_rule_id": "d", "title": "On a deprecated technique",
		"techniques": []string{old.Id}})
	_, err := registry.RememberReference(app, registry.PendingReference{Kind: collections.RefControlMapping, AttackID: "T1685", Owner: "ctl", Detail: "mitigates"})
	require.NoError(t, err, "remember a pending reference to T1685")
	for _, tc := range []struct {
		name   string
		role   collections.Role
		status int
		check  func(t *testing.T, r registry.UnknownReport)
	}{
		{"viewer reads it", collections.RoleViewer, http.StatusOK, func(t *testing.T, r registry.UnknownReport) {
			require.Equal(t, 2, r.RuleCount, "rules %d %+v (the removed rule is not listed)", r.RuleCount, r.Rules)
			require.Len(t, r.Rules, 2, "rules %d %+v (the removed rule is not listed)", r.RuleCount, r.Rules)
			require.Len(t, r.IDs, 2, "ids %+v", r.IDs)
			require.Equal(t, registry.UnknownID{AttackID: "T1685", Rules: 2, Pending: 1}, r.IDs[0], "ids %+v", r.IDs)
			require.Equal(t, registry.UnknownID{AttackID: "T1689.001", Rules: 1}, r.IDs[1], "ids %+v", r.IDs)
			require.Equal(t, 1, r.Pending[collections.RefControlMapping], "pending %+v", r.Pending)
			require.Len(t, r.Deprecated, 1, "deprecated %+v", r.Deprecated)
			require.Equal(t, "T1001", r.Deprecated[0].Techniques, "deprecated %+v", r.Deprecated)
		}},
		{"anonymous", "", http.StatusUnauthorized, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := ""
			if tc.role != "" {
				tok = users[tc.role].Token
			}
			res := testutil.Do(t, "GET", srv.URL+"/api/aegis/content/unknown-techniques", tok, nil)
			require.Equal(t, tc.status, res.Status, "status %d: %s", res.Status, res.Body)
			if tc.check != nil {
				var r registry.UnknownReport
				res.JSON(t, &r)
				tc.check(t, r)
			}
		})
	}
	res := testutil.Do(t, "GET", srv.URL+"/api/aegis/content/unknown-techniques?limit=x", users[collections.RoleViewer].Token, nil)
	require.Equal(t, http.StatusBadRequest, res.Status, "bad limit: %d", res.Status)
}
