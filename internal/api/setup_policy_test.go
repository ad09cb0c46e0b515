package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/aegis-sec/aegis/internal/testutil"
)

// TestSetupFollowsThePasswordPolicy: the first admin's password meets the
// policy in force (the default one on a fresh install), blank ones included,
// and the setup status advertises that policy.
func TestSetupFollowsThePasswordPolicy(t *testing.T) {
	ta := freshApp(t)
	srv := testutil.ServerFor(t, ta)
	url := srv.URL + "/api/aegis/setup"
	var table []testutil.Scenario
	for _, s := range []struct {
		name     string
		body     any
		status   int
		contains string
	}{
		{"nine characters", setupBody("a@aegis.test", "123456789"), http.StatusBadRequest, "at least 10"},
		{"ten spaces", setupBody("a@aegis.test", strings.Repeat(" ", 10)), http.StatusBadRequest, "only spaces"},
		{"sixteen tabs and spaces", setupBody("a@aegis.test", strings.Repeat(" \t", 8)), http.StatusBadRequest, "only spaces"},
	} {
		table = append(table, testutil.Scenario{
			Name: s.name, Method: http.MethodPost, URL: url, Body: s.body,
			ExpectedStatus: s.status, ExpectedError: true, ExpectedContent: []string{s.contains},
		})
	}
	srv.Run(t, table...)
	needed, err := collections.SetupNeeded(ta)
	require.NoError(t, err)
	require.True(t, needed, "a refused setup created a user")

	// A stricter policy (set before the first admin, e.g. by a restored
	// settings record) is what the setup page is told and what it enforces.
	p := security.DefaultPolicy()
	p.PasswordMinLength = 14
	require.NoError(t, security.Save(ta, p, nil))
	r := testutil.Do(t, http.MethodGet, url, "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"minPasswordLength":14,"needed":true}`, string(r.Body))
	r = testutil.Do(t, http.MethodPost, url, "", setupBody("a@aegis.test", "thirteen-char"))
	assert.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
	r = testutil.Do(t, http.MethodPost, url, "", setupBody("a@aegis.test", "fourteen-chars"))
	assert.Equal(t, http.StatusOK, r.Status, string(r.Body))
}
