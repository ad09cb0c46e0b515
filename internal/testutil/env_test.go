package testutil_test

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestEnvWalksATestThroughTheAPI: the shared environment saves records, sends
// requests as each role, reads records back and posts transitions with the
// test's current revision (a stale one given explicitly is refused).
func TestEnvWalksATestThroughTheAPI(t *testing.T) {
	e := testutil.NewEnv(t)
	require.Len(t, e.Users, len(collections.Roles), "a user per role")
	tech := e.Save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--env", "attack_id": "T1059",
		"name": "Command and Scripting Interpreter", "domain": "enterprise-attack", "in_scope": true})
	camp := e.Save(collections.Campaigns, map[string]any{"name": "env"})

	res := e.Do(http.MethodPost, "/api/collections/tests/records", collections.RoleRedLead,
		map[string]any{"name": "env test", "technique": tech.Id, "campaign": camp.Id})
	require.Equal(t, http.StatusOK, res.Status, "create as the red lead: %s", res.Body)
	var created struct{ Id string }
	res.JSON(t, &created)
	require.Equal(t, http.StatusNotFound, e.Do(http.MethodGet, "/api/collections/tests/records/"+created.Id, "", nil).Status,
		"a guest does not see the test")

	e.MustTransition(created.Id, collections.RoleRedLead, "approve",
		map[string]any{"red_assignee": e.Users[collections.RoleRedOperator].Id})
	test := collections.AsTest(e.Get(collections.Tests, created.Id))
	require.Equal(t, collections.StateReady, test.State(), "approved")

	stale := e.Transition(created.Id, collections.RoleRedOperator, "start", map[string]any{"revision": test.Revision() - 1})
	require.Equal(t, http.StatusConflict, stale.Status, "a stale revision: %s", stale.Body)
	e.MustTransition(created.Id, collections.RoleRedOperator, "start", nil)
	require.Equal(t, collections.StateExecuting, collections.AsTest(e.Get(collections.Tests, created.Id)).State(), "started")
}
