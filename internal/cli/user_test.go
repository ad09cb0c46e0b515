package cli_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/app"
	"github.com/aegis-sec/aegis/internal/cli"
	_ "github.com/aegis-sec/aegis/pb_migrations"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase"
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
	if _, err := run(t, pb, "user", "create", "ada@example.org", "a-long-passphrase", "--role", "admin", "--name", "Ada"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, pb, "user", "create", "bob@example.org", "a-long-passphrase", "--role", "viewer"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{"user", "create", "eve@example.org", "short", "--role", "viewer"},
		{"user", "create", "eve@example.org", "a-long-passphrase", "--role", "root"},
		{"user", "create", "ada@example.org", "a-long-passphrase", "--role", "viewer"},
	} {
		if _, err := run(t, pb, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}

	out, err := run(t, pb, "user", "list", "--json")
	require.NoError(t, err)
	var rows []struct {
		Email, Role string
		Active      bool
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	if len(rows) != 2 || rows[0].Email != "ada@example.org" || rows[0].Role != "admin" || !rows[0].Active {
		t.Fatalf("list: %+v", rows)
	}

	if _, err := run(t, pb, "user", "set-role", "bob@example.org", "blue_lead"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, pb, "user", "set-role", "bob@example.org", "wizard"); err == nil {
		t.Error("unknown role accepted")
	}
	if _, err := run(t, pb, "user", "set-role", "nobody@example.org", "viewer"); err == nil {
		t.Error("unknown user accepted")
	}
	// The last active admin cannot be demoted.
	if _, err := run(t, pb, "user", "set-role", "ada@example.org", "viewer"); err == nil || !strings.Contains(err.Error(), "last active admin") {
		t.Errorf("demoting the last admin: %v", err)
	}
	out, _ = run(t, pb, "user", "list")
	if !strings.Contains(out, "bob@example.org") || !strings.Contains(out, "blue_lead") {
		t.Errorf("table list: %s", out)
	}
	// CLI changes are audited as the system.
	n, err := pb.CountRecords(collections.AuditLogs, dbx.HashExp{"action": "role_change", "actor_kind": "system", "actor_name": "cli"})
	if err != nil || n != 1 {
		t.Errorf("role change audit entries: %d %v", n, err)
	}
}
