package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntegrationSourcesKeepTokensWriteOnly(t *testing.T) {
	srv := testutil.NewServer(t)
	app := srv.App
	users := testutil.Users(t)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "rules"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rules", "a.yml"), []byte("title: a\n"), 0o644))
	const secret = "ghp_s3cr3t-value-never-shown"
	admin := users[c.RoleAdmin].Token
	base := srv.URL + "/api/collections/integrations/records"

	res := testutil.Do(t, "POST", base, admin, map[string]any{"kind": "sigma", "name": "Sigma folder", "enabled": true, "schedule": "0 3 * * *",
		"source": map[string]any{"spec": dir, "token": secret}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var created struct{ Id string }
	res.JSON(t, &created)
	stored := func() jobs.IntegrationSource {
		rec, err := app.FindRecordById(c.Integrations, created.Id)
		require.NoError(t, err)
		s, err := jobs.ParseIntegrationSource(rec)
		require.NoError(t, err)
		return s
	}

	scenarios := []struct {
		name      string
		method    string
		url       string
		role      c.Role
		body      any
		status    int
		want      []string
		storedTok string
	}{
		{"create answered without the token", "GET", base + "/" + created.Id, c.RoleAdmin, nil, http.StatusOK, []string{`"token_set":true`, `"password_set":false`}, secret},
		{"list answers without the token", "GET", base, c.RoleAdmin, nil, http.StatusOK, []string{`"token_set":true`}, secret},
		{"an edit without a token keeps it", "PATCH", base + "/" + created.Id, c.RoleAdmin,
			map[string]any{"schedule": "0 4 * * *", "source": map[string]any{"spec": dir, "token_set": true}}, http.StatusOK, []string{`"schedule":"0 4 * * *"`, `"token_set":true`}, secret},
		{"a new token replaces it", "PATCH", base + "/" + created.Id, c.RoleAdmin,
			map[string]any{"source": map[string]any{"spec": dir, "token": "new-token-value"}}, http.StatusOK, []string{`"token_set":true`}, "new-token-value"},
		{"clear_token removes it", "PATCH", base + "/" + created.Id, c.RoleAdmin,
			map[string]any{"source": map[string]any{"spec": dir, "clear_token": true}}, http.StatusOK, []string{`"token_set":false`}, ""},
		{"a bad schedule is refused with a sentence", "PATCH", base + "/" + created.Id, c.RoleAdmin,
			map[string]any{"schedule": "every day"}, http.StatusBadRequest, []string{"cron expression"}, ""},
		{"blue leads may not read integrations", "GET", base + "/" + created.Id, c.RoleBlueLead, nil, http.StatusNotFound, nil, ""},
		{"test connection reads the first file", "POST", srv.URL + "/api/aegis/integrations/test", c.RoleAdmin,
			map[string]any{"kind": "sigma", "source": map[string]any{"spec": dir}}, http.StatusOK, []string{`"ok":true`, `first file rules/a.yml`}, ""},
		{"test connection explains a missing folder", "POST", srv.URL + "/api/aegis/integrations/test", c.RoleAdmin,
			map[string]any{"kind": "sigma", "source": map[string]any{"spec": filepath.Join(dir, "nope")}}, http.StatusOK, []string{`"ok":false`, `Could not read the source`}, ""},
		{"test connection needs a known kind", "POST", srv.URL + "/api/aegis/integrations/test", c.RoleAdmin,
			map[string]any{"kind": "nonsense", "source": map[string]any{"spec": dir}}, http.StatusBadRequest, []string{"Unknown kind"}, ""},
		{"test connection is for admins", "POST", srv.URL + "/api/aegis/integrations/test", c.RoleBlueLead,
			map[string]any{"kind": "sigma", "source": map[string]any{"spec": dir}}, http.StatusForbidden, nil, ""},
	}
	table := make([]testutil.Scenario, 0, len(scenarios))
	for _, s := range scenarios {
		checkStored := s.status == http.StatusOK && s.method == "PATCH" || strings.HasPrefix(s.name, "create")
		storedTok := s.storedTok
		table = append(table, testutil.Scenario{
			Name: s.name, Method: s.method, URL: s.url, Token: users[s.role].Token, Body: s.body,
			ExpectedStatus: s.status, ExpectedError: s.status >= http.StatusBadRequest,
			ExpectedContent: s.want, NotExpectedContent: []string{secret, "new-token-value"},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, _ testutil.Response) {
				if checkStored {
					assert.Equal(t, storedTok, stored().Token, "stored token")
				}
			},
		})
	}
	srv.Run(t, table...)
	logs, err := app.FindRecordsByFilter(c.AuditLogs, "collection = 'integrations'", "", 0, 0)
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	for _, l := range logs {
		raw, _ := l.MarshalJSON()
		assert.NotContains(t, string(raw), secret, "the audit log records no token")
		assert.NotContains(t, string(raw), "new-token-value")
	}
}
