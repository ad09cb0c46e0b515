package campaigns_test

import (
	"fmt"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// env is the package's test environment with its own seeding helpers.
type env struct{ *testutil.Env }

func newEnv(t *testing.T) *env { return &env{testutil.NewEnv(t)} }

var stix int

func (e *env) technique(id string, platforms []string, extra map[string]any) *core.Record {
	stix++
	f := map[string]any{"stix_id": fmt.Sprintf("attack-pattern--%d", stix), "attack_id": id, "name": "Technique " + id,
		"domain": "enterprise-attack", "in_scope": true, "platforms": platforms}
	for k, v := range extra {
		f[k] = v
	}
	return e.Save(c.Techniques, f)
}

// walk drives a draft test to validated with the given outcome.
func (e *env) walk(id, prevention, detection string) {
	e.T.Helper()
	e.MustTransition(id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.Users[c.RoleRedOperator].Id})
	e.MustTransition(id, c.RoleRedOperator, "start", nil)
	e.MustTransition(id, c.RoleRedOperator, "submit", map[string]any{"red_result": "executed"})
	e.MustTransition(id, c.RoleBlueAnalyst, "record", map[string]any{"prevention": prevention, "detection": detection})
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
