package api_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealthShowsChecksOnlyToAdmins(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	s.Run(t,
		testutil.Scenario{
			Name: "a guest sees the status without checks", Method: http.MethodGet, URL: "/api/aegis/health",
			ExpectedStatus: http.StatusOK, NotExpectedContent: []string{"checks"},
		},
		testutil.Scenario{
			Name: "an admin sees every check", Method: http.MethodGet, URL: "/api/aegis/health", Token: users["admin"].Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"checks":[`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				var rep struct {
					Status string
					Checks []struct{ Name, Status string }
				}
				r.JSON(t, &rep)
				names := map[string]string{}
				for _, c := range rep.Checks {
					names[c.Name] = c.Status
				}
				for _, want := range []string{"data_dir", "disk_space", "database", "file_storage", "jobs", "versions"} {
					assert.Contains(t, names, want, "health check missing from %s", r.Body)
				}
				// An empty catalogue: a warning that says to import ATT&CK.
				assert.Equal(t, "warn", names["database"], "database check on an empty catalogue")
			},
		},
	)
}

func TestBackupRoutes(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	admin := users["admin"].Token

	var scenarios []testutil.Scenario
	for _, role := range []collections.Role{"red_lead", "blue_lead", "viewer"} {
		scenarios = append(scenarios, testutil.Scenario{
			Name: string(role) + " cannot create a backup", Method: http.MethodPost, URL: "/api/aegis/backups", Token: users[role].Token,
			Body: map[string]string{}, ExpectedStatus: http.StatusForbidden, ExpectedError: true,
		})
	}
	scenarios = append(scenarios,
		testutil.Scenario{
			Name: "a guest cannot list backups", Method: http.MethodGet, URL: "/api/aegis/backups",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "a traversal name is refused", Method: http.MethodPost, URL: "/api/aegis/backups", Token: admin,
			Body: map[string]string{"name": "../../etc/passwd.zip"}, ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "admin creates a backup", Method: http.MethodPost, URL: "/api/aegis/backups", Token: admin,
			Body: map[string]string{"name": "nightly.zip"}, ExpectedStatus: http.StatusOK, ExpectedContent: []string{"nightly.zip"},
		},
		testutil.Scenario{
			Name: "the backup is listed", Method: http.MethodGet, URL: "/api/aegis/backups", Token: admin,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{"nightly.zip"},
		},
		testutil.Scenario{
			Name: "the backup verifies", Method: http.MethodPost, URL: "/api/aegis/backups/nightly.zip/verify", Token: admin,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"integrity":"ok"`},
		},
		// A damaged backup is refused for restore with its report, and nothing restarts.
		testutil.Scenario{
			Name: "a damaged backup is refused for restore with its report", Method: http.MethodPost,
			URL: "/api/aegis/backups/broken.zip/restore", Token: admin,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp) {
				require.NoError(t, os.WriteFile(backup.LocalPath(app, "broken.zip"), []byte("not a zip at all"), 0o600))
			},
			ExpectedStatus: http.StatusBadRequest, ExpectedContent: []string{"not a readable zip"},
		},
		testutil.Scenario{
			Name: "a missing backup is 404", Method: http.MethodPost, URL: "/api/aegis/backups/missing.zip/restore", Token: admin,
			ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		},
	)
	s.Run(t, scenarios...)
}

func TestPocketBaseHealthCarriesAegisStatus(t *testing.T) {
	s := testutil.NewServer(t)
	s.Run(t,
		testutil.Scenario{
			Name: "a guest sees the Aegis status without checks", Method: http.MethodGet, URL: "/api/health",
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"status":"warn"`}, NotExpectedContent: []string{"checks"},
		},
		testutil.Scenario{
			Name: "an admin sees the checks", Method: http.MethodGet, URL: "/api/health", Token: testutil.Users(t)["admin"].Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"file_storage"`},
		},
		testutil.Scenario{
			Name: "a superuser keeps PocketBase's dashboard data", Method: http.MethodGet, URL: "/api/health", Token: testutil.Superuser(t).Token,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{"canBackup"},
		},
	)
}
