package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
)

// withTechniques saves a few enterprise techniques, enough for the demo.
func withTechniques(t *testing.T, pb *pocketbase.PocketBase) {
	t.Helper()
	col, err := pb.FindCollectionByNameOrId(collections.Techniques)
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		r := core.NewRecord(col)
		r.Set("stix_id", fmt.Sprintf("attack-pattern--demo-%d", i))
		r.Set("attack_id", fmt.Sprintf("T90%02d", i))
		r.Set("name", fmt.Sprintf("Technique %d", i))
		r.Set("domain", "enterprise-attack")
		r.Set("platforms", []string{"Windows"})
		require.NoError(t, pb.Save(r))
	}
}

func demoAccounts(t *testing.T, pb *pocketbase.PocketBase) []string {
	t.Helper()
	emails, err := demo.Accounts(pb)
	require.NoError(t, err)
	return emails
}

// TestDemoRefusesADataDirWithUsers: the demo adds an active admin with a
// published password, so it runs only on a data dir without users, or with
// --force; it says which demo accounts exist and how to remove them.
func TestDemoRefusesADataDirWithUsers(t *testing.T) {
	for _, c := range []struct {
		name       string
		realUser   bool
		args       []string
		wantErr    string
		wantDemo   bool
		wantOutput []string
	}{
		{name: "data dir with a user: refused", realUser: true, args: []string{"demo"},
			wantErr: "already has users"},
		{name: "data dir with a user and --force: seeded", realUser: true, args: []string{"demo", "--force"},
			wantDemo: true, wantOutput: []string{"admin1@" + demo.EmailDomain, demo.Password, "aegis user delete "}},
		{name: "empty data dir: seeded, a line per step", args: []string{"demo"},
			wantDemo: true, wantOutput: []string{"viewer1@" + demo.EmailDomain, "aegis user delete ", "seeding the small demo",
				"\n  tests ", "\n  history ", "\n  snapshots "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pb := newCLI(t)
			withTechniques(t, pb)
			if c.realUser {
				_, err := run(t, pb, "user", "create", "ada@example.org", "a-long-passphrase", "--role", "admin")
				require.NoError(t, err)
			}
			out, err := run(t, pb, c.args...)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				assert.Contains(t, err.Error(), "--force")
			} else {
				require.NoError(t, err, out)
			}
			for _, s := range c.wantOutput {
				assert.Contains(t, out, s)
			}
			accounts := demoAccounts(t, pb)
			assert.Equal(t, c.wantDemo, len(accounts) == len(collections.Roles), "demo accounts: %v", accounts)
			if !c.wantDemo {
				assert.Empty(t, accounts)
			}
		})
	}
}

// TestDemoAccountsCanBeRemoved: the removal the demo prints works, and a
// second refused run lists what is left.
func TestDemoAccountsCanBeRemoved(t *testing.T) {
	pb := newCLI(t)
	withTechniques(t, pb)
	_, err := run(t, pb, "demo")
	require.NoError(t, err)
	accounts := demoAccounts(t, pb)
	require.Len(t, accounts, len(collections.Roles))

	// Refused now (users exist), and says which demo accounts are there.
	out, err := run(t, pb, "demo")
	require.ErrorContains(t, err, "already has users")
	assert.Contains(t, out, "admin1@"+demo.EmailDomain)
	assert.Contains(t, out, "aegis user delete "+strings.Join(accounts, " "))

	// A real admin first: the last active admin cannot be deleted.
	_, err = run(t, pb, "user", "create", "ada@example.org", "a-long-passphrase", "--role", "admin")
	require.NoError(t, err)
	_, err = run(t, pb, append([]string{"user", "delete"}, accounts...)...)
	require.NoError(t, err)
	assert.Empty(t, demoAccounts(t, pb))
	n, err := pb.CountRecords(collections.Users)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)

	_, err = run(t, pb, "user", "delete", "ada@example.org")
	assert.ErrorContains(t, err, "last active admin")
	_, err = run(t, pb, "user", "delete", "nobody@example.org")
	assert.ErrorContains(t, err, "no user")
}

// TestCLIPasswordPolicy: `aegis user create` follows the policy from the
// first start, blank passwords included.
func TestCLIPasswordPolicy(t *testing.T) {
	pb := newCLI(t)
	for _, c := range []struct {
		name, email, password, wantErr string
	}{
		{"nine characters", "nine@example.org", "123456789", "at least 10"},
		{"ten spaces", "blank@example.org", strings.Repeat(" ", 10), "only spaces"},
		{"twelve spaces", "blank12@example.org", strings.Repeat(" ", 12), "only spaces"},
		{"ten characters", "ten@example.org", "0123456789", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, pb, "user", "create", c.email, c.password, "--role", "viewer")
			if c.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, c.wantErr)
			_, ferr := pb.FindAuthRecordByEmail(collections.Users, c.email)
			assert.Error(t, ferr, "the user was created")
		})
	}
}
