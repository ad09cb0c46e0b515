package redact_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	cases := []struct {
		name, in string
		want     string
		gone     []string
	}{
		{"userinfo in a net/http error", `fetch: Get "https://user:tok123@example.org/feed.json": dial tcp: refused`,
			`fetch: Get "https://REDACTED@example.org/feed.json": dial tcp: refused`, []string{"tok123", "user:"}},
		{"token query parameter", "GET https://example.org/x?access_token=abc123&page=2 failed",
			"GET https://example.org/x?access_token=REDACTED&page=2 failed", []string{"abc123"}},
		{"signed URL", "https://bucket.s3/x?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA/1",
			"", []string{"deadbeef", "AKIA"}},
		{"api key and sig", "https://h/p?key=K1&sig=S1&q=ok", "", []string{"K1", "S1"}},
		{"bearer header", "sent Authorization: Bearer abcdefghijkl012", "sent Authorization: Bearer REDACTED", []string{"abcdefghijkl012"}},
		{"github token", "token ghp_0123456789abcdefghijABCDEFGHIJ rejected", "", []string{"ghp_0123456789abcdefghij"}},
		{"malformed URL with credentials", "open http://us:pw@[::1:80/x", "", []string{"pw@"}},
		{"plain text untouched", "nothing to hide here: 3 files", "nothing to hide here: 3 files", nil},
		{"URL without secrets untouched", "see https://example.org/a?page=2", "see https://example.org/a?page=2", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := redact.Text(tc.in)
			if tc.want != "" {
				assert.Equal(t, tc.want, got)
			}
			for _, g := range tc.gone {
				assert.NotContains(t, got, g)
			}
		})
	}
	err := fmt.Errorf("sync: %w", &url.Error{Op: "Get", URL: "https://a:b-secret@h/x", Err: errors.New("refused")})
	assert.NotContains(t, redact.Error(err), "b-secret")
	assert.Empty(t, redact.Error(nil))
}

func TestSourceMaskingAndRestore(t *testing.T) {
	stored := `{"spec":"https://u:p-secret@h/feed?token=q-secret","token":"t-secret","password":"","collection":"x"}`
	shown, err := json.Marshal(redact.Source([]byte(stored)))
	require.NoError(t, err)
	for _, s := range []string{"p-secret", "q-secret", "t-secret"} {
		assert.NotContains(t, string(shown), s)
	}
	assert.Contains(t, string(shown), `"token":"(set)"`)
	assert.Contains(t, string(shown), `"password":""`, "an empty secret reads empty, not set")

	// Sending the shown form back keeps every stored secret.
	back, err := redact.RestoreSource([]byte(stored), shown)
	require.NoError(t, err)
	assert.JSONEq(t, stored, string(back))

	// A new token replaces the old one; the audit change says it changed.
	next, err := redact.RestoreSource([]byte(stored), []byte(`{"spec":"https://REDACTED@h/feed?token=REDACTED","token":"t2-secret"}`))
	require.NoError(t, err)
	assert.Contains(t, string(next), "t2-secret")
	assert.Contains(t, string(next), "p-secret", "the masked URL keeps the stored credentials")
	o, n := redact.SourceChange([]byte(stored), next)
	raw, _ := json.Marshal([]any{o, n})
	for _, s := range []string{"p-secret", "q-secret", "t-secret", "t2-secret"} {
		assert.NotContains(t, string(raw), s)
	}
	assert.Equal(t, redact.Changed, n.(map[string]any)["token"])
	assert.Equal(t, redact.Mask, o.(map[string]any)["token"])

	_, err = redact.RestoreSource(nil, []byte("not json"))
	assert.Error(t, err)
}
