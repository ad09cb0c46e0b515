package api_test

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With the production rate limits on, reloading the first-run page (GET)
// never runs out, before or after the administrator is created; creation
// attempts (POST) keep their own tight limit.
func TestSetupStatusDoesNotShareTheCreationLimit(t *testing.T) {
	ta := freshApp(t)
	s := ta.Settings()
	s.RateLimits.Enabled = true
	require.NoError(t, ta.Save(s))
	labels := map[string]int{}
	for _, r := range ta.Settings().RateLimits.Rules {
		labels[r.Label] = r.MaxRequests
	}
	require.Equal(t, 5, labels["POST /api/aegis/setup"], "the migration relabels the setup rule")
	_, old := labels["/api/aegis/setup"]
	require.False(t, old, "no rule left on both methods")

	srv := testutil.Serve(t, ta)
	url := srv.URL + "/api/aegis/setup"
	steps := []struct {
		name   string
		method string
		body   map[string]any
		times  int
		status int
	}{
		{"status before setup, many reloads", http.MethodGet, nil, 12, http.StatusOK},
		{"bad creation attempts", http.MethodPost, setupBody("not-an-email", "a-long-passphrase"), 4, http.StatusBadRequest},
		{"the admin is created", http.MethodPost, setupBody("first@aegis.test", "a-long-passphrase"), 1, http.StatusOK},
		{"status after setup, many reloads", http.MethodGet, nil, 12, http.StatusOK},
		{"a sixth creation attempt is limited", http.MethodPost, setupBody("second@aegis.test", "a-long-passphrase"), 1, http.StatusTooManyRequests},
		{"the status still answers", http.MethodGet, nil, 1, http.StatusOK},
	}
	for _, st := range steps {
		for i := 0; i < st.times; i++ {
			var body any
			if st.body != nil {
				body = st.body
			}
			res := testutil.Do(t, st.method, url, "", body)
			assert.Equal(t, st.status, res.Status, "%s (#%d): %s", st.name, i+1, res.Body)
		}
	}
}
