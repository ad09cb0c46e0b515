package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/internal/api"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	pbui "github.com/pocketbase/pocketbase/ui"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecurityHeaders(t *testing.T) {
	ta := testutil.NewApp(t)
	// The dashboard route as `aegis serve` registers it (apis.Serve): it sets
	// its own CSP, allowing its inline script by hash, only when none is set.
	ta.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/_/{path...}", apis.Static(pbui.DistDirFS, false)).BindFunc(func(e *core.RequestEvent) error {
			if e.Response.Header().Get("Content-Security-Policy") == "" {
				e.Response.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'sha256-dashboard'")
			}
			return e.Next()
		})
		return se.Next()
	})
	srv := testutil.Serve(t, ta)

	for _, path := range []string{"/", "/matrix", "/api/health", "/api/aegis/setup", "/api/aegis/openapi.json"} {
		t.Run("GET "+path, func(t *testing.T) {
			h := testutil.Do(t, http.MethodGet, srv.URL+path, "", nil).Header
			for k, want := range map[string]string{
				"Content-Security-Policy": api.ContentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Referrer-Policy":         "strict-origin-when-cross-origin",
				"Permissions-Policy":      api.PermissionsPolicy,
			} {
				assert.Equal(t, want, h.Get(k), "%s %s", path, k)
			}
		})
	}
	for _, part := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"} {
		assert.Contains(t, api.ContentSecurityPolicy, part, "CSP")
	}

	dash := testutil.Do(t, http.MethodGet, srv.URL+"/_/", "", nil)
	require.Equal(t, http.StatusOK, dash.Status, "dashboard")
	require.Contains(t, string(dash.Body), "PocketBase", "dashboard")
	assert.Contains(t, dash.Header.Get("Content-Security-Policy"), "sha256-dashboard", "dashboard CSP was replaced")
	assert.Equal(t, "nosniff", dash.Header.Get("X-Content-Type-Options"), "dashboard lost nosniff")
}

func TestAuthEndpointsAreRateLimited(t *testing.T) {
	ta := testutil.NewApp(t)
	// The template disables rate limits; production has them on (migration
	// 1764460805). Turn the production rules back on.
	s := ta.Settings()
	s.RateLimits.Enabled = true
	require.NoError(t, ta.Save(s))
	srv := testutil.Serve(t, ta)
	url := srv.URL + "/api/collections/users/auth-with-password"
	var statuses []int
	for i := 0; i < 12; i++ {
		// A different identity each time: this is the per-IP limit, not
		// the per-account lockout.
		r := testutil.Do(t, http.MethodPost, url, "", map[string]any{
			"identity": fmt.Sprintf("nobody%d@aegis.test", i), "password": "wrong-password"})
		statuses = append(statuses, r.Status)
		if r.Status == http.StatusTooManyRequests {
			mustError(t, r, http.StatusTooManyRequests, "")
			break
		}
	}
	require.Len(t, statuses, 11, "want 10 attempts then 429, got %v", statuses)
	require.Equal(t, http.StatusTooManyRequests, statuses[10], "want 10 attempts then 429, got %v", statuses)
	for _, s := range statuses[:10] {
		require.Equal(t, http.StatusBadRequest, s, "attempts before the limit: %v", statuses)
	}

	setup := srv.URL + "/api/aegis/setup"
	var got []int
	for i := 0; i < 7; i++ {
		got = append(got, testutil.Do(t, http.MethodPost, setup, "", map[string]any{}).Status)
	}
	require.Equal(t, http.StatusTooManyRequests, got[5], "setup should allow 5 per minute: %v", got)
}
