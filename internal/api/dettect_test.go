package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/dettect"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestDettectInAndOut: a blue lead uploads the public DeTT&CT technique
// administration sample through POST /api/aegis/import/dettect, and
// GET /api/aegis/export/dettect gives back a file of the same techniques.
func TestDettectInAndOut(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	sample, err := os.ReadFile(filepath.Join(testutil.SharedData(t), "dettect", "techniques-administration-endpoints.yaml"))
	require.NoError(t, err, "read the DeTT&CT sample")
	for _, tc := range []struct {
		name, file string
		role       collections.Role
		body       []byte
		status     int
		runStatus  string
		contains   string
	}{
		{name: "red lead may not import DeTT&CT", role: collections.RoleRedLead, file: "t.yaml", body: sample, status: http.StatusForbidden, contains: "may not import dettect"},
		{name: "viewer may not", role: collections.RoleViewer, file: "t.yaml", body: sample, status: http.StatusForbidden},
		{name: "blue lead imports the sample", role: collections.RoleBlueLead, file: "techniques.yaml", body: sample, status: http.StatusAccepted, runStatus: jobs.StatusSucceeded},
		{name: "a file of another DeTT&CT type imports nothing and says why", role: collections.RoleAdmin, file: "ds.yaml",
			body: []byte("version: 1.1\nfile_type: data-source-administration\n"), status: http.StatusAccepted, runStatus: jobs.StatusSucceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := upload(t, srv.URL+"/api/aegis/import/dettect", users[tc.role].Token, "file", tc.file, tc.body)
			require.Equal(t, tc.status, res.Status, "status %d, want %d: %s", res.Status, tc.status, res.Body)
			if tc.contains != "" {
				require.Contains(t, string(res.Body), tc.contains, "the answer says why")
			}
			if tc.runStatus == "" {
				return
			}
			var ans runAnswer
			res.JSON(t, &ans)
			run := waitRun(t, app, ans.JobRun.Id)
			require.Equal(t, tc.runStatus, run.GetString("status"), "run %s: %s", run.GetString("status"), run.GetString("error"))
		})
	}
	n, _ := app.CountRecords(collections.TechniqueAssessments)
	require.Equal(t, int64(705), n, "stored %d assessments, want 705 (344 detection + 361 visibility)", n)

	for _, tc := range []struct {
		name   string
		role   collections.Role
		status int
	}{{"viewer exports", collections.RoleViewer, http.StatusOK}, {"anonymous", "", http.StatusUnauthorized}} {
		t.Run(tc.name, func(t *testing.T) {
			tok := ""
			if tc.role != "" {
				tok = users[tc.role].Token
			}
			res := testutil.Do(t, "GET", srv.URL+"/api/aegis/export/dettect", tok, nil)
			require.Equal(t, tc.status, res.Status, "status %d: %s", res.Status, res.Body)
			if tc.status != http.StatusOK {
				return
			}
			require.Contains(t, res.Header.Get("Content-Disposition"), ".yaml", "disposition %q", res.Header.Get("Content-Disposition"))
			f, err := dettect.Parse(res.Body)
			require.NoError(t, err, "export does not parse")
			require.Len(t, f.Techniques, 342, "exported %d techniques, want 342", len(f.Techniques))
		})
	}
}
