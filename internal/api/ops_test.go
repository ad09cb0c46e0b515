package api_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/testutil"
)

func TestHealthShowsChecksOnlyToAdmins(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)

	anon := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/health", "", nil)
	if anon.Status != http.StatusOK || strings.Contains(string(anon.Body), "checks") {
		t.Fatalf("anonymous health: %d %s", anon.Status, anon.Body)
	}
	admin := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/health", users["admin"].Token, nil)
	var rep struct {
		Status string
		Checks []struct{ Name, Status string }
	}
	admin.JSON(t, &rep)
	names := map[string]string{}
	for _, c := range rep.Checks {
		names[c.Name] = c.Status
	}
	for _, want := range []string{"data_dir", "disk_space", "database", "file_storage", "jobs", "versions"} {
		if _, ok := names[want]; !ok {
			t.Errorf("health check %q missing from %s", want, admin.Body)
		}
	}
	if names["database"] != "warn" { // empty catalogue: a warning that says to import ATT&CK
		t.Errorf("database check on an empty catalogue = %q, want warn", names["database"])
	}
}

func TestBackupRoutes(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	admin := users["admin"].Token

	for _, role := range []string{"red_lead", "blue_lead", "viewer"} {
		res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups", users[role].Token, map[string]string{})
		if res.Status != http.StatusForbidden {
			t.Errorf("%s create backup: %d, want 403", role, res.Status)
		}
	}
	if res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/backups", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous list backups: %d, want 401", res.Status)
	}

	res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups", admin, map[string]string{"name": "../../etc/passwd.zip"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("traversal name accepted: %d %s", res.Status, res.Body)
	}
	res = testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups", admin, map[string]string{"name": "nightly.zip"})
	if res.Status != http.StatusOK {
		t.Fatalf("create backup: %d %s", res.Status, res.Body)
	}
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/backups", admin, nil)
	if !strings.Contains(string(res.Body), "nightly.zip") {
		t.Fatalf("backup not listed: %s", res.Body)
	}
	res = testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups/nightly.zip/verify", admin, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"integrity":"ok"`) {
		t.Fatalf("verify backup: %d %s", res.Status, res.Body)
	}

	// A damaged backup is refused for restore with its report, and nothing restarts.
	os.WriteFile(backup.LocalPath(app, "broken.zip"), []byte("not a zip at all"), 0o600)
	res = testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups/broken.zip/restore", admin, nil)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "not a readable zip") {
		t.Fatalf("restore of a damaged backup: %d %s", res.Status, res.Body)
	}
	res = testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups/missing.zip/restore", admin, nil)
	if res.Status != http.StatusNotFound {
		t.Fatalf("restore of a missing backup: %d %s", res.Status, res.Body)
	}
}

func TestPocketBaseHealthCarriesAegisStatus(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	res := testutil.Do(t, http.MethodGet, srv.URL+"/api/health", "", nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"status":"warn"`) || strings.Contains(string(res.Body), "checks") {
		t.Fatalf("anonymous /api/health: %d %s", res.Status, res.Body)
	}
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/health", testutil.Users(t)["admin"].Token, nil)
	if !strings.Contains(string(res.Body), `"file_storage"`) {
		t.Fatalf("admin /api/health lacks the checks: %s", res.Body)
	}
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/health", testutil.Superuser(t).Token, nil)
	if !strings.Contains(string(res.Body), "canBackup") {
		t.Fatalf("superuser /api/health lost PocketBase's dashboard data: %s", res.Body)
	}
}
