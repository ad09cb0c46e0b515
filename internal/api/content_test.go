package api_test

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

// TestUnknownTechniques: GET /api/aegis/content/unknown-techniques lists
// the ids rules name that the catalogue lacks (with the references waiting
// for them) and the rules on deprecated techniques.
func TestUnknownTechniques(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	save := func(col string, data map[string]any) *core.Record {
		c, err := app.FindCollectionByNameOrId(col)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		for k, v := range data {
			r.Set(k, v)
		}
		if err := app.Save(r); err != nil {
			t.Fatalf("%s: %v", col, err)
		}
		return r
	}
	old := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--old", "attack_id": "T1001", "name": "Old", "deprecated": true})
	save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "a", "title": "Names two new ids",
		"unknown_techniques": []string{"T1685", "T1689.001"}})
	save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "b", "title": "Names one new id",
		"unknown_techniques": []string{"T1685"}})
	save(collections.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "c", "title": "Gone upstream",
		"unknown_techniques": []string{"T1699"}, "removed": true})
	save(collections.DetectionRules, map[string]any{"source": "custom", "source_rule_id": "d", "title": "On a deprecated technique",
		"techniques": []string{old.Id}})
	if _, err := registry.RememberReference(app, registry.PendingReference{Kind: collections.RefControlMapping, AttackID: "T1685", Owner: "ctl", Detail: "mitigates"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, role string
		status     int
		check      func(t *testing.T, r registry.UnknownReport)
	}{
		{"viewer reads it", collections.RoleViewer, http.StatusOK, func(t *testing.T, r registry.UnknownReport) {
			if r.RuleCount != 2 || len(r.Rules) != 2 {
				t.Fatalf("rules %d %+v (the removed rule is not listed)", r.RuleCount, r.Rules)
			}
			if len(r.IDs) != 2 || r.IDs[0] != (registry.UnknownID{AttackID: "T1685", Rules: 2, Pending: 1}) ||
				r.IDs[1] != (registry.UnknownID{AttackID: "T1689.001", Rules: 1}) {
				t.Fatalf("ids %+v", r.IDs)
			}
			if r.Pending[collections.RefControlMapping] != 1 {
				t.Fatalf("pending %+v", r.Pending)
			}
			if len(r.Deprecated) != 1 || r.Deprecated[0].Techniques != "T1001" {
				t.Fatalf("deprecated %+v", r.Deprecated)
			}
		}},
		{"anonymous", "", http.StatusUnauthorized, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := ""
			if tc.role != "" {
				tok = users[tc.role].Token
			}
			res := testutil.Do(t, "GET", srv.URL+"/api/aegis/content/unknown-techniques", tok, nil)
			if res.Status != tc.status {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			if tc.check != nil {
				var r registry.UnknownReport
				res.JSON(t, &r)
				tc.check(t, r)
			}
		})
	}
	if res := testutil.Do(t, "GET", srv.URL+"/api/aegis/content/unknown-techniques?limit=x", users[collections.RoleViewer].Token, nil); res.Status != http.StatusBadRequest {
		t.Fatalf("bad limit: %d", res.Status)
	}
}
