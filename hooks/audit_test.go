package hooks_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// entriesFor is a record's audit entries in the order they were written:
// by time, then by id, the audit log's own order oldest first (two saves
// can share a millisecond; the ids keep their order).
func entriesFor(t *testing.T, app core.App, collection, id string) []*core.Record {
	t.Helper()
	recs, err := app.FindRecordsByFilter(collections.AuditLogs,
		"collection = {:c} && record_id = {:id}", "created,id", 0, 0, dbx.Params{"c": collection, "id": id})
	require.NoError(t, err)
	return recs
}

func countAudit(t *testing.T, app core.App) int {
	t.Helper()
	n, err := app.CountRecords(collections.AuditLogs)
	require.NoError(t, err)
	return int(n)
}

func details(t *testing.T, r *core.Record) map[string]map[string]any {
	t.Helper()
	var d map[string]map[string]any
	require.NoError(t, r.UnmarshalJSONField("details", &d), "details %s", r.GetString("details"))
	return d
}

// TestAuditOrderIsWriteOrder: the audit log's order (time, then id) is the
// order the entries were written in, also for entries that share a
// millisecond (many saves in a tight loop).
func TestAuditOrderIsWriteOrder(t *testing.T) {
	app := testutil.NewApp(t)
	rec := testutil.Save(t, app, collections.DefenseTools, map[string]any{"name": "Order 0", "category": "edr"})
	for i := 1; i <= 60; i++ {
		rec.Set("name", fmt.Sprintf("Order %d", i))
		require.NoError(t, app.Save(rec))
	}
	var byLog, byRow []string
	q := "SELECT id FROM audit_logs WHERE collection = {:c} AND record_id = {:id} ORDER BY "
	p := dbx.Params{"c": collections.DefenseTools, "id": rec.Id}
	require.NoError(t, app.DB().NewQuery(q+"created, id").Bind(p).Column(&byLog))
	require.NoError(t, app.DB().NewQuery(q+"rowid").Bind(p).Column(&byRow))
	require.Len(t, byRow, 61)
	assert.Equal(t, byRow, byLog)
	var shared int
	require.NoError(t, app.DB().NewQuery("SELECT count(*) - count(DISTINCT created) FROM audit_logs WHERE collection = {:c} AND record_id = {:id}").Bind(p).Row(&shared))
	t.Logf("%d of 61 entries shared a millisecond with another", shared)
}

func TestAuditRecordsEachKindOfChangeWithActorAndIP(t *testing.T) {
	s := testutil.NewServer(t)
	ta := s.App
	lead := testutil.Users(t)[collections.RoleBlueLead]
	base := "/api/collections/" + collections.DefenseTools + "/records"

	tool := testutil.Scenario{
		Name: "a blue lead creates a defense tool", Method: http.MethodPost, URL: base, Token: lead.Token,
		Body: map[string]any{"name": "EDR-X", "kind": "edr"}, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"name":"EDR-X"`},
	}.Test(t, s)
	var created struct{ Id string }
	tool.JSON(t, &created)
	s.Run(t,
		testutil.Scenario{
			Name: "and updates it", Method: http.MethodPatch, URL: base + "/" + created.Id, Token: lead.Token,
			Body: map[string]any{"vendor": "Acme"}, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"vendor":"Acme"`},
		},
		testutil.Scenario{
			Name: "and deletes it", Method: http.MethodDelete, URL: base + "/" + created.Id, Token: lead.Token,
			ExpectedStatus: http.StatusNoContent,
		},
	)

	got := entriesFor(t, ta, collections.DefenseTools, created.Id)
	require.Len(t, got, 3, "want 3 entries, got %d", len(got))
	for i, action := range []string{"create", "update", "delete"} {
		e := got[i]
		assert.Equal(t, action, e.GetString("action"), "entry %d: action=%s actor=%s kind=%s ip=%s", i, e.GetString("action"), e.GetString("actor"), e.GetString("actor_kind"), e.GetString("ip"))
		assert.Equal(t, lead.Id, e.GetString("actor"), "entry %d: action=%s actor=%s kind=%s ip=%s", i, e.GetString("action"), e.GetString("actor"), e.GetString("actor_kind"), e.GetString("ip"))
		assert.Equal(t, audit.KindUser, e.GetString("actor_kind"), "entry %d: action=%s actor=%s kind=%s ip=%s", i, e.GetString("action"), e.GetString("actor"), e.GetString("actor_kind"), e.GetString("ip"))
		assert.Equal(t, "127.0.0.1", e.GetString("ip"), "entry %d: action=%s actor=%s kind=%s ip=%s", i, e.GetString("action"), e.GetString("actor"), e.GetString("actor_kind"), e.GetString("ip"))
	}
	onCreate := details(t, got[0])
	assert.Equal(t, "EDR-X", onCreate["name"]["new"], "create details hold the new name: %v", onCreate)
	assert.Equal(t, "edr", onCreate["kind"]["new"], "create details hold the new kind: %v", onCreate)
	d := details(t, got[1])
	assert.False(t, len(d) != 1 || d["vendor"]["old"] != "" || d["vendor"]["new"] != "Acme", "update details should hold only vendor old→new: %v", d)
	onDelete := details(t, got[2])
	assert.Equal(t, "EDR-X", onDelete["name"]["old"], "delete details hold the old name: %v", onDelete)
	assert.Equal(t, "Acme", onDelete["vendor"]["old"], "delete details hold the old vendor: %v", onDelete)
}

func TestAuditAttributesGoChanges(t *testing.T) {
	ta := testutil.NewApp(t)
	col, _ := ta.FindCollectionByNameOrId(collections.DefenseTools)

	sys := core.NewRecord(col)
	sys.Set("name", "by the system")
	require.NoError(t, ta.Save(sys))
	e := entriesFor(t, ta, collections.DefenseTools, sys.Id)
	require.Len(t, e, 1, "Go change without actor should be the system's: %v", e)
	require.Equal(t, audit.KindSystem, e[0].GetString("actor_kind"), "Go change without actor should be the system's: %v", e)

	admin, err := ta.FindRecordById(collections.Users, testutil.Users(t)[collections.RoleAdmin].Id)
	require.NoError(t, err)
	byUser := core.NewRecord(col)
	byUser.Set("name", "on behalf of admin")
	audit.SetActor(byUser, admin)
	require.NoError(t, ta.Save(byUser))
	e = entriesFor(t, ta, collections.DefenseTools, byUser.Id)
	require.Len(t, e, 1, "SetActor not honoured: %v", e)
	require.Equal(t, admin.Id, e[0].GetString("actor"), "SetActor not honoured: %v", e)

	// A transaction bound to an actor attributes everything in it.
	var inTx *core.Record
	err = ta.RunInTransaction(func(txApp core.App) error {
		audit.Bind(txApp, audit.System("nightly job"))
		inTx = core.NewRecord(col)
		inTx.Set("name", "bound")
		return txApp.Save(inTx)
	})
	require.NoError(t, err)
	e = entriesFor(t, ta, collections.DefenseTools, inTx.Id)
	require.Len(t, e, 1, "Bind not honoured: %v", e)
	require.Equal(t, "nightly job", e[0].GetString("actor_name"), "Bind not honoured: %v", e)
}

func TestAuditCascadeKeepsTheActor(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	lead := testutil.Users(t)[collections.RoleRedLead]
	tech := testutil.Save(t, ta, collections.Techniques, map[string]any{"stix_id": "attack-pattern--1", "name": "T", "attack_id": "T0001"})
	camp := testutil.Save(t, ta, collections.Campaigns, map[string]any{"name": "C"})
	test := testutil.Save(t, ta, collections.Tests, map[string]any{"name": "t", "technique": tech.Id, "campaign": camp.Id, "revealed": true})

	r := testutil.Do(t, http.MethodDelete, srv.URL+"/api/collections/campaigns/records/"+camp.Id, lead.Token, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "delete campaign: %d %s", r.Status, r.Body)
	e := entriesFor(t, ta, collections.Tests, test.Id)
	require.Len(t, e, 2, "cascaded test delete should be attributed to the red lead: %d entries", len(e))
	require.Equal(t, "delete", e[1].GetString("action"), "cascaded test delete should be attributed to the red lead: %d entries", len(e))
	require.Equal(t, lead.Id, e[1].GetString("actor"), "cascaded test delete should be attributed to the red lead: %d entries", len(e))
}

func TestAuditFailedChangeLeavesNoEntry(t *testing.T) {
	s := testutil.NewServer(t)
	ta := s.App
	users := testutil.Users(t)
	base := "/api/collections/" + collections.DefenseTools + "/records"
	tool := testutil.Save(t, ta, collections.DefenseTools, map[string]any{"name": "Existing"})
	before := countAudit(t, ta)

	var table []testutil.Scenario
	for _, c := range []struct {
		name, method, url, token string
		body                     any
		status                   int
	}{
		{"invalid create (missing name)", http.MethodPost, base, users["blue_lead"].Token, map[string]any{"kind": "edr"}, http.StatusBadRequest},
		{"duplicate natural key", http.MethodPost, base, users["blue_lead"].Token, map[string]any{"name": "Existing"}, http.StatusBadRequest},
		{"create denied by rule", http.MethodPost, base, users["viewer"].Token, map[string]any{"name": "Nope"}, http.StatusBadRequest},
		{"invalid update", http.MethodPatch, base + "/" + tool.Id, users["blue_lead"].Token, map[string]any{"kind": "toaster"}, http.StatusBadRequest},
		// PocketBase answers 404 to an update or delete its rule refuses.
		{"update denied by rule", http.MethodPatch, base + "/" + tool.Id, users["red_operator"].Token, map[string]any{"vendor": "x"}, http.StatusNotFound},
		{"delete denied by rule", http.MethodDelete, base + "/" + tool.Id, users["viewer"].Token, nil, http.StatusNotFound},
	} {
		table = append(table, testutil.Scenario{
			Name: c.name + " fails", Method: c.method, URL: c.url, Token: c.token, Body: c.body,
			ExpectedStatus: c.status, ExpectedError: true,
		})
	}
	s.Run(t, table...)
	require.Equal(t, before, countAudit(t, ta), "failed changes wrote audit entries")
}

func TestAuditIsAtomicWithTheChange(t *testing.T) {
	ta := testutil.NewApp(t)
	col, _ := ta.FindCollectionByNameOrId(collections.DefenseTools)
	before := countAudit(t, ta)

	// A hook failing after the INSERT (and inside the execute step) must
	// roll back the record and its audit entry.
	failAfterWrite := errors.New("downstream failure")
	id := ta.OnRecordCreateExecute(collections.DefenseTools).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		n, _ := e.App.CountRecords(collections.DefenseTools, dbx.HashExp{"name": "rolled back"})
		assert.Equal(t, int64(1), n, "the row should be visible inside the transaction, saw %d", n)
		return failAfterWrite
	})
	r := core.NewRecord(col)
	r.Set("name", "rolled back")
	require.ErrorIs(t, ta.Save(r), failAfterWrite, "want the hook error, got")
	ta.OnRecordCreateExecute(collections.DefenseTools).Unbind(id)
	n, _ := ta.CountRecords(collections.DefenseTools, dbx.HashExp{"name": "rolled back"})
	require.Equal(t, int64(0), n, "record survived a failed transaction")
	require.Equal(t, before, countAudit(t, ta), "audit entry survived a failed transaction")

	// And a change never lands without its entry: when the entry cannot be
	// written, the change is rolled back too.
	auditFails := errors.New("audit storage failure")
	ta.OnRecordCreate(collections.AuditLogs).BindFunc(func(e *core.RecordEvent) error { return auditFails })
	r2 := core.NewRecord(col)
	r2.Set("name", "unaudited")
	require.ErrorIs(t, ta.Save(r2), auditFails, "want the audit error, got")
	n, _ = ta.CountRecords(collections.DefenseTools, dbx.HashExp{"name": "unaudited"})
	require.Equal(t, int64(0), n, "a change landed without its audit entry")
}

func TestAuditEntriesCannotBeAlteredThroughTheAPI(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	entry := testutil.Save(t, ta, collections.AuditLogs, map[string]any{"action": "create", "actor_kind": "system", "details": map[string]any{"x": 1}})
	base := srv.URL + "/api/collections/" + collections.AuditLogs + "/records"
	callers := map[string]string{"anonymous": "", "superuser": testutil.Superuser(t).Token}
	for role, u := range testutil.Users(t) {
		callers[string(role)] = u.Token
	}
	before := countAudit(t, ta)
	for who, tok := range callers {
		for _, op := range []struct {
			name, method, url string
			body              any
		}{
			{"create", http.MethodPost, base, map[string]any{"action": "login", "actor_kind": "system"}},
			{"update", http.MethodPatch, base + "/" + entry.Id, map[string]any{"action": "tampered"}},
			{"delete", http.MethodDelete, base + "/" + entry.Id, nil},
		} {
			t.Run(who+" may not "+op.name, func(t *testing.T) {
				r := testutil.Do(t, op.method, op.url, tok, op.body)
				assert.GreaterOrEqual(t, r.Status, 400, "%s %s as %s is refused: got %d", op.method, op.url, who, r.Status)
				if who == "superuser" {
					assert.Equal(t, http.StatusForbidden, r.Status, "a superuser %s is refused with 403: %s", op.method, r.Body)
					assert.Contains(t, string(r.Body), "append-only", "a superuser %s is told the log is append-only", op.method)
				}
			})
		}
	}
	// Batch requests go through the same guards.
	r := testutil.Do(t, http.MethodPost, srv.URL+"/api/batch", testutil.Superuser(t).Token, map[string]any{
		"requests": []map[string]any{{"method": "DELETE", "url": "/api/collections/audit_logs/records/" + entry.Id}}})
	assert.GreaterOrEqual(t, r.Status, 400, "batch delete of an audit entry: %d", r.Status)
	got, err := ta.FindRecordById(collections.AuditLogs, entry.Id)
	require.NoError(t, err, "entry changed or gone")
	require.Equal(t, "create", got.GetString("action"), "entry changed or gone: %v", err)
	require.Equal(t, before, countAudit(t, ta), "an audit entry was created through the API")
}

func TestAuditEntriesCannotBeAlteredFromGo(t *testing.T) {
	ta := testutil.NewApp(t)
	entry := testutil.Save(t, ta, collections.AuditLogs, map[string]any{"action": "create", "actor_kind": "system"})
	entry.Set("action", "tampered")
	assert.Error(t, ta.Save(entry), "model-level update of an audit entry succeeded")
	assert.Error(t, ta.Delete(entry), "model-level delete of an audit entry succeeded")
}

func TestAuditLogins(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	viewer := testutil.Users(t)[collections.RoleViewer]
	auth := srv.URL + "/api/collections/users/auth-with-password"

	ok := testutil.Do(t, http.MethodPost, auth, "", map[string]any{"identity": viewer.Email, "password": testutil.Password})
	require.Equal(t, http.StatusOK, ok.Status, "login: %d %s", ok.Status, ok.Body)
	bad := testutil.Do(t, http.MethodPost, auth, "", map[string]any{"identity": viewer.Email, "password": "wrong-password!"})
	unknown := testutil.Do(t, http.MethodPost, auth, "", map[string]any{"identity": "ghost@aegis.test", "password": "whatever-123"})
	require.Equal(t, http.StatusBadRequest, bad.Status, "failed logins: %d %d", bad.Status, unknown.Status)
	require.Equal(t, http.StatusBadRequest, unknown.Status, "failed logins: %d %d", bad.Status, unknown.Status)
	// An inactive user is refused and the attempt recorded.
	u, _ := ta.FindRecordById(collections.Users, viewer.Id)
	u.Set("active", false)
	require.NoError(t, ta.Save(u))
	inactive := testutil.Do(t, http.MethodPost, auth, "", map[string]any{"identity": viewer.Email, "password": testutil.Password})
	require.GreaterOrEqual(t, inactive.Status, 400, "inactive user logged in: %d", inactive.Status)
	// Superusers are audited as well.
	su := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/_superusers/auth-with-password", "",
		map[string]any{"identity": testutil.Superuser(t).Email, "password": testutil.Password})
	require.Equal(t, http.StatusOK, su.Status, "superuser login: %d", su.Status)

	recs, err := ta.FindRecordsByFilter(collections.AuditLogs, "action = 'login' || action = 'login_failed'", "created", 0, 0)
	require.NoError(t, err)
	type row struct{ action, actor, kind, identity string }
	var got []row
	for _, r := range recs {
		// The typed identity is private: it is kept out of the filterable
		// details, in the hidden private field.
		var d struct{ Identity string }
		var p audit.Private
		_ = r.UnmarshalJSONField("private", &p)
		if p.Details != nil {
			d.Identity, _ = p.Details["identity"].(string)
		}
		got = append(got, row{r.GetString("action"), r.GetString("actor"), r.GetString("actor_kind"), d.Identity})
	}
	want := []row{
		{"login", viewer.Id, "user", ""},
		{"login_failed", viewer.Id, "user", viewer.Email},
		{"login_failed", "", "user", "ghost@aegis.test"},
		{"login_failed", viewer.Id, "user", viewer.Email},
		{"login", testutil.Superuser(t).Id, "superuser", ""},
	}
	require.Len(t, got, len(want), "login entries: got %v want %v", got, want)
	for i := range want {
		assert.Equal(t, want[i], got[i], "login entry %d", i)
	}
}

func TestAuditHidesPrivateDataFromNonAdmins(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	// The admin changes something: the entry carries the admin's IP.
	r := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/defense_tools/records", users["admin"].Token, map[string]any{"name": "X"})
	require.Equal(t, http.StatusOK, r.Status, "the admin creates a defense tool: %s", r.Body)
	// A failed login exposes the identity that was typed.
	testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "typo-password-in-identity", "password": "whatever-123"})

	type page struct{ Items []map[string]any }
	list := func(token string) []map[string]any {
		r := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/audit_logs/records?perPage=200", token, nil)
		require.Equal(t, http.StatusOK, r.Status, "list audit: %d %s", r.Status, r.Body)
		var p page
		r.JSON(t, &p)
		return p.Items
	}
	for _, it := range list(users["viewer"].Token) {
		_, ok := it["ip"]
		assert.False(t, ok, "viewer sees an ip on %v entry by %v", it["action"], it["actor"])
		assert.False(t, it["action"] == "login_failed" && (it["details"] != nil || it["actor_name"] != nil), "viewer sees a failed login's identity: %v", it)
	}
	sawIP := false
	for _, it := range list(users["admin"].Token) {
		if it["ip"] == "127.0.0.1" {
			sawIP = true
		}
	}
	assert.True(t, sawIP, "admin should see IPs")
	// Filtering on the hidden ip is refused to non-superusers: nothing matches.
	r = testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/audit_logs/records?filter="+
		"ip%3D'127.0.0.1'", users["viewer"].Token, nil)
	assert.False(t, r.Status == http.StatusOK && strings.Contains(string(r.Body), `"action"`), "viewer could filter on ip: %s", r.Body)
}

// Keep the tests package honest about using the PocketBase test app type.
var _ *tests.TestApp
