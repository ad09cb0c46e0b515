package campaigns_test

import (
	"fmt"
	"net/http"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

type env struct {
	t     *testing.T
	app   *tests.TestApp
	url   string
	users map[c.Role]testutil.User
}

func newEnv(t *testing.T) *env {
	app := testutil.NewApp(t)
	return &env{t: t, app: app, url: testutil.Serve(t, app).URL, users: testutil.Users(t)}
}

func (e *env) save(col string, fields map[string]any) *core.Record {
	e.t.Helper()
	cl, err := e.app.FindCollectionByNameOrId(col)
	require.NoError(e.t, err, "find the collection")
	r := core.NewRecord(cl)
	for k, v := range fields {
		r.Set(k, v)
	}
	require.NoError(e.t, e.app.Save(r), "save %s", col)
	return r
}

var stix int

func (e *env) technique(id string, platforms []string, extra map[string]any) *core.Record {
	stix++
	f := map[string]any{"stix_id": fmt.Sprintf("attack-pattern--%d", stix), "attack_id": id, "name": "Technique " + id,
		"domain": "enterprise-attack", "in_scope": true, "platforms": platforms}
	for k, v := range extra {
		f[k] = v
	}
	return e.save(c.Techniques, f)
}

func (e *env) do(method, path string, role c.Role, body any) testutil.Response {
	e.t.Helper()
	tok := ""
	if role != "" {
		tok = e.users[role].Token
	}
	return testutil.Do(e.t, method, e.url+path, tok, body)
}

func (e *env) get(col, id string) *core.Record {
	e.t.Helper()
	r, err := e.app.FindRecordById(col, id)
	require.NoError(e.t, err, "find %s %s", col, id)
	return r
}

func (e *env) act(id string, role c.Role, action string, fields map[string]any) {
	e.t.Helper()
	body := map[string]any{"action": action, "revision": e.get(c.Tests, id).GetInt("revision")}
	for k, v := range fields {
		body[k] = v
	}
	res := e.do("POST", "/api/aegis/tests/"+id+"/transition", role, body)
	require.Equal(e.t, http.StatusOK, res.Status, "%s %s: %d %s", action, id, res.Status, res.Body)
}

// walk drives a draft test to validated with the given outcome.
func (e *env) walk(id, prevention, detection string) {
	e.t.Helper()
	e.act(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.users[c.RoleRedOperator].Id})
	e.act(id, c.RoleRedOperator, "start", nil)
	e.act(id, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"})
	e.act(id, c.RoleBlueAnalyst, "record", map[string]any{"prevention": prevention, "detection": detection})
}

type generated struct {
	Campaign struct {
		Id, Name, Status, Threat_actor, Parent string
		Round                                  int
		Blind                                  bool
	}
	Tests []struct {
		Id, Technique, Template, Procedure, Platform, State, Retest_of, Name string
		Revealed                                                             bool
	}
	Skipped []string
}
