package workflow_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// auditCase is one request against the audit trail and what a role must (or
// must not) read in the answer.
type auditCase struct {
	name       string
	method     string
	path       string
	role       c.Role
	wantStatus int
	contains   []string
	absent     []string
}

func (e *env) runAuditCases(t *testing.T, cases []auditCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.Do(tc.method, tc.path, tc.role, nil)
			require.Equal(t, tc.wantStatus, res.Status, "%s %s as %s: %s", tc.method, tc.path, tc.role, clipBody(res.Body))
			for _, s := range tc.contains {
				assert.Contains(t, string(res.Body), s, "%s as %s", tc.path, tc.role)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, string(res.Body), s, "%s as %s", tc.path, tc.role)
			}
		})
	}
}

func clipBody(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// TestBlindTestAuditFollowsTestVisibility: the audit trail of an unrevealed
// blind test, and of everything hung on it, is hidden from blue roles in the
// records API (list, filter, view), realtime and the CSV export, and shows
// up once the test is revealed.
func TestBlindTestAuditFollowsTestVisibility(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1003.001", nil)
	blind := e.campaign("blind", true)
	open := e.campaign("open", false)
	hidden := e.newTest(tech, blind)
	visible := e.newTest(tech, open)
	require.False(t, hidden.GetBool("revealed"))

	// A red lead names the hidden test and writes its procedure; red and
	// blue hang things on it. Every change is audited.
	const secretName, secretProc, secretComment = "Operation NIGHTJAR", "dump lsass with procdump-NIGHTJAR", "NIGHTJAR went fine"
	res := e.Do("PATCH", "/api/collections/tests/records/"+hidden.Id, c.RoleRedLead,
		map[string]any{"name": secretName, "procedure": secretProc, "red_assignee": e.Users[c.RoleRedOperator].Id})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = e.Do("POST", "/api/collections/test_comments/records", c.RoleRedLead,
		map[string]any{"test": hidden.Id, "author": e.Users[c.RoleRedLead].Id, "body": secretComment})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	tool := e.Save(c.DefenseTools, map[string]any{"name": "EDR", "kind": "edr"})
	outcome := e.Save(c.TestOutcomes, map[string]any{"test": hidden.Id, "defense_tool": tool.Id, "prevention": "blocked", "detection": "none"})
	f, err := filesystem.NewFileFromBytes([]byte("red notes"), "nightjar-notes.txt")
	require.NoError(t, err)
	ev := e.Save(c.Evidence, map[string]any{"test": hidden.Id, "team": "red", "file": f, "filename": "nightjar-notes.txt"})
	finding := e.Save(c.Findings, map[string]any{"test": hidden.Id, "technique": tech.Id, "title": "NIGHTJAR finding"})
	res = e.Do("PATCH", "/api/collections/tests/records/"+visible.Id, c.RoleRedLead, map[string]any{"name": "Operation OPENDAY"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))

	// One entry about the hidden test itself, to view by id.
	entries, err := e.App.FindRecordsByFilter(c.AuditLogs, "record_id = {:id}", "created", 0, 0, map[string]any{"id": hidden.Id})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	hiddenEntry := entries[0].Id

	list := "/api/collections/audit_logs/records?perPage=500"
	byRecord := "/api/collections/audit_logs/records?filter=" + url.QueryEscape("record_id='"+hidden.Id+"'")
	byTest := "/api/collections/audit_logs/records?filter=" + url.QueryEscape("test='"+hidden.Id+"'")
	view := "/api/collections/audit_logs/records/" + hiddenEntry
	export := "/api/aegis/export/audit.csv"
	secrets := []string{secretName, secretProc, secretComment, "nightjar-notes.txt", "NIGHTJAR finding", hidden.Id}
	var cases []auditCase
	for _, role := range []c.Role{c.RoleBlueAnalyst, c.RoleBlueLead} {
		cases = append(cases,
			auditCase{"list/" + string(role), "GET", list, role, 200, []string{"Operation OPENDAY"}, secrets},
			auditCase{"filter record_id/" + string(role), "GET", byRecord, role, 200, []string{`"totalItems":0`}, secrets},
			auditCase{"filter test/" + string(role), "GET", byTest, role, 200, []string{`"totalItems":0`}, secrets},
			auditCase{"view/" + string(role), "GET", view, role, 404, nil, secrets},
			auditCase{"export/" + string(role), "GET", export, role, 200, []string{"Operation OPENDAY"}, secrets},
		)
	}
	for _, role := range []c.Role{c.RoleRedLead, c.RoleRedOperator, c.RoleViewer, c.RoleAdmin} {
		cases = append(cases,
			auditCase{"list/" + string(role), "GET", list, role, 200, secrets, nil},
			auditCase{"view/" + string(role), "GET", view, role, 200, []string{hidden.Id}, nil},
			auditCase{"export/" + string(role), "GET", export, role, 200, secrets, nil},
		)
	}
	t.Run("hidden", func(t *testing.T) { e.runAuditCases(t, cases) })
	for _, child := range []string{outcome.Id, ev.Id, finding.Id} {
		n := e.count(c.AuditLogs, "record_id = {:id} AND test = {:t} AND revealed = false", map[string]any{"id": child, "t": hidden.Id})
		assert.Equal(t, 1, n, "entry about %s is linked to the hidden test", child)
	}

	// Realtime: blue subscribed to audit_logs/* hears about the visible
	// test, never about the hidden one; the red lead hears both.
	blue := testutil.Subscribe(t, e.URL, e.Users[c.RoleBlueAnalyst].Token, "audit_logs/*", "audit_logs/"+hiddenEntry)
	lead := testutil.Subscribe(t, e.URL, e.Users[c.RoleRedLead].Token, "audit_logs/*")
	e.MustTransition(hidden.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.Users[c.RoleRedOperator].Id})
	res = e.Do("PATCH", "/api/collections/tests/records/"+hidden.Id, c.RoleRedLead, map[string]any{"procedure": secretProc + " v2"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = e.Do("POST", "/api/collections/test_comments/records", c.RoleRedOperator,
		map[string]any{"test": hidden.Id, "author": e.Users[c.RoleRedOperator].Id, "body": "NIGHTJAR ran at 02:00"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	e.MustTransition(visible.Id, c.RoleRedLead, "approve", map[string]any{"red_assignee": e.Users[c.RoleRedOperator].Id})

	auditEvents := func(rt *testutil.Realtime, until string) []string {
		var got []string
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			ev, ok := rt.Next(time.Until(deadline))
			if !ok {
				break
			}
			var d struct {
				Record struct {
					RecordID string `json:"record_id"`
				}
			}
			require.NoError(t, json.Unmarshal([]byte(ev.Data), &d))
			got = append(got, ev.Data)
			if d.Record.RecordID == until {
				break
			}
		}
		return got
	}
	blueSaw := strings.Join(auditEvents(blue, visible.Id), "\n")
	assert.Contains(t, blueSaw, visible.Id, "blue hears about the visible test")
	assert.NotContains(t, blueSaw, hidden.Id, "blue must not hear about the hidden test")
	assert.NotContains(t, blueSaw, "NIGHTJAR")
	leadSaw := strings.Join(auditEvents(lead, visible.Id), "\n")
	assert.Contains(t, leadSaw, hidden.Id, "the red lead hears about the hidden test")

	// Revealing shows the whole history to blue, everywhere.
	e.MustTransition(hidden.Id, c.RoleRedLead, "reveal", nil)
	assert.Zero(t, e.count(c.AuditLogs, "test = {:t} AND revealed = false", map[string]any{"t": hidden.Id}))
	var after []auditCase
	for _, role := range []c.Role{c.RoleBlueAnalyst, c.RoleBlueLead} {
		after = append(after,
			auditCase{"list/" + string(role), "GET", list, role, 200, secrets, nil},
			auditCase{"filter record_id/" + string(role), "GET", byRecord, role, 200, []string{hidden.Id}, []string{`"totalItems":0`}},
			auditCase{"view/" + string(role), "GET", view, role, 200, []string{hidden.Id}, nil},
			auditCase{"export/" + string(role), "GET", export, role, 200, secrets, nil},
		)
	}
	t.Run("revealed", func(t *testing.T) { e.runAuditCases(t, after) })
}
