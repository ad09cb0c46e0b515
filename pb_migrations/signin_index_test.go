package migrations_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lockout counts an identity's failed sign-ins on every sign-in, and
// looks for its successful ones from an address: with years of audit
// entries each must come from the partial index of its action, whose
// expression has to match audit.IdentitySQL and whose WHERE the query must
// name literally.
func TestLockoutQueriesUseTheSignInIndexes(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	u := testutil.Users(t)[collections.RoleViewer]
	log := testutil.CaptureQueries(t, app)
	res := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": u.Email, "password": "not-the-password-1"})
	require.Equal(t, http.StatusBadRequest, res.Status, "a wrong password: %s", res.Body)
	counts := 0
	for _, q := range log.All() {
		if !strings.Contains(q, "login_failed") || !strings.Contains(strings.ToLower(q), "count(") {
			continue
		}
		counts++
		plan := explain(t, app.DB(), q)
		assert.Contains(t, plan, "idx_audit_logs_login_failed", "the failure count scans the audit log:\n%s\n%s", q, plan)
	}
	assert.Equal(t, 2, counts, "the sign-in counts failures from the address and from everywhere: %q", log.All())

	// The known-address check (run once failures pile up), as lockout.go builds it.
	known := "SELECT count(*) FROM audit_logs WHERE action = 'login' AND collection = 'users' AND ip = '10.0.0.1' AND " +
		strings.NewReplacer("[[", `"`, "]]", `"`).Replace(audit.IdentitySQL) + " = 'a@example.org' AND created >= '2026-01-01' LIMIT 1"
	plan := explain(t, app.DB(), known)
	assert.Contains(t, plan, "idx_audit_logs_login", "the known-address check scans the audit log:\n%s", plan)
}
