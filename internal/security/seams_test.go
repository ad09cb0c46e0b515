package security_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

// scenario is one HTTP request and what must come back.
type scenario struct {
	name     string
	method   string
	url      string
	token    string
	headers  map[string]string
	body     any
	status   int
	contains string // a substring of the body, if any
}

func (s scenario) run(t *testing.T) testutil.Response {
	t.Helper()
	r := testutil.DoWith(t, s.method, s.url, s.token, s.headers, s.body)
	assert.Equal(t, s.status, r.Status, "%s: %s", s.name, r.Body)
	if s.contains != "" {
		assert.Contains(t, string(r.Body), s.contains, s.name)
	}
	return r
}

// saveRecord saves a record of collection with data through Go.
// seedTest saves a technique, a campaign and a draft test on them.
func seedTest(t *testing.T, app core.App, name string) *core.Record {
	t.Helper()
	tech := testutil.Save(t, app, collections.Techniques, map[string]any{
		"stix_id": "attack-pattern--" + core.GenerateDefaultRandomId(), "attack_id": "T1059", "name": "Command and Scripting Interpreter", "domain": "enterprise-attack"})
	camp := testutil.Save(t, app, collections.Campaigns, map[string]any{"name": "Campaign for " + name, "status": "planned"})
	return testutil.Save(t, app, collections.Tests, map[string]any{"name": name, "technique": tech.Id, "campaign": camp.Id})
}

// TestSecondFactorCoversRealtimeAndFiles: with an authenticator required
// for a role, a user of that role who has not enrolled one gets nothing over
// realtime (subscribe, connect, or a session opened before the requirement)
// nor through a file token minted before it.
func TestSecondFactorCoversRealtimeAndFiles(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	analyst, viewer, admin := users[collections.RoleBlueAnalyst], users[collections.RoleViewer], users[collections.RoleAdmin]

	// Before the requirement: evidence exists, the analyst holds a file
	// token and a live subscription, and a viewer watches the same topic.
	test := seedTest(t, app, "Before the policy")
	up := testutil.DoMultipart(t, http.MethodPost, srv.URL+"/api/aegis/tests/"+test.Id+"/evidence?team=blue",
		users[collections.RoleBlueLead].Token, map[string]string{"team": "blue"},
		testutil.File{Field: "file", Name: "capture.txt", Content: []byte("process tree\n")})
	require.Equal(t, http.StatusOK, up.Status, string(up.Body))
	var evidence struct{ Id, File string }
	up.JSON(t, &evidence)
	fileToken := func(token string) string {
		r := testutil.Do(t, http.MethodPost, srv.URL+"/api/files/token", token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var out struct{ Token string }
		r.JSON(t, &out)
		return out.Token
	}
	analystFileToken, viewerFileToken := fileToken(analyst.Token), fileToken(viewer.Token)
	early := testutil.Subscribe(t, srv.URL, analyst.Token, "tests/*")
	watcher := testutil.Subscribe(t, srv.URL, viewer.Token, "tests/*")

	r := putPolicy(t, srv.URL, admin.Token, func(p *security.Policy) { p.MFARequiredRoles = []collections.Role{collections.RoleBlueAnalyst} }, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))

	fileURL := srv.URL + "/api/files/evidence/" + evidence.Id + "/" + evidence.File
	for _, s := range []scenario{
		{name: "REST list refused", method: http.MethodGet, url: srv.URL + "/api/collections/tests/records",
			token: analyst.Token, status: http.StatusForbidden, contains: "enrolment_required"},
		{name: "new file token refused", method: http.MethodPost, url: srv.URL + "/api/files/token",
			token: analyst.Token, status: http.StatusForbidden, contains: "enrolment_required"},
		{name: "download with a file token minted before the requirement", method: http.MethodGet,
			url: fileURL + "?token=" + analystFileToken, status: http.StatusForbidden, contains: "enrolment_required"},
		{name: "a role without the requirement still downloads", method: http.MethodGet,
			url: fileURL + "?token=" + viewerFileToken, status: http.StatusOK, contains: "process tree"},
		{name: "own record stays readable to see what is required", method: http.MethodGet,
			url: srv.URL + "/api/collections/users/records/" + analyst.Id, token: analyst.Token, status: http.StatusOK},
	} {
		t.Run(s.name, func(t *testing.T) { s.run(t) })
	}

	t.Run("realtime subscribe refused", func(t *testing.T) {
		rt := testutil.Connect(t, srv.URL, "")
		r := rt.Post(t, srv.URL, analyst.Token, "tests/*", "audit_logs/*")
		assert.Equal(t, http.StatusForbidden, r.Status, string(r.Body))
		assert.Contains(t, string(r.Body), "enrolment_required")
		// A role without the requirement subscribes as before.
		assert.Equal(t, http.StatusNoContent, testutil.Connect(t, srv.URL, "").Post(t, srv.URL, viewer.Token, "tests/*").Status)
	})
	t.Run("realtime connect with the user's token refused", func(t *testing.T) {
		rt, r := testutil.Open(t, srv.URL, analyst.Token)
		if rt != nil {
			rt.Close()
		}
		assert.Equal(t, http.StatusForbidden, r.Status, string(r.Body))
		assert.Contains(t, string(r.Body), "enrolment_required")
	})
	t.Run("a session subscribed before the requirement stops streaming", func(t *testing.T) {
		later := seedTest(t, app, "After the policy")
		got := false
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !got; {
			ev, ok := watcher.Next(time.Until(deadline))
			got = ok && ev.Name == "tests/*" && strings.Contains(ev.Data, later.Id)
		}
		require.True(t, got, "the viewer should receive the new test (the broadcast happened)")
		for {
			ev, ok := early.Next(2 * time.Second)
			if !ok {
				break // closed (or silent): nothing streamed
			}
			assert.NotContains(t, ev.Data, later.Id, "the unenrolled analyst's session streamed a test created after the requirement")
		}
	})
}

// loginFrom signs in to collection (users or _superusers) as identity from
// the client address ip (sent as X-Forwarded-For, trusted in these tests).
func loginFrom(t *testing.T, url, collection, ip, identity, password string) testutil.Response {
	t.Helper()
	return testutil.DoWith(t, http.MethodPost, url+"/api/collections/"+collection+"/auth-with-password", "",
		map[string]string{"X-Forwarded-For": ip}, map[string]string{"identity": identity, "password": password})
}

// trustForwardedFor makes the app take the client address from
// X-Forwarded-For, as behind a reverse proxy.
func trustForwardedFor(t *testing.T, app core.App) {
	t.Helper()
	s := app.Settings()
	s.TrustedProxy.Headers = []string{"X-Forwarded-For"}
	require.NoError(t, app.Save(s))
}

// signIn is one step of a lockout story.
type signIn struct {
	name     string
	ip       string
	password string
	status   int
}

func runSignIns(t *testing.T, url, collection, identity string, steps []signIn) {
	t.Helper()
	for _, s := range steps {
		r := loginFrom(t, url, collection, s.ip, identity, s.password)
		require.Equal(t, s.status, r.Status, "%s (from %s): %s", s.name, s.ip, r.Body)
	}
}

// repeat is n identical failed steps from ip.
func repeat(n int, name, ip string) []signIn {
	out := make([]signIn, n)
	for i := range out {
		out[i] = signIn{name: fmt.Sprintf("%s #%d", name, i+1), ip: ip, password: "not-the-password", status: http.StatusBadRequest}
	}
	return out
}

// TestLockoutIsPerIdentityAndAddress: guessing a named user's password locks
// the guesser's address, not the user; a distributed guess locks the
// identity everywhere except the addresses it signed in from before.
func TestLockoutIsPerIdentityAndAddress(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	trustForwardedFor(t, app)
	users := testutil.Users(t)
	victim := users[collections.RoleBlueLead]
	r := putPolicy(t, srv.URL, users[collections.RoleAdmin].Token, func(p *security.Policy) {
		p.Lockout = security.Lockout{Threshold: 3, WindowMinutes: 10}
	}, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))

	const home, travel, attacker = "198.51.100.10", "198.51.100.20", "203.0.113.1"
	var steps []signIn
	steps = append(steps, signIn{"the user signs in from home", home, testutil.Password, http.StatusOK})
	steps = append(steps, repeat(3, "attacker guesses", attacker)...)
	steps = append(steps,
		signIn{"the attacker's address is locked, even with the right password", attacker, testutil.Password, http.StatusTooManyRequests},
		signIn{"the user signs in from another address", travel, testutil.Password, http.StatusOK},
		signIn{"and from home", home, testutil.Password, http.StatusOK},
	)
	// A distributed guess: 3 more addresses, 3 failures each (12 in all =
	// 4 × the threshold).
	for i := 2; i <= 4; i++ {
		steps = append(steps, repeat(3, "distributed guess", fmt.Sprintf("203.0.113.%d", i))...)
	}
	steps = append(steps,
		signIn{"a new address is locked out of the identity", "203.0.113.99", testutil.Password, http.StatusTooManyRequests},
		signIn{"so is the user from an address never used", "198.51.100.30", testutil.Password, http.StatusTooManyRequests},
		signIn{"the user's known addresses still sign in", home, testutil.Password, http.StatusOK},
		signIn{"(both of them)", travel, testutil.Password, http.StatusOK},
	)
	runSignIns(t, srv.URL, collections.Users, victim.Email, steps)

	// Another identity is untouched by all of this.
	other := loginFrom(t, srv.URL, collections.Users, "203.0.113.99", users[collections.RoleViewer].Email, testutil.Password)
	assert.Equal(t, http.StatusOK, other.Status, string(other.Body))

	locked, err := app.FindRecordsByFilter(collections.AuditLogs, "action = 'login_locked'", "created", 0, 0)
	require.NoError(t, err)
	require.Len(t, locked, 3)
	scopes := []string{}
	for _, e := range locked {
		// Sign-in details are private: only admins read them.
		var p struct{ Details struct{ Scope string } }
		require.NoError(t, e.UnmarshalJSONField("private", &p))
		scopes = append(scopes, p.Details.Scope)
	}
	assert.Equal(t, []string{"address", "identity", "identity"}, scopes)
}

// TestSuperuserSignInIsLockedOutToo: the dashboard's break-glass accounts
// get the same lockout as users, counted from the audit log.
func TestSuperuserSignInIsLockedOutToo(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	trustForwardedFor(t, app)
	root := testutil.Superuser(t)
	const attacker, admin = "203.0.113.7", "198.51.100.7"
	// The default policy: 5 failures in 15 minutes.
	steps := repeat(security.DefaultPolicy().Lockout.Threshold, "guess", attacker)
	steps = append(steps,
		signIn{"locked, even with the right password", attacker, testutil.Password, http.StatusTooManyRequests},
		signIn{"the superuser signs in from elsewhere", admin, testutil.Password, http.StatusOK},
	)
	runSignIns(t, srv.URL, core.CollectionNameSuperusers, root.Email, steps)

	locked, err := app.FindRecordsByFilter(collections.AuditLogs, "action = 'login_locked' && collection = {:c}", "", 0, 0,
		map[string]any{"c": core.CollectionNameSuperusers})
	require.NoError(t, err)
	require.Len(t, locked, 1)
	assert.Equal(t, "superuser", locked[0].GetString("actor_kind"))
}

// TestPasswordPolicyFromFirstStart: the 10-character minimum and the refusal
// of blank passwords hold on every API path before anyone saves the policy.
func TestPasswordPolicyFromFirstStart(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	admin, viewer := users[collections.RoleAdmin], users[collections.RoleViewer]
	col := srv.URL + "/api/collections/users/records"
	newUser := func(email, password string) map[string]any {
		return map[string]any{"email": email, "password": password, "passwordConfirm": password, "role": collections.RoleViewer}
	}
	selfChange := func(password string) map[string]any {
		return map[string]any{"oldPassword": testutil.Password, "password": password, "passwordConfirm": password}
	}
	blank := strings.Repeat(" ", 10)
	for _, s := range []scenario{
		{name: "admin creates a user with 9 characters", method: http.MethodPost, url: col, token: admin.Token,
			body: newUser("nine@aegis.test", "123456789"), status: http.StatusBadRequest, contains: "at least 10"},
		{name: "admin creates a user with ten spaces", method: http.MethodPost, url: col, token: admin.Token,
			body: newUser("blank@aegis.test", blank), status: http.StatusBadRequest, contains: "only spaces"},
		{name: "admin creates a user with spaces around 6 characters", method: http.MethodPost, url: col, token: admin.Token,
			body: newUser("padded@aegis.test", "  abcdef  "), status: http.StatusOK},
		{name: "user changes their own to 8 characters", method: http.MethodPatch, url: col + "/" + viewer.Id, token: viewer.Token,
			body: selfChange("12345678"), status: http.StatusBadRequest, contains: "at least 10"},
		{name: "user changes their own to ten spaces", method: http.MethodPatch, url: col + "/" + viewer.Id, token: viewer.Token,
			body: selfChange(blank), status: http.StatusBadRequest, contains: "only spaces"},
		{name: "admin sets another user's to 9 characters", method: http.MethodPatch, url: col + "/" + viewer.Id, token: admin.Token,
			body: map[string]any{"password": "123456789", "passwordConfirm": "123456789"}, status: http.StatusBadRequest, contains: "at least 10"},
		{name: "user changes their own to 10 characters", method: http.MethodPatch, url: col + "/" + viewer.Id, token: viewer.Token,
			body: selfChange("0123456789"), status: http.StatusOK},
	} {
		t.Run(s.name, func(t *testing.T) { s.run(t) })
	}
	for _, email := range []string{"nine@aegis.test", "blank@aegis.test"} {
		_, err := app.FindAuthRecordByEmail(collections.Users, email)
		assert.Error(t, err, "%s was created", email)
	}

	// Superusers (dashboard, `aegis superuser upsert`) follow the same policy.
	suCol, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	require.NoError(t, err)
	su := core.NewRecord(suCol)
	su.SetEmail("short@aegis.test")
	su.SetPassword("123456789")
	assert.ErrorContains(t, app.Save(su), "at least 10")

	// A stricter saved policy applies to self-changes too.
	r := putPolicy(t, srv.URL, admin.Token, func(p *security.Policy) { p.PasswordMinLength = 16 }, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	scenario{name: "self change below a saved 16", method: http.MethodPatch, url: col + "/" + users[collections.RoleRedLead].Id,
		token: users[collections.RoleRedLead].Token, body: selfChange("fifteen-chars!!"), status: http.StatusBadRequest, contains: "at least 16"}.run(t)
}

func TestCheckPassword(t *testing.T) {
	p := security.DefaultPolicy()
	for _, c := range []struct {
		name, password string
		ok             bool
	}{
		{"empty", "", false},
		{"ten spaces", "          ", false},
		{"tabs and newlines", "\t\t\t\t\n\n\n\n\r\r", false},
		{"nine", "123456789", false},
		{"ten", "1234567890", true},
		{"ten multi-byte characters", "ééééééééé é", true},
		{"72 characters", strings.Repeat("x", 72), false},
		{"71 characters", strings.Repeat("x", 71), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := p.CheckPassword(c.password)
			assert.Equal(t, c.ok, err == nil, "password accepted: %v", err)
		})
	}
}
