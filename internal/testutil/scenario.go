package testutil

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Scenario is one named API request and what its answer must hold, in the
// manner of PocketBase's tests.ApiScenario, but sent over a real loopback
// server (see Server) that the scenarios of one table share, so that a
// table can walk through states (create, then read, then refuse a second
// create) and check stored rows between steps.
//
// The body check follows tests.ApiScenario: the body, as sent or compacted
// when JSON, must contain every ExpectedContent item, and neither form any
// NotExpectedContent item;
// when both lists are empty and ExpectedError is false the body must be
// empty. ExpectedBody requires the whole body. ExpectedError requires a PocketBase-shaped JSON error whose status
// equals ExpectedStatus, with a message and a data object.
type Scenario struct {
	Name    string
	Method  string
	URL     string // path and query, joined to the server's base URL; a full http(s) URL is used as is
	Token   string // sent as Authorization when not empty
	Headers map[string]string
	Body    any // nil, a string or []byte sent as is, or any value sent as JSON
	// Form and Files, when either is set, make the request multipart/form-data
	// (Body is then ignored).
	Form  map[string]string
	Files []File

	ExpectedStatus int
	ExpectedError  bool
	// ExpectedMessage, with ExpectedError, must appear in the error message
	// (case-insensitive).
	ExpectedMessage string
	// ExpectedBody, when set, must equal the whole (compacted, trimmed) body.
	ExpectedBody       string
	ExpectedContent    []string
	NotExpectedContent []string

	// BeforeTestFunc runs before the request (e.g. to store rows).
	BeforeTestFunc func(t testing.TB, app *tests.TestApp)
	// AfterTestFunc runs after the answer was checked (e.g. to count rows
	// or decode the body for deeper checks).
	AfterTestFunc func(t testing.TB, app *tests.TestApp, r Response)
}

// Server is a test app served on loopback, shared by a table of scenarios.
type Server struct {
	App *tests.TestApp
	URL string
}

// NewServer clones a fresh test app (NewApp) and serves it (Serve).
func NewServer(t testing.TB) *Server {
	t.Helper()
	ta := NewApp(t)
	return ServerFor(t, ta)
}

// ServerFor serves an app prepared by the caller.
func ServerFor(t testing.TB, ta *tests.TestApp) *Server {
	t.Helper()
	return &Server{App: ta, URL: Serve(t, ta).URL}
}

// Run runs each scenario as a subtest named after it, in order, against s.
func (s *Server) Run(t *testing.T, scenarios ...Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name(), func(t *testing.T) { sc.Test(t, s) })
	}
}

func (sc Scenario) name() string {
	if sc.Name != "" {
		return sc.Name
	}
	return sc.Method + " " + sc.URL
}

// Test sends the scenario's request to s and checks the answer. It returns
// the answer for callers that chain requests.
func (sc Scenario) Test(t testing.TB, s *Server) Response {
	t.Helper()
	if sc.BeforeTestFunc != nil {
		sc.BeforeTestFunc(t, s.App)
	}
	url := sc.URL
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = s.URL + url
	}
	body, headers := sc.Body, sc.Headers
	if sc.Form != nil || sc.Files != nil {
		var ctype string
		body, ctype = EncodeMultipart(t, sc.Form, sc.Files...)
		headers = map[string]string{"Content-Type": ctype}
		for k, v := range sc.Headers {
			headers[k] = v
		}
	}
	r := DoWith(t, sc.Method, url, sc.Token, headers, body)
	require.Equal(t, sc.ExpectedStatus, r.Status, "%s %s: status (body %s)", sc.Method, sc.URL, r.Body)
	sc.checkBody(t, r)
	if sc.AfterTestFunc != nil {
		sc.AfterTestFunc(t, s.App, r)
	}
	return r
}

func (sc Scenario) checkBody(t testing.TB, r Response) {
	t.Helper()
	if sc.ExpectedError {
		e := RequireError(t, r, sc.ExpectedStatus)
		if sc.ExpectedMessage != "" {
			assert.Contains(t, strings.ToLower(e.Message), strings.ToLower(sc.ExpectedMessage), "%s %s: error message", sc.Method, sc.URL)
		}
	}
	body := strings.TrimSpace(string(r.Body))
	var buf bytes.Buffer
	if json.Compact(&buf, r.Body) == nil {
		body = buf.String()
	}
	if sc.ExpectedBody != "" {
		assert.Equal(t, sc.ExpectedBody, body, "%s %s: body", sc.Method, sc.URL)
	}
	if len(sc.ExpectedContent) == 0 && len(sc.NotExpectedContent) == 0 {
		if !sc.ExpectedError && sc.ExpectedBody == "" {
			assert.Empty(t, string(r.Body), "%s %s: expected an empty body", sc.Method, sc.URL)
		}
		return
	}
	raw := string(r.Body)
	for _, want := range sc.ExpectedContent {
		if !strings.Contains(raw, want) {
			assert.Contains(t, body, want, "%s %s", sc.Method, sc.URL)
		}
	}
	for _, unwanted := range sc.NotExpectedContent {
		assert.NotContains(t, raw, unwanted, "%s %s", sc.Method, sc.URL)
		assert.NotContains(t, body, unwanted, "%s %s", sc.Method, sc.URL)
	}
}

// APIError is PocketBase's JSON error body.
type APIError struct {
	Status  int
	Message string
	Data    map[string]any
}

// RequireError checks that r is a PocketBase-shaped JSON error with status
// (same status in the body, a message, a data object) and returns it.
func RequireError(t testing.TB, r Response, status int) APIError {
	t.Helper()
	var e APIError
	require.NoError(t, json.Unmarshal(r.Body, &e), "error body %s", r.Body)
	require.Equal(t, status, r.Status, "status (body %s)", r.Body)
	require.Equal(t, status, e.Status, "status in the body %s", r.Body)
	require.NotEmpty(t, e.Message, "error message in %s", r.Body)
	require.NotNil(t, e.Data, "error data in %s", r.Body)
	return e
}

// RequireCount checks that collection holds want records.
func RequireCount(t testing.TB, app *tests.TestApp, collection string, want int64) {
	t.Helper()
	n, err := app.CountRecords(collection)
	require.NoError(t, err, "count %s", collection)
	require.Equal(t, want, n, "records in %s", collection)
}

// Count returns how many records collection holds, failing the test on error.
func Count(t testing.TB, app *tests.TestApp, collection string) int64 {
	t.Helper()
	n, err := app.CountRecords(collection)
	require.NoError(t, err, "count %s", collection)
	return n
}
