package workflow_test

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

// env is one served test app with the seeded users.
type env struct {
	t     *testing.T
	app   *tests.TestApp
	url   string
	users map[c.Role]testutil.User
}

func newEnv(t *testing.T) *env {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	return &env{t: t, app: app, url: srv.URL, users: testutil.Users(t)}
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

var techN int

func (e *env) technique(attackID string, extra map[string]any) *core.Record {
	techN++
	f := map[string]any{"stix_id": fmt.Sprintf("attack-pattern--%d-%s", techN, attackID), "attack_id": attackID,
		"name": "Technique " + attackID, "domain": "enterprise-attack", "in_scope": true, "platforms": []string{"Windows", "Linux"}}
	for k, v := range extra {
		f[k] = v
	}
	return e.save(c.Techniques, f)
}

func (e *env) campaign(name string, blind bool) *core.Record {
	return e.save(c.Campaigns, map[string]any{"name": name, "blind": blind})
}

// newTest creates a test through the CRUD API as the red lead.
func (e *env) newTest(tech, campaign *core.Record) *core.Record {
	e.t.Helper()
	body := map[string]any{"name": "test of " + tech.GetString("attack_id"), "technique": tech.Id}
	if campaign != nil {
		body["campaign"] = campaign.Id
	}
	res := e.do("POST", "/api/collections/tests/records", c.RoleRedLead, body)
	require.Equal(e.t, http.StatusOK, res.Status, "create test: %d %s", res.Status, res.Body)
	var out struct{ Id string }
	res.JSON(e.t, &out)
	return e.get(out.Id)
}

func (e *env) get(id string) *core.Record {
	e.t.Helper()
	r, err := e.app.FindRecordById(c.Tests, id)
	require.NoError(e.t, err, "find test %s", id)
	return r
}

func (e *env) do(method, path string, role c.Role, body any) testutil.Response {
	e.t.Helper()
	tok := ""
	if role != "" {
		tok = e.users[role].Token
	}
	return testutil.Do(e.t, method, e.url+path, tok, body)
}

// act posts a transition with the test's current revision unless rev is set.
func (e *env) act(id string, role c.Role, action string, fields map[string]any) testutil.Response {
	e.t.Helper()
	body := map[string]any{"action": action, "revision": e.get(id).GetInt("revision")}
	for k, v := range fields {
		body[k] = v
	}
	return e.do("POST", "/api/aegis/tests/"+id+"/transition", role, body)
}

func (e *env) mustAct(id string, role c.Role, action string, fields map[string]any) {
	e.t.Helper()
	res := e.act(id, role, action, fields)
	require.Equal(e.t, http.StatusOK, res.Status, "%s %s by %s: %d %s", action, id, role, res.Status, res.Body)
}

func (e *env) count(col, filter string, params map[string]any) int {
	e.t.Helper()
	n, err := e.app.CountRecords(col, dbxExp(filter, params))
	require.NoError(e.t, err, "count %s", col)
	return int(n)
}
