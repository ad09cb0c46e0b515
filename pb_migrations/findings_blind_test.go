package migrations_test

import (
	"net/http"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A finding about an unrevealed blind test is as hidden from blue roles as
// the test itself, on every records-API path, until the test is revealed.
func TestFindingsFollowTheirTestsVisibility(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	save := func(col string, fields map[string]any) *core.Record { return testutil.Save(t, app, col, fields) }
	tech := save(c.Techniques, map[string]any{"stix_id": "attack-pattern--f1", "attack_id": "T1003", "name": "OS Credential Dumping", "domain": "enterprise-attack"})
	blind := save(c.Campaigns, map[string]any{"name": "Blind exercise", "blind": true})
	test := save(c.Tests, map[string]any{"name": "LSASS dump", "technique": tech.Id, "campaign": blind.Id})
	require.False(t, test.GetBool("revealed"))
	hidden := save(c.Findings, map[string]any{"test": test.Id, "technique": tech.Id, "title": "LSASS dump not detected", "severity": "high", "status": "open"})
	loose := save(c.Findings, map[string]any{"technique": tech.Id, "title": "No EDR on the DMZ hosts", "severity": "medium", "status": "open"})

	base := srv.URL + "/api/collections/" + c.Findings + "/records"
	scenarios := []struct {
		name        string
		role        c.Role
		method, url string
		body        any
		status      int
		sees        []string
	}{
		{"blue analyst lists only the finding without a test", c.RoleBlueAnalyst, http.MethodGet, base, nil, 200, []string{loose.Id}},
		{"blue lead lists only the finding without a test", c.RoleBlueLead, http.MethodGet, base, nil, 200, []string{loose.Id}},
		{"blue analyst filtering by test finds nothing", c.RoleBlueAnalyst, http.MethodGet, base + "?filter=test%3D%27" + test.Id + "%27", nil, 200, []string{}},
		{"blue analyst cannot view it", c.RoleBlueAnalyst, http.MethodGet, base + "/" + hidden.Id, nil, 404, nil},
		{"blue lead cannot change it", c.RoleBlueLead, http.MethodPatch, base + "/" + hidden.Id, map[string]any{"status": "resolved"}, 404, nil},
		{"red lead lists both", c.RoleRedLead, http.MethodGet, base + "?sort=created", nil, 200, []string{hidden.Id, loose.Id}},
		{"viewer lists both", c.RoleViewer, http.MethodGet, base + "?sort=created", nil, 200, []string{hidden.Id, loose.Id}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := testutil.Do(t, s.method, s.url, users[s.role].Token, s.body)
			require.Equal(t, s.status, r.Status, string(r.Body))
			if s.sees != nil {
				var page struct{ Items []struct{ Id string } }
				r.JSON(t, &page)
				ids := []string{}
				for _, it := range page.Items {
					ids = append(ids, it.Id)
				}
				assert.ElementsMatch(t, s.sees, ids)
			}
		})
	}
	stored, err := app.FindRecordById(c.Findings, hidden.Id)
	require.NoError(t, err)
	assert.Equal(t, "open", stored.GetString("status"), "a refused change was stored")

	// Revealed, the finding is blue's to read and work on.
	test.Set("revealed", true)
	require.NoError(t, app.Save(test))
	r := testutil.Do(t, http.MethodGet, base+"/"+hidden.Id, users[c.RoleBlueAnalyst].Token, nil)
	assert.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = testutil.Do(t, http.MethodPatch, base+"/"+hidden.Id, users[c.RoleBlueLead].Token, map[string]any{"status": "in_progress"})
	assert.Equal(t, http.StatusOK, r.Status, string(r.Body))
}
