package collections_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// The proxies read and write the stored columns: what a setter wrote comes
// back from the database through the getter and through the plain record.
func TestProxiesRoundTripThroughTheDatabase(t *testing.T) {
	ta := testutil.NewApp(t)
	users := testutil.Users(t)

	tech, err := c.NewTechnique(ta)
	require.NoError(t, err)
	tech.SetAttackId("T1059")
	tech.SetName("Command and Scripting Interpreter")
	tech.Set("domain", "enterprise-attack")
	tech.Set("stix_id", "attack-pattern--1")
	require.NoError(t, ta.Save(tech))

	camp, err := c.NewCampaign(ta)
	require.NoError(t, err)
	camp.SetName("Q4")
	camp.SetBlind(true)
	camp.SetPlatforms([]string{"windows", "linux"})
	require.NoError(t, ta.Save(camp))
	assert.Equal(t, c.CampaignStatuses[0], camp.Status(), "the campaign hooks fill the status")
	assert.Equal(t, 1, camp.Round())

	test, err := c.NewTest(ta)
	require.NoError(t, err)
	test.SetName("T1059 on windows")
	test.SetTechnique(tech.Id)
	test.SetCampaign(camp.Id)
	test.SetRedAssignee(users[c.RoleRedOperator].Id)
	due, err := types.ParseDateTime("2026-12-24 10:00:00.000Z")
	require.NoError(t, err)
	test.SetDueAt(due)
	require.NoError(t, ta.Save(test))

	rec, err := ta.FindRecordById(c.Tests, test.Id)
	require.NoError(t, err)
	got := c.AsTest(rec)
	assert.Equal(t, c.StateDraft, got.State())
	assert.False(t, got.Revealed(), "a test of a blind campaign starts hidden")
	assert.Equal(t, users[c.RoleRedOperator].Id, got.RedAssignee())
	assert.Equal(t, rec.GetString("red_assignee"), got.RedAssignee())
	assert.Equal(t, due.String(), got.DueAt().String())
	assert.Equal(t, tech.Id, got.Technique())

	cr, err := ta.FindRecordById(c.Campaigns, camp.Id)
	require.NoError(t, err)
	assert.Equal(t, []string{"windows", "linux"}, c.AsCampaign(cr).Platforms())
	assert.True(t, c.AsCampaign(cr).Blind())

	u, err := ta.FindRecordById(c.Users, users[c.RoleBlueLead].Id)
	require.NoError(t, err)
	assert.Equal(t, c.RoleBlueLead, c.AsUser(u).Role())
	assert.True(t, c.AsUser(u).Active())

	assert.Nil(t, c.AsTest(nil))
}

// One Actor serves the workflow, the audit trail and the API: its role is
// set only for an active user or a superuser, while the audit identity is
// kept for everyone.
func TestActorOf(t *testing.T) {
	ta := testutil.NewApp(t)
	users := testutil.Users(t)
	load := func(id string) *core.Record {
		r, err := ta.FindRecordById(c.Users, id)
		require.NoError(t, err)
		return r
	}
	root, err := ta.FindAuthRecordByEmail(core.CollectionNameSuperusers, testutil.Superuser(t).Email)
	require.NoError(t, err)
	inactive := load(users[c.RoleBlueAnalyst].Id)
	inactive.Set(c.FieldActive, false)

	for _, tc := range []struct {
		name        string
		auth        *core.Record
		role        c.Role
		kind, audit string
		userId      bool
	}{
		{"nobody is the system", nil, "", c.KindSystem, c.KindSystem, false},
		{"an active user acts with their role", load(users[c.RoleRedLead].Id), c.RoleRedLead, c.KindUser, c.KindUser, true},
		{"an inactive user keeps an identity but no role", inactive, "", c.KindUser, c.KindUser, true},
		{"a superuser acts as an admin", root, c.RoleAdmin, c.KindSuperuser, c.KindSuperuser, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := c.ActorOf(tc.auth, "10.0.0.1")
			assert.Equal(t, tc.role, a.Role)
			assert.Equal(t, tc.kind, a.Kind)
			assert.Equal(t, tc.audit, a.AuditKind())
			assert.Equal(t, "10.0.0.1", a.IP)
			assert.Equal(t, tc.userId, a.UserId() != "")
			assert.Equal(t, tc.role != "", a.Is(c.Roles...))
		})
	}
	assert.Equal(t, c.KindUser, c.Actor{Id: "u1"}.AuditKind(), "a literal actor with an id is a user")
	assert.True(t, c.Actor{Role: c.RoleBlueLead}.Blue())
	assert.False(t, c.Actor{}.Is(""), "no role matches nothing")
}
