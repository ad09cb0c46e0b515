package workflow_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// BenchmarkTransition measures one transition through the domain function:
// the transaction with its checks, revision swap, save, audit entries and
// notification. Each op is one of approve, start, submit, record.
func BenchmarkTransition(b *testing.B) {
	app := testutil.NewApp(b)
	users := testutil.Users(b)
	col, _ := app.FindCollectionByNameOrId(c.Techniques)
	tech := core.NewRecord(col)
	tech.Set("stix_id", "attack-pattern--bench")
	tech.Set("attack_id", "T1059")
	tech.Set("name", "bench")
	require.NoError(b, app.Save(tech), "save the technique")
	actor := func(role c.Role) workflow.Actor {
		return workflow.Actor{Id: users[role].Id, Name: string(role), Role: role}
	}
	tests, _ := app.FindCollectionByNameOrId(c.Tests)
	steps := []struct {
		role c.Role
		in   workflow.Input
	}{
		{c.RoleRedLead, workflow.Input{Action: "approve", RedAssignee: users[c.RoleRedOperator].Id}},
		{c.RoleRedOperator, workflow.Input{Action: "start"}},
		{c.RoleRedOperator, workflow.Input{Action: "submit", RedResult: "executed"}},
		{c.RoleBlueAnalyst, workflow.Input{Action: "record", Prevention: "blocked", Detection: "technique"}},
	}
	b.ResetTimer()
	for i := 0; i < b.N; {
		b.StopTimer()
		t := core.NewRecord(tests)
		t.Set("name", "bench")
		t.Set("technique", tech.Id)
		require.NoError(b, app.Save(t), "save a test")
		b.StartTimer()
		for rev, s := range steps {
			if i >= b.N {
				break
			}
			r := rev
			s.in.Revision = &r
			_, err := workflow.Transition(app, actor(s.role), t.Id, s.in)
			require.NoError(b, err, "transition the test")
			i++
		}
	}
}
