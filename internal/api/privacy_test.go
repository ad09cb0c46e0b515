package api_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readCase is one read request and what the answer must and must not hold:
// a compact row of a scenario table (see readScenarios).
type readCase struct {
	name       string
	method     string
	path       string
	role       collections.Role
	wantStatus int
	contains   []string
	absent     []string
}

// runReadCases runs the cases as named scenarios against s, each with the
// seeded user of its role; an error status must be a JSON error.
func runReadCases(t *testing.T, s *testutil.Server, cases []readCase) {
	t.Helper()
	users := testutil.Users(t)
	scenarios := make([]testutil.Scenario, 0, len(cases))
	for _, tc := range cases {
		scenarios = append(scenarios, testutil.Scenario{
			Name: tc.name, Method: tc.method, URL: tc.path, Token: users[tc.role].Token,
			ExpectedStatus: tc.wantStatus, ExpectedError: tc.wantStatus >= http.StatusBadRequest,
			ExpectedContent: tc.contains, NotExpectedContent: tc.absent,
		})
	}
	s.Run(t, scenarios...)
}

func filterPath(collection, filter string) string {
	return "/api/collections/" + collection + "/records?perPage=200&filter=" + url.QueryEscape(filter)
}

// TestAuditPrivacyInExportAndFilters: emails, client IPs and the identities
// typed into failed sign-ins are shown only to admins, in the records API,
// in the CSV export and through filters (no probing an email's existence).
func TestAuditPrivacyInExportAndFilters(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	const email, typed = "someone@example.org", "typo-secret@example.org"

	res := testutil.Do(t, http.MethodPost, s.URL+"/api/collections/users/records", users[collections.RoleAdmin].Token,
		map[string]any{"email": email, "password": "a-long-passphrase", "passwordConfirm": "a-long-passphrase",
			"name": "Someone", "role": collections.RoleViewer, "active": true})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = testutil.Do(t, http.MethodPost, s.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": typed, "password": "wrong-password-1"})
	require.Equal(t, http.StatusBadRequest, res.Status)

	private := []string{email, typed, "127.0.0.1"}
	export := "/api/aegis/export/audit.csv"
	list := "/api/collections/audit_logs/records?perPage=500"
	var cases []readCase
	for _, role := range []collections.Role{collections.RoleViewer, collections.RoleBlueAnalyst, collections.RoleRedLead, collections.RoleBlueLead} {
		cases = append(cases,
			readCase{"export/" + string(role), "GET", export, role, 200, []string{"login_failed", "Someone"}, private},
			readCase{"list/" + string(role), "GET", list, role, 200, []string{"login_failed"}, private},
			// A filter must not tell an existing email from a made-up one.
			readCase{"probe details email/" + string(role), "GET", filterPath("audit_logs", "details~'"+email+"'"), role, 200, []string{`"totalItems":0`}, nil},
			readCase{"probe details identity/" + string(role), "GET", filterPath("audit_logs", "details~'typo-secret'"), role, 200, []string{`"totalItems":0`}, nil},
			readCase{"probe actor_name/" + string(role), "GET", filterPath("audit_logs", "actor_name~'typo-secret'"), role, 200, []string{`"totalItems":0`}, nil},
			readCase{"probe details user key/" + string(role), "GET", filterPath("audit_logs", "details.email.new~'someone'"), role, 200, []string{`"totalItems":0`}, nil},
			// PocketBase refuses @collection joins to non-superusers.
			readCase{"probe via another collection/" + string(role), "GET", filterPath("techniques", "@collection.audit_logs.details~'"+email+"'"), role, 403, nil, nil},
		)
		// The private field itself is not filterable (hidden): an error or nothing.
		res := testutil.Do(t, http.MethodGet, s.URL+filterPath("audit_logs", "private~'someone'"), users[role].Token, nil)
		assert.False(t, res.Status == http.StatusOK && !strings.Contains(string(res.Body), `"totalItems":0`),
			"%s filters on the private field: %d %.200s", role, res.Status, res.Body)
	}
	cases = append(cases,
		readCase{"export/admin", "GET", export, collections.RoleAdmin, 200, private, nil},
		readCase{"list/admin", "GET", list, collections.RoleAdmin, 200, private, nil},
	)
	runReadCases(t, s, cases)
}

// TestIntegrationSecretsAreWriteOnly: an integration's token and the
// credentials in its URL are stored and used but never returned (admins
// included), never audited in the clear, and never stored in job_runs or
// integrations errors.
func TestIntegrationSecretsAreWriteOnly(t *testing.T) {
	s := testutil.NewServer(t)
	app := s.App
	users := testutil.Users(t)
	admin := users[collections.RoleAdmin].Token
	const token, token2, pass, qtoken = "tok-SECRET-123456", "tok-SECRET-999999", "urlpass-SECRET", "qtok-SECRET"

	// A port nothing listens on: the sync fails with net/http's error text,
	// which quotes the whole URL.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	spec := "http://feeduser:" + pass + "@" + addr + "/feed.json?access_token=" + qtoken + "&page=1"

	base := s.URL + "/api/collections/integrations/records"
	res := testutil.Do(t, http.MethodPost, base, admin, map[string]any{"kind": "intel", "name": "Feed", "enabled": false,
		"source": map[string]any{"spec": spec, "token": token}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var created struct {
		Id     string
		Source map[string]any
	}
	res.JSON(t, &created)
	secrets := []string{token, token2, pass, qtoken}
	for _, s := range secrets {
		assert.NotContains(t, string(res.Body), s, "create answer")
	}
	assert.Equal(t, true, created.Source["token_set"], "the answer says a token is stored")
	assert.NotContains(t, created.Source, "token", "the answer never carries the token")

	// Sending back what was shown (masks included) keeps the secrets.
	res = testutil.Do(t, http.MethodPatch, base+"/"+created.Id, admin, map[string]any{"enabled": true, "source": created.Source})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	stored, err := jobs.FindIntegration(app, created.Id)
	require.NoError(t, err)
	src, err := jobs.ParseIntegrationSource(stored)
	require.NoError(t, err)
	assert.Equal(t, token, src.Token)
	assert.Equal(t, spec, src.Spec)

	// Replacing the token is audited as a change, not with the values.
	changed := map[string]any{"spec": created.Source["spec"], "token": token2}
	res = testutil.Do(t, http.MethodPatch, base+"/"+created.Id, admin, map[string]any{"source": changed})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	stored, _ = jobs.FindIntegration(app, created.Id)
	src, _ = jobs.ParseIntegrationSource(stored)
	assert.Equal(t, token2, src.Token)
	assert.Equal(t, spec, src.Spec, "the masked URL sent back keeps the stored one")

	restore := registry.Override("intel", func(ctx context.Context, app core.App, s source.Source, opts importers.Options) (*importers.Report, error) {
		return &importers.Report{Kind: "intel"}, s.Walk(ctx, func(source.Entry) error { return nil })
	})
	defer restore()
	runs, err := jobs.SyncNow(context.Background(), app, created.Id, jobs.Options{NoRetry: true})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	run := runs[0]
	require.Equal(t, jobs.StatusFailed, run.GetString("status"))
	require.Contains(t, run.GetString("error"), addr, "the error still says where the sync went")
	stored, _ = jobs.FindIntegration(app, created.Id)
	for _, s := range secrets {
		assert.NotContains(t, run.GetString("error"), s, "job_runs.error")
		assert.NotContains(t, run.GetString("log"), s, "job_runs.log")
		assert.NotContains(t, stored.GetString("last_error"), s, "integrations.last_error")
	}

	var cases []readCase
	for _, role := range []collections.Role{collections.RoleAdmin, collections.RoleViewer, collections.RoleBlueAnalyst} {
		cases = append(cases,
			readCase{"audit list/" + string(role), "GET", filterPath("audit_logs", "collection='integrations'"), role, 200, []string{"(changed)"}, secrets},
			readCase{"audit export/" + string(role), "GET", "/api/aegis/export/audit.csv?collection=integrations", role, 200, []string{"(changed)"}, secrets},
			readCase{"job run/" + string(role), "GET", "/api/collections/job_runs/records/" + run.Id, role, 200, []string{addr}, secrets},
		)
	}
	cases = append(cases,
		readCase{"integration view/admin", "GET", "/api/collections/integrations/records/" + created.Id, collections.RoleAdmin, 200, []string{`"token_set":true`, addr}, secrets},
		readCase{"integration list/admin", "GET", "/api/collections/integrations/records", collections.RoleAdmin, 200, []string{`"token_set":true`}, secrets},
	)
	runReadCases(t, s, cases)
}
