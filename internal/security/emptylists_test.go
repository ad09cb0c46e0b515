package security_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blue are the roles the blind rule hides unrevealed tests from.
var blue = map[collections.Role]bool{collections.RoleBlueLead: true, collections.RoleBlueAnalyst: true}

// TestHidesNoRow: which list requests are answered without PocketBase's
// probe delay, role by role, against the real schema and rules.
func TestHidesNoRow(t *testing.T) {
	app := testutil.NewApp(t)
	notBlue := func(r collections.Role) bool { return !blue[r] }
	everyone := func(collections.Role) bool { return true }
	nobody := func(collections.Role) bool { return false }
	cases := []struct {
		name, collection, filter, sort string
		want                           func(collections.Role) bool
	}{
		{"audit log by collection: the blind rule hides entries from blue", collections.AuditLogs, "collection = 'findings'", "-created,-id", notBlue},
		{"audit log by a key inside the details", collections.AuditLogs, "details.state.new = 'draft'", "", notBlue},
		{"a findings column", collections.Findings, "status = 'open' || status = ''", "-created", notBlue},
		{"tests by name", collections.Tests, "name ~ 'x'", "-updated,-id", notBlue},
		{"campaigns: no rule depends on the row", collections.Campaigns, "name = 'x'", "-created", everyone},
		{"campaigns sorted through a relation", collections.Campaigns, "name = 'x'", "threat_actor.name", everyone},
		{"campaigns through a back-relation to tests", collections.Campaigns, "tests_via_campaign.name ?~ 'x'", "", notBlue},
		{"rules through a relation to techniques", collections.DetectionRules, "techniques.name ?~ 'x'", "title", everyone},
		{"users through a back-relation to notifications", collections.Users, "notifications_via_user.title ?~ 'x'", "", nobody},
		{"notifications: each user's own", collections.Notifications, "read = false", "-created", nobody},
		{"integrations: all rows for the admin, none for the rest", collections.Integrations, "name = 'x'", "", everyone},
		{"a function is not followed", collections.Campaigns, "strftime('%Y', created) = '2026'", "", nobody},
		{"an @collection join is not followed", collections.Campaigns, "@collection.tests.name ?= 'x'", "", nobody},
		{"a nested @request path is not followed", collections.Campaigns, "@request.auth.team.name = 'x'", "", nobody},
		{"an unknown path is not followed", collections.Campaigns, "nothing.here = 'x'", "", nobody},
		{"a filter that does not parse", collections.Campaigns, "name = (", "", nobody},
		{"a caller's own value in the filter", collections.Campaigns, "owner = @request.auth.id", "", everyone},
		{"a date macro", collections.Campaigns, "created > @now && created < @yearEnd", "", everyone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			col, err := app.FindCachedCollectionByNameOrId(c.collection)
			require.NoError(t, err)
			for _, role := range collections.Roles {
				u, err := app.FindAuthRecordByEmail(collections.Users, testutil.Users(t)[role].Email)
				require.NoError(t, err)
				assert.Equal(t, c.want(role), security.HidesNoRow(app, col, u, c.filter, c.sort), "%s", role)
			}
			assert.False(t, security.HidesNoRow(app, col, nil, c.filter, c.sort), "a guest")
		})
	}
}

// TestRuleValues: a rule is evaluated as PocketBase writes it into SQL,
// AND before OR, and only the caller's own fields and literals are known.
func TestRuleValues(t *testing.T) {
	app := testutil.NewApp(t)
	red, err := app.FindAuthRecordByEmail(collections.Users, testutil.Users(t)[collections.RoleRedLead].Email)
	require.NoError(t, err)
	for rule, want := range map[string]string{
		collections.Authed:                                                          "always",
		collections.RoleIn(collections.RoleAdmin):                                   "never",
		collections.RoleIn(collections.RoleRedLead):                                 "always",
		collections.Authed + " && " + collections.NotBlueOrRevealed(""):             "always",
		"name = 'x' || @request.auth.role = 'red_lead' && @request.auth.id = ''":    "unknown", // not ((name OR true) AND false)
		"@request.auth.role = 'admin' && name = 'x' || @request.auth.active = true": "always",
		"name = 'x' && @request.auth.role = 'admin'":                                "never",
		"@request.auth.role != 'red_lead' || name = 'x'":                            "unknown",
		"@request.auth.email = ''":                                                  "unknown", // not a field the check reads
		"@request.auth.role ~ 'red'":                                                "unknown", // only = and != are evaluated
		"'a' = 'a'":                                                                 "always",
		"true = false":                                                              "never",
	} {
		groups, err := fexpr.Parse(rule)
		require.NoError(t, err, rule)
		assert.Equal(t, want, security.RuleValue(groups, red), rule)
	}
}

// TestEmptyListsAnswered: over a served app, an empty filtered list is
// answered by aegisEmptyLists, with PocketBase's own answer shape: at once
// when the caller's rules hide nothing, after the constant floor when they
// do; a query that took longer than the floor goes on to PocketBase (and
// its random delay).
func TestEmptyListsAnswered(t *testing.T) {
	env := testutil.NewEnv(t)
	var mu sync.Mutex
	passed := 0
	env.App.OnRecordsListRequest().Bind(&hook.Handler[*core.RecordsListRequestEvent]{
		Id: "observer", Priority: security.EmptyListsPriority + 1,
		Func: func(e *core.RecordsListRequestEvent) error {
			mu.Lock()
			passed++
			mu.Unlock()
			return e.Next()
		},
	})
	env.Save(collections.Campaigns, map[string]any{"name": "Visible", "status": collections.CampaignPlanned})
	list := func(col, filter string) string {
		q := url.Values{"perPage": {"25"}, "skipTotal": {"1"}}
		if filter != "" {
			q.Set("filter", filter)
		}
		return "/api/collections/" + col + "/records?" + q.Encode()
	}
	const (
		now    = "answered at once"
		floor  = "answered after the floor"
		passOn = "passed on to PocketBase"
	)
	cases := []struct {
		name  string
		role  collections.Role
		path  string
		floor time.Duration // the floor for this case; 0 keeps the default
		want  string
	}{
		{"red, an empty findings column", collections.RoleRedOperator, list(collections.Findings, "status = 'resolved'"), 0, now},
		{"admin, an audit search that finds nothing", collections.RoleAdmin, list(collections.AuditLogs, "collection = 'nothing'"), 0, now},
		{"blue, campaigns that find nothing", collections.RoleBlueAnalyst, list(collections.Campaigns, "name = 'none'"), 0, now},
		{"blue, an empty findings column", collections.RoleBlueAnalyst, list(collections.Findings, "status = 'resolved'"), 0, floor},
		{"blue, campaigns through tests", collections.RoleBlueAnalyst, list(collections.Campaigns, "tests_via_campaign.name ?~ 'none'"), 0, floor},
		{"red, notifications that find nothing", collections.RoleRedOperator, list(collections.Notifications, "title = 'none'"), 0, floor},
		{"blue, a query slower than the floor", collections.RoleBlueAnalyst, list(collections.Findings, "status = 'resolved'"), time.Nanosecond, passOn},
		{"a list with rows", collections.RoleRedOperator, list(collections.Campaigns, "name = 'Visible'"), 0, passOn},
		{"a list without a filter", collections.RoleRedOperator, list(collections.Findings, ""), 0, passOn},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.floor > 0 {
				t.Cleanup(security.SetEmptyListFloor(c.floor))
			}
			mu.Lock()
			before := passed
			mu.Unlock()
			t0 := time.Now()
			r := env.Do(http.MethodGet, c.path, c.role, nil)
			took := time.Since(t0)
			require.Equal(t, http.StatusOK, r.Status, r.Body)
			var body struct {
				Items      []map[string]any `json:"items"`
				Page       int              `json:"page"`
				PerPage    int              `json:"perPage"`
				TotalItems int              `json:"totalItems"`
				TotalPages int              `json:"totalPages"`
			}
			r.JSON(t, &body)
			assert.Equal(t, 1, body.Page)
			assert.Equal(t, 25, body.PerPage)
			assert.Equal(t, -1, body.TotalItems, "skipTotal is kept")
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, c.want == passOn, passed > before, "passed on to PocketBase")
			if c.want != passOn {
				assert.Contains(t, string(r.Body), `"items":[]`)
			}
			if c.want == floor {
				assert.GreaterOrEqual(t, took, security.EmptyListFloor(), "the floor")
			}
		})
	}
}

// FuzzHidesNoRow: any filter and sort, hostile or malformed, gets an answer
// and no panic; one that does not parse as a filter is never taken for one
// that hides nothing. (PocketBase has already refused a filter it cannot
// build before the check sees it; this covers the check on its own.)
func FuzzHidesNoRow(f *testing.F) {
	app := testutil.NewApp(f)
	u, err := app.FindAuthRecordByEmail(collections.Users, testutil.Users(f)[collections.RoleBlueAnalyst].Email)
	require.NoError(f, err)
	cols := []string{collections.Campaigns, collections.Tests, collections.AuditLogs, collections.Users}
	for _, seed := range []string{"name = 'x'", "tests_via_campaign.name ?~ 'x'", "a.b.c.d.e = 1", "((((", "x:each:lower ?= ''",
		"@request.auth.role = 'admin' || name = 'x'", "owner.owner.owner.email = ''", "campaign_via_x_via_y.z = 1", "'", "@collection.tests.id ?= id"} {
		f.Add(seed, "-created,name")
	}
	f.Fuzz(func(t *testing.T, filter, sort string) {
		for i, name := range cols {
			col, err := app.FindCachedCollectionByNameOrId(name)
			require.NoError(t, err)
			got := security.HidesNoRow(app, col, u, filter, sort)
			if _, perr := fexpr.Parse(filter); perr != nil && filter != "" {
				assert.False(t, got, "%d: an unparsable filter %q", i, filter)
			}
		}
	})
}
