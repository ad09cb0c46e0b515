package schema_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/doctor"
	"github.com/aegis-sec/aegis/internal/schema"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// Nobody, superusers included, deletes, truncates or alters an Aegis
// collection through the API; other collections and harmless options of
// Aegis collections stay manageable from the dashboard.
func TestAegisCollectionsCannotBeChangedThroughTheAPI(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	su := testutil.Superuser(t).Token
	admin := testutil.Users(t)["admin"].Token

	scenarios := []struct {
		name   string
		method string
		url    string
		token  string
		body   any
		status int
		want   string
	}{
		{"superuser deletes audit_logs", http.MethodDelete, "/api/collections/audit_logs", su, nil, 403, "cannot be deleted"},
		{"superuser deletes techniques by id", http.MethodDelete, "/api/collections/{id:techniques}", su, nil, 403, "cannot be deleted"},
		{"superuser truncates techniques", http.MethodDelete, "/api/collections/techniques/truncate", su, nil, 403, "cannot be truncated"},
		{"superuser truncates audit_logs", http.MethodDelete, "/api/collections/audit_logs/truncate", su, nil, 403, "cannot be truncated"},
		{"superuser opens the audit trail to everyone", http.MethodPatch, "/api/collections/audit_logs", su, map[string]any{"listRule": "", "viewRule": ""}, 403, "listRule"},
		{"superuser lets anyone delete tests", http.MethodPatch, "/api/collections/tests", su, map[string]any{"deleteRule": ""}, 403, "deleteRule"},
		{"superuser renames findings", http.MethodPatch, "/api/collections/findings", su, map[string]any{"name": "findings_old"}, 403, "name"},
		{"superuser drops the users fields", http.MethodPatch, "/api/collections/users", su, map[string]any{"fields": []any{}}, 403, "cannot be changed"},
		{"superuser swaps the id of audit_logs", http.MethodPatch, "/api/collections/audit_logs", su, map[string]any{"id": "pbc_other", "listRule": ""}, 403, "cannot be changed"},
		{"superuser drops all indexes of techniques", http.MethodPatch, "/api/collections/techniques", su, map[string]any{"indexes": []string{}}, 403, "indexes"},
		{"superuser imports with deleteMissing", http.MethodPut, "/api/collections/import", su, map[string]any{"deleteMissing": true,
			"collections": []any{map[string]any{"name": "site_notes", "type": "base", "fields": []any{map[string]any{"name": "title", "type": "text"}}}}}, 403, "audit_logs would be deleted"},
		{"superuser imports a looser audit_logs", http.MethodPut, "/api/collections/import", su, map[string]any{
			"collections": []any{map[string]any{"name": "audit_logs", "listRule": ""}}}, 403, "listRule"},
		{"admin deletes audit_logs", http.MethodDelete, "/api/collections/audit_logs", admin, nil, 403, ""},
		{"anonymous truncates techniques", http.MethodDelete, "/api/collections/techniques/truncate", "", nil, 401, ""},
		// Allowed: harmless options and collections that are not Aegis's.
		{"superuser changes the users token lifetime", http.MethodPatch, "/api/collections/users", su, map[string]any{"authToken": map[string]any{"duration": 7200}}, 200, `"users"`},
		{"superuser imports a site collection", http.MethodPut, "/api/collections/import", su, map[string]any{
			"collections": []any{map[string]any{"name": "site_notes", "type": "base", "fields": []any{map[string]any{"name": "title", "type": "text"}}}}}, 204, ""},
		{"superuser truncates the site collection", http.MethodDelete, "/api/collections/site_notes/truncate", su, nil, 204, ""},
		{"superuser deletes the site collection", http.MethodDelete, "/api/collections/site_notes", su, nil, 204, ""},
	}
	techniques, _ := app.FindCollectionByNameOrId(collections.Techniques)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			url := strings.Replace(sc.url, "{id:techniques}", techniques.Id, 1)
			res := testutil.Do(t, sc.method, srv.URL+url, sc.token, sc.body)
			require.Equal(t, sc.status, res.Status, "%s %s: %d %s, want %d with %q", sc.method, url, res.Status, res.Body, sc.status, sc.want)
			require.Contains(t, string(res.Body), sc.want, "%s %s: %d %s, want %d with %q", sc.method, url, res.Status, res.Body, sc.status, sc.want)
		})
	}

	problems, err := schema.Check(app)
	require.NoError(t, err, "after the refused requests the collections differ from the migrations: %v", problems)
	require.Empty(t, problems, "after the refused requests the collections differ from the migrations: %v %v", problems, err)
	// Writes and sign-ins still work: the audit trail is intact.
	res := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]string{"identity": "admin@aegis.test", "password": testutil.Password})
	require.Equal(t, http.StatusOK, res.Status, "sign-in after the refused requests: %d %s", res.Status, res.Body)
}

// A collection deleted or altered outside the API (a sqlite shell, a
// faulty migration) is reported by `aegis doctor` and /api/health.
func TestDoctorAndHealthReportMissingOrAlteredCollections(t *testing.T) {
	scenarios := []struct {
		name  string
		alter func(t *testing.T, app core.App)
		want  string
	}{
		{"audit_logs deleted", func(t *testing.T, app core.App) {
			c, _ := app.FindCollectionByNameOrId(collections.AuditLogs)
			require.NoError(t, app.Delete(c))
		}, "audit_logs is missing"},
		{"tests readable by anyone", func(t *testing.T, app core.App) {
			c, _ := app.FindCollectionByNameOrId(collections.Tests)
			c.ListRule = new(string)
			require.NoError(t, app.Save(c))
		}, "tests: listRule"},
		{"users role hidden", func(t *testing.T, app core.App) {
			c, _ := app.FindCollectionByNameOrId(collections.Users)
			c.Fields.GetByName("role").SetHidden(true)
			require.NoError(t, app.Save(c))
		}, "field role is select,hidden instead of select"},
		{"evidence field dropped", func(t *testing.T, app core.App) {
			c, _ := app.FindCollectionByNameOrId(collections.Evidence)
			c.Fields.RemoveByName("sha256")
			require.NoError(t, app.Save(c))
		}, "field sha256 is missing"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			rep := doctor.Run(context.Background(), app, "test", false)
			require.NotEqual(t, doctor.Fail, rep.Status, "a fresh app already fails: %+v", rep)
			sc.alter(t, app)
			rep = doctor.Run(context.Background(), app, "test", true)
			var found bool
			for _, c := range rep.Checks {
				if c.Name == "collections" {
					found = c.Status == doctor.Fail && strings.Contains(c.Detail, sc.want)
					require.True(t, found, "collections check: %+v, want fail with %q", c, sc.want)
				}
			}
			require.True(t, found, "doctor: %+v", rep)
			require.Equal(t, doctor.Fail, rep.Status, "doctor: %+v", rep)
			srv := testutil.Serve(t, app)
			time.Sleep(10 * time.Millisecond)
			res := testutil.Do(t, http.MethodGet, srv.URL+"/api/health", "", nil)
			require.Equal(t, http.StatusServiceUnavailable, res.Status, "/api/health after %s: %d %s", sc.name, res.Status, res.Body)
		})
	}
}

// The expected schema really is the migrations': a fresh app matches it.
func TestFreshAppMatchesTheMigrations(t *testing.T) {
	start := time.Now()
	want, err := schema.Expected()
	require.NoError(t, err)
	t.Logf("expected schema of %d collections built in %s", len(want), time.Since(start))
	require.Len(t, want, len(collections.All), "unexpected expected schema: %d collections, audit_logs %+v", len(want), want[collections.AuditLogs])
	require.Equal(t, "<superusers only>", want[collections.AuditLogs].Rules["deleteRule"], "unexpected expected schema: %d collections, audit_logs %+v", len(want), want[collections.AuditLogs])
	app := testutil.NewApp(t)
	problems, err := schema.Check(app)
	require.NoError(t, err, "check the schema of a fresh app")
	require.Empty(t, problems, "a fresh app matches the expected schema")
}
