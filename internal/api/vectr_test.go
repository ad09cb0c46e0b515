package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const vectrBundle = `{"type":"bundle","id":"b1","spec_version":"2.0","objects":[
 {"type":"x-vectr-io-assessmentgroup","vectrId":"g1","name":"Q3 purple","assessmentIds":["c1"]},
 {"type":"x-vectr-io-campaign","vectrId":"c1","name":"Credential theft","testCaseIds":["t1","t2"]},
 {"type":"x-vectr-io-testcase","vectrId":"t1","redTeam":{"status":"Completed","variant":"Dump LSASS","mitreId":"T9003.001"},
  "blueTeam":{"outcomes":["Blocked"],"alertTriggered":"Yes","alertSeverity":"High"}},
 {"type":"x-vectr-io-testcase","vectrId":"t2","redTeam":{"status":"NotPerformed","variant":"Hive copy","mitreId":"T9003"},
  "blueTeam":{"outcomes":["TBD"]}}
]}`

// TestVectrBundleUploadConfirmExport drives the VECTR bundle through the
// HTTP API: who may upload it, the imported outcome a red lead brought in
// waiting for a blue lead's confirmation (which nobody can forge through the
// records API), and the export of the campaign.
func TestVectrBundleUploadConfirmExport(t *testing.T) {
	srv := testutil.NewServer(t)
	app := srv.App
	users := testutil.Users(t)
	for _, id := range []string{"T9003", "T9003.001"} {
		col, err := app.FindCollectionByNameOrId(collections.Techniques)
		require.NoError(t, err)
		r := core.NewRecord(col)
		r.Set("stix_id", "attack-pattern--"+strings.ToLower(id))
		r.Set("attack_id", id)
		r.Set("name", "Technique "+id)
		require.NoError(t, app.Save(r))
	}
	url := srv.URL + "/api/aegis/import/vectr-bundle"
	for _, role := range []collections.Role{collections.RoleBlueLead, collections.RoleBlueAnalyst, collections.RoleViewer, collections.RoleRedOperator} {
		t.Run(string(role)+" may not import VECTR", func(t *testing.T) {
			res := upload(t, url, users[role].Token, "file", "q3.json", []byte(vectrBundle))
			assert.Equal(t, http.StatusForbidden, res.Status, "%s: %s", role, res.Body)
		})
	}
	red := users[collections.RoleRedLead]
	res := upload(t, url, red.Token, "file", "q3.json", []byte(vectrBundle))
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	var ans runAnswer
	res.JSON(t, &ans)
	assert.Equal(t, "import:vectr-bundle", ans.JobRun.Job)
	run := waitRun(t, app, ans.JobRun.Id)
	require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), run.GetString("error"))
	var rep importers.Report
	require.NoError(t, run.UnmarshalJSONField("stats", &rep))
	assert.Equal(t, 2, rep.Counts["tests_created"])
	assert.Equal(t, 1, rep.Counts["outcomes_unconfirmed"])

	test, err := app.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9003.001'")
	require.NoError(t, err)
	camp := test.GetString("campaign")
	testURL := srv.URL + "/api/aegis/tests/" + test.Id
	recordURL := srv.URL + "/api/collections/tests/records/" + test.Id
	blue := users[collections.RoleBlueLead]
	scenarios := []struct {
		name, method, url, token string
		body                     any
		status                   int
		contains                 string
	}{
		{"the test says who imported its outcome", "GET", recordURL + "?expand=outcome_imported_by", blue.Token, nil, 200, `"outcome_imported":true`},
		{"a red lead may not confirm", "POST", testURL + "/transition", red.Token, map[string]any{"action": "confirm", "revision": 0}, 403, "may not confirm"},
		// The update rule refuses the fields: PocketBase answers 404 to a refused update.
		{"a red lead cannot forge a confirmation", "PATCH", recordURL, red.Token, map[string]any{"outcome_confirmed_by": red.Id}, 404, ""},
		{"nor clear the imported mark", "PATCH", recordURL, red.Token, map[string]any{"outcome_imported": false}, 404, ""},
		{"a blue lead is offered confirm", "GET", testURL + "/actions", blue.Token, nil, 200, `"confirm"`},
		{"a blue lead confirms", "POST", testURL + "/transition", blue.Token, map[string]any{"action": "confirm", "revision": 0}, 200, `"outcome_confirmed_by":"` + blue.Id + `"`},
		{"once", "POST", testURL + "/transition", blue.Token, map[string]any{"action": "confirm", "revision": 1}, 409, "no imported outcome"},
		{"a test needs a technique through the API", "POST", srv.URL + "/api/collections/tests/records", red.Token, map[string]any{"name": "x", "campaign": camp}, 400, "technique"},
		{"export of an unknown campaign", "GET", srv.URL + "/api/aegis/export/vectr-bundle.json?campaign=nope", red.Token, nil, 404, "Campaign not found"},
		{"export of the campaign", "GET", srv.URL + "/api/aegis/export/vectr-bundle.json?campaign=" + camp, users[collections.RoleViewer].Token, nil, 200, `"vectrId": "t1"`},
		{"export needs a user", "GET", srv.URL + "/api/aegis/export/vectr-bundle.json", "", nil, 401, ""},
	}
	table := make([]testutil.Scenario, 0, len(scenarios))
	for _, sc := range scenarios {
		s := testutil.Scenario{
			Name: sc.name, Method: sc.method, URL: sc.url, Token: sc.token, Body: sc.body,
			ExpectedStatus: sc.status, ExpectedError: sc.status >= http.StatusBadRequest,
		}
		if sc.contains != "" {
			s.ExpectedContent = []string{sc.contains}
		}
		table = append(table, s)
	}
	srv.Run(t, table...)
	after, err := app.FindRecordById(collections.Tests, test.Id)
	require.NoError(t, err)
	assert.Equal(t, red.Id, after.GetString("outcome_imported_by"))
	assert.Equal(t, blue.Id, after.GetString("outcome_confirmed_by"))
	entry, err := app.FindFirstRecordByFilter(collections.AuditLogs, fmt.Sprintf("record_id = '%s' && action = 'transition'", test.Id))
	require.NoError(t, err)
	assert.Contains(t, entry.GetString("details"), `"action":"confirm"`)
}
