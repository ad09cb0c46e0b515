package testutil

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/require"
)

// Env is one test app served over loopback with an active user per role:
// the place API tests seed records, send requests as a role and read back
// what was stored. Packages embed it in their own env for their helpers.
type Env struct {
	T     *testing.T
	App   *tests.TestApp
	URL   string // the server's base URL
	Users map[collections.Role]User
}

// NewEnv serves a fresh test app (see NewApp and Serve) for the test t.
func NewEnv(t *testing.T) *Env {
	t.Helper()
	app := NewApp(t)
	return &Env{T: t, App: app, URL: Serve(t, app).URL, Users: Users(t)}
}

// Save creates a record of col with fields (see Save).
func (e *Env) Save(col string, fields map[string]any) *core.Record {
	e.T.Helper()
	return Save(e.T, e.App, col, fields)
}

// Do sends method path to the server as the user of role (a guest when
// role is empty) with an optional JSON body (see Do).
func (e *Env) Do(method, path string, role collections.Role, body any) Response {
	e.T.Helper()
	tok := ""
	if role != "" {
		tok = e.Users[role].Token
	}
	return Do(e.T, method, e.URL+path, tok, body)
}

// Get reads the record id of col, failing the test when it is not there.
func (e *Env) Get(col, id string) *core.Record {
	e.T.Helper()
	r, err := e.App.FindRecordById(col, id)
	require.NoError(e.T, err, "find %s %s", col, id)
	return r
}

// Transition posts action on test id as role with fields, sent with the
// test's current revision unless fields set "revision".
func (e *Env) Transition(id string, role collections.Role, action string, fields map[string]any) Response {
	e.T.Helper()
	body := map[string]any{"action": action, "revision": collections.AsTest(e.Get(collections.Tests, id)).Revision()}
	for k, v := range fields {
		body[k] = v
	}
	return e.Do(http.MethodPost, "/api/aegis/tests/"+id+"/transition", role, body)
}

// MustTransition is Transition that fails the test unless it is accepted.
func (e *Env) MustTransition(id string, role collections.Role, action string, fields map[string]any) {
	e.T.Helper()
	res := e.Transition(id, role, action, fields)
	require.Equal(e.T, http.StatusOK, res.Status, "%s %s by %s: %d %s", action, id, role, res.Status, res.Body)
}
