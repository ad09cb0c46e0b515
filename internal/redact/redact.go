// Package redact keeps secrets out of everything Aegis stores, returns or
// logs about its integrations: credentials embedded in URLs (user:pass@host),
// token-like query parameters and the secret fields of an integration's
// source. It is the one place that knows what a secret looks like; job runs,
// integration errors, logs, audit entries and API responses all go through
// it.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask stands in for a secret value that is set. It is what the API returns
// and what an update may send back to keep the stored value.
const Mask = "(set)"

// Changed stands in for a secret whose value changed, in audit entries.
const Changed = "(changed)"

// hidden replaces a redacted credential inside a URL.
const hidden = "REDACTED"

// tokenWords: a query parameter whose lower-case name contains one of them
// carries a credential; tokenNames are short names that do so exactly.
var (
	tokenWords = []string{"token", "secret", "password", "passwd", "signature", "credential", "apikey",
		"api_key", "access_key", "session"}
	tokenNames = map[string]bool{"key": true, "sig": true, "pwd": true, "pass": true, "auth": true, "code": true}
)

// SecretParam reports whether a query parameter named name carries a
// credential (access_token, api_key, X-Amz-Signature, client_secret…).
func SecretParam(name string) bool {
	n := strings.ToLower(name)
	if tokenNames[n] {
		return true
	}
	for _, w := range tokenWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// URL returns u without the credentials it carries: the user information
// (user:pass@) and the values of token-like query parameters are replaced.
// Anything that does not parse as a URL with a host is returned unchanged
// unless it still looks like it embeds credentials, which are then cut.
func URL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return cutUserinfo(u)
	}
	if pu.User != nil {
		pu.User = url.User(hidden)
	}
	if pu.RawQuery != "" {
		q := pu.Query()
		changed := false
		for k, vs := range q {
			if SecretParam(k) {
				for i := range vs {
					vs[i] = hidden
				}
				changed = true
			}
		}
		if changed {
			pu.RawQuery = q.Encode()
		}
	}
	return pu.String()
}

// cutUserinfo removes "user:pass@" after a scheme in a string url.Parse
// refused (a malformed URL can still hold a real password).
func cutUserinfo(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	at := strings.IndexByte(rest, '@')
	end := strings.IndexAny(rest, "/?#")
	if at < 0 || (end >= 0 && at > end) {
		return s
	}
	return scheme + "://" + hidden + "@" + rest[at+1:]
}

// urlInText finds URLs (any scheme://) inside free text such as an error
// message; a URL ends at whitespace or a quote.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>\x60]+`)

// bearer finds Authorization header values ("Bearer <token>", "Basic
// <base64>") in text; githubToken finds GitHub's token formats.
var (
	bearer      = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*`)
	githubToken = regexp.MustCompile(`\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}`)
)

// Text returns s with every URL in it passed through URL and any
// authorization header value replaced. Use it on error messages and log
// lines before they are stored or written.
func Text(s string) string {
	s = urlInText.ReplaceAllStringFunc(s, URL)
	s = bearer.ReplaceAllString(s, "$1 "+hidden)
	return githubToken.ReplaceAllString(s, hidden)
}

// Error returns the redacted text of err ("" for nil).
func Error(err error) string {
	if err == nil {
		return ""
	}
	return Text(err.Error())
}
