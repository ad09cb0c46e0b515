package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/api"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	pbui "github.com/pocketbase/pocketbase/ui"
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
		r := testutil.Do(t, http.MethodGet, srv.URL+path, "", nil)
		h := r.Header
		for k, want := range map[string]string{
			"Content-Security-Policy": api.ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "strict-origin-when-cross-origin",
			"Permissions-Policy":      api.PermissionsPolicy,
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s %s = %q, want %q", path, k, got, want)
			}
		}
	}
	for _, part := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"} {
		if !strings.Contains(api.ContentSecurityPolicy, part) {
			t.Errorf("CSP lacks %q", part)
		}
	}

	dash := testutil.Do(t, http.MethodGet, srv.URL+"/_/", "", nil)
	if dash.Status != http.StatusOK || !strings.Contains(string(dash.Body), "PocketBase") {
		t.Fatalf("dashboard: %d", dash.Status)
	}
	if csp := dash.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sha256-dashboard") {
		t.Errorf("dashboard CSP was replaced: %q", csp)
	}
	if dash.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("dashboard lost nosniff")
	}
}

func TestAuthEndpointsAreRateLimited(t *testing.T) {
	ta := testutil.NewApp(t)
	// The template disables rate limits; production has them on (migration
	// 1764460805). Turn the production rules back on.
	s := ta.Settings()
	s.RateLimits.Enabled = true
	if err := ta.Save(s); err != nil {
		t.Fatal(err)
	}
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
	last := statuses[len(statuses)-1]
	if last != http.StatusTooManyRequests || len(statuses) != 11 {
		t.Fatalf("want 10 attempts then 429, got %v", statuses)
	}
	for _, s := range statuses[:10] {
		if s != http.StatusBadRequest {
			t.Fatalf("attempts before the limit: %v", statuses)
		}
	}

	setup := srv.URL + "/api/aegis/setup"
	var got []int
	for i := 0; i < 7; i++ {
		got = append(got, testutil.Do(t, http.MethodPost, setup, "", map[string]any{}).Status)
	}
	if got[5] != http.StatusTooManyRequests {
		t.Fatalf("setup should allow 5 per minute: %v", got)
	}
}
