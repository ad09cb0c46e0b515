package migrations_test

import (
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// The lockout counts failed sign-ins per identity on every sign-in; with
// years of audit entries that count must come from the sign-in index, whose
// expression has to match audit.IdentitySQL exactly.
func TestLockoutCountUsesTheSignInIndex(t *testing.T) {
	app := testutil.NewApp(t)
	sql := "EXPLAIN QUERY PLAN SELECT count(*) FROM audit_logs WHERE action = 'login_failed' AND collection = 'users' AND " +
		strings.NewReplacer("[[", `"`, "]]", `"`).Replace(audit.IdentitySQL) + " = 'a@example.org' AND created >= '2026-01-01'"
	rows, err := app.DB().NewQuery(sql).Rows()
	require.NoError(t, err)
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		plan.WriteString(detail + "\n")
	}
	require.Contains(t, plan.String(), "idx_audit_logs_signin", "the lockout count scans the audit log:\n%s", plan.String())
}
