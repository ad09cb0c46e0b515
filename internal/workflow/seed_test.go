package workflow_test

import (
	"fmt"
	"net/http"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// env is the package's test environment with its own seeding helpers.
type env struct{ *testutil.Env }

func newEnv(t *testing.T) *env { return &env{testutil.NewEnv(t)} }

var techN int

func (e *env) technique(attackID string, extra map[string]any) *core.Record {
	techN++
	f := map[string]any{"stix_id": fmt.Sprintf("attack-pattern--%d-%s", techN, attackID), "attack_id": attackID,
		"name": "Technique " + attackID, "domain": "enterprise-attack", "in_scope": true, "platforms": []string{"Windows", "Linux"}}
	for k, v := range extra {
		f[k] = v
	}
	return e.Save(c.Techniques, f)
}

func (e *env) campaign(name string, blind bool) *core.Record {
	return e.Save(c.Campaigns, map[string]any{"name": name, "blind": blind})
}

// newTest creates a test through the CRUD API as the red lead.
func (e *env) newTest(tech, campaign *core.Record) *core.Record {
	e.T.Helper()
	body := map[string]any{"name": "test of " + tech.GetString("attack_id"), "technique": tech.Id}
	if campaign != nil {
		body["campaign"] = campaign.Id
	}
	res := e.Do("POST", "/api/collections/tests/records", c.RoleRedLead, body)
	require.Equal(e.T, http.StatusOK, res.Status, "create test: %d %s", res.Status, res.Body)
	var out struct{ Id string }
	res.JSON(e.T, &out)
	return e.Get(c.Tests, out.Id)
}

func (e *env) count(col, filter string, params map[string]any) int {
	e.T.Helper()
	n, err := e.App.CountRecords(col, dbxExp(filter, params))
	require.NoError(e.T, err, "count %s", col)
	return int(n)
}
