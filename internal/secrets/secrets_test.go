package secrets_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/aegis-sec/aegis/internal/secrets"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func source(t *testing.T) secrets.Field {
	f, ok := secrets.Lookup(collections.Integrations, "source")
	require.True(t, ok, "integrations.source holds secrets")
	return f
}

// TestOneMechanism walks the field through what an answer shows, what a write
// keeps and what the audit records, one row per rule.
func TestOneMechanism(t *testing.T) {
	f := source(t)
	const stored = `{"spec":"https://bob:pw@example.org/rules.zip?access_token=abc","token":"ghp_stored","password":""}`
	cases := []struct {
		name      string
		submitted string // "" for Show
		want      map[string]any
		absent    []string
	}{
		{name: "an answer carries flags, no values, no URL credentials",
			want:   map[string]any{"token_set": true, "password_set": false},
			absent: []string{"token", "password"}},
		{name: "a token sent back as the flag keeps the stored one",
			submitted: `{"spec":"/srv/rules","token_set":true}`,
			want:      map[string]any{"spec": "/srv/rules", "token": "ghp_stored"}, absent: []string{"token_set"}},
		{name: "a token sent back masked keeps the stored one",
			submitted: `{"spec":"/srv/rules","token":"` + redact.Mask + `"}`,
			want:      map[string]any{"token": "ghp_stored"}},
		{name: "a new token replaces the stored one",
			submitted: `{"spec":"/srv/rules","token":"new"}`,
			want:      map[string]any{"token": "new"}},
		{name: "clear_token removes it",
			submitted: `{"spec":"/srv/rules","clear_token":true}`,
			absent:    []string{"token", "clear_token"}},
		{name: "a URL sent back as shown keeps its credentials",
			submitted: `{"spec":"` + redact.URL("https://bob:pw@example.org/rules.zip?access_token=abc") + `"}`,
			want:      map[string]any{"spec": "https://bob:pw@example.org/rules.zip?access_token=abc", "token": "ghp_stored"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]any
			if tc.submitted == "" {
				shown := f.Show([]byte(stored))
				raw, err := json.Marshal(shown)
				require.NoError(t, err)
				assert.NotContains(t, string(raw), "ghp_stored")
				assert.NotContains(t, string(raw), "bob:pw")
				assert.NotContains(t, string(raw), "abc")
				got = shown.(map[string]any)
			} else {
				out, err := f.Keep([]byte(stored), []byte(tc.submitted))
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(out, &got))
			}
			for k, v := range tc.want {
				assert.Equal(t, v, got[k], k)
			}
			for _, k := range tc.absent {
				assert.NotContains(t, got, k)
			}
		})
	}

	t.Run("a create keeps no mask as a secret", func(t *testing.T) {
		out, err := f.Keep(nil, []byte(`{"spec":"/srv","token":"`+redact.Mask+`"}`))
		require.NoError(t, err)
		assert.JSONEq(t, `{"spec":"/srv"}`, string(out))
	})
	t.Run("a source that is not JSON is refused", func(t *testing.T) {
		_, err := f.Keep(nil, []byte(`{nope`))
		require.Error(t, err)
	})
	t.Run("the audit records set or changed, never the value", func(t *testing.T) {
		o, n := f.Change([]byte(stored), []byte(`{"spec":"/srv","token":"other"}`))
		raw, _ := json.Marshal([]any{o, n})
		assert.NotContains(t, string(raw), "ghp_stored")
		assert.NotContains(t, string(raw), "other")
		assert.Equal(t, redact.Changed, n.(map[string]any)["token"])
	})
	assert.ElementsMatch(t, []string{"token", "password"}, secrets.Keys())
}

// TestBoundOnceThroughTheAPI: hooks and jobs both bind the mechanism; the
// records API masks once (a second mask would read token_set false).
func TestBoundOnceThroughTheAPI(t *testing.T) {
	srv := testutil.NewServer(t)
	secrets.Bind(srv.App) // a third call changes nothing
	admin := testutil.Users(t)[collections.RoleAdmin].Token
	base := srv.URL + "/api/collections/integrations/records"
	res := testutil.Do(t, http.MethodPost, base, admin, map[string]any{"kind": "sigma", "name": "Sigma", "enabled": false,
		"source": map[string]any{"spec": "https://u:p@example.org/x.zip", "token": "ghp_once"}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assert.Contains(t, string(res.Body), `"token_set":true`)
	assert.NotContains(t, string(res.Body), "ghp_once")
	assert.NotContains(t, string(res.Body), "u:p@")
	rec, err := srv.App.FindFirstRecordByData(collections.Integrations, "name", "Sigma")
	require.NoError(t, err)
	assert.Contains(t, rec.GetString("source"), "ghp_once", "stored for the sync")
}
