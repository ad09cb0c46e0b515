package cli_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/app"
	"github.com/aegis-sec/aegis/internal/cli"
	_ "github.com/aegis-sec/aegis/pb_migrations"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newCLI returns a bootstrapped, migrated Aegis on an empty data dir.
func newCLI(t *testing.T) *pocketbase.PocketBase {
	t.Helper()
	t.Setenv("AEGIS_DATA_DIR", t.TempDir())
	pb := app.New()
	cli.Register(pb)
	require.NoError(t, pb.Bootstrap())
	require.NoError(t, pb.RunAllMigrations())
	t.Cleanup(func() { pb.ResetBootstrapState() })
	return pb
}

func run(t *testing.T, pb *pocketbase.PocketBase, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	pb.RootCmd.SetOut(&out)
	pb.RootCmd.SetErr(&out)
	pb.RootCmd.SetArgs(args)
	err := pb.RootCmd.Execute()
	return out.String(), err
}

func TestUserCommands(t *testing.T) {
	pb := newCLI(t)
	require.NoError(t, errOf(run(t, pb, "user", "create", "ada@example.org", "a-long-passphrase", "--role", "admin", "--name", "Ada")), "create an admin")
	require.NoError(t, errOf(run(t, pb, "user", "create", "bob@example.org", "a-long-passphrase", "--role", "viewer")), "create a viewer")
	for _, bad := range [][]string{
		{"user", "create", "eve@example.org", "short", "--role", "viewer"},
		{"user", "create", "eve@example.org", "a-long-passphrase", "--role", "root"},
		{"user", "create", "ada@example.org", "a-long-passphrase", "--role", "viewer"},
	} {
		_, err := run(t, pb, bad...)
		assert.Error(t, err, "%v succeeded", bad)
	}

	out, err := run(t, pb, "user", "list", "--json")
	require.NoError(t, err)
	var rows []struct {
		Email, Role string
		Active      bool
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows), "list --json: \n%s", out)
	require.Len(t, rows, 2, "list: %+v", rows)
	require.Equal(t, "ada@example.org", rows[0].Email, "list: %+v", rows)
	require.Equal(t, "admin", rows[0].Role, "list: %+v", rows)
	require.True(t, rows[0].Active, "list: %+v", rows)

	require.NoError(t, errOf(run(t, pb, "user", "set-role", "bob@example.org", "blue_lead")), "set a known role")
	assert.Error(t, errOf(run(t, pb, "user", "set-role", "bob@example.org", "wizard")), "an unknown role is refused")
	assert.Error(t, errOf(run(t, pb, "user", "set-role", "nobody@example.org", "viewer")), "an unknown user is refused")
	// The last active admin cannot be demoted.
	assert.ErrorContains(t, errOf(run(t, pb, "user", "set-role", "ada@example.org", "viewer")), "last active admin", "the last active admin cannot be demoted")
	out, _ = run(t, pb, "user", "list")
	assert.Contains(t, out, "bob@example.org", "table list: %s", out)
	assert.Contains(t, out, "blue_lead", "table list: %s", out)
	// CLI changes are audited as the system.
	n, err := pb.CountRecords(collections.AuditLogs, dbx.HashExp{"action": "role_change", "actor_kind": "system", "actor_name": "cli"})
	assert.NoError(t, err, "role change audit entries: %d", n)
	assert.Equal(t, int64(1), n, "role change audit entries: %d %v", n, err)
}
