// Command pagebench replays what each page of the SPA requests (the same
// paths and query strings: sort, filter, expand, perPage, skipTotal) against
// the real binary on loopback, signed in as each role, at the demo sizes
// small, large and xl, and prints the growth table: p50/p95 of each page per
// size, the slope from large to xl, and the ratio of each page to
// PocketBase's plain unfiltered list of the same collection (the floor,
// measured in the same run as a superuser: no rule, no sort, no expand).
//
// A page's time is the sum of its requests issued one after the other by a
// single client (an upper bound of what the browser waits for, since it
// issues them together). The slowest role is reported per page.
//
//	go build -o bin/aegis . && go run ./tools/pagebench -bundle ../shared/data/attack/enterprise-attack-18.1.json.gz
//
// Data dirs are prepared once under -work (import + demo) and reused.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/aegis-sec/aegis/collections"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// page is one SPA page: the requests it sends on open and the collection
// of its main list (for the floor).
type page struct {
	name  string
	floor string   // collection of the main list; "" for none
	per   int      // perPage of the main list
	reqs  []string // paths, with {fw}, {tech}, {campaign}, {me} filled in
}

const (
	testExpand = "technique,campaign,red_assignee,blue_assignee"
	deepTests  = 200 // a deep page of the Tests list (5,000 rows in), by cursor
	deepAudit  = 100

	findingsPerColumn = 25 // FINDINGS_PAGE
	skipPrefix        = "skip:"
)

func list(col string, q url.Values) string {
	return "/api/collections/" + col + "/records?" + q.Encode()
}

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// full is the SDK's getFullList: pages of batch with skipTotal.
func full(col string, batch int, kv ...string) string {
	v := vals(kv...)
	v.Set("page", "1")
	v.Set("perPage", fmt.Sprint(batch))
	v.Set("skipTotal", "1")
	return list(col, v)
}

var allRoles = collections.RoleNames()

// pages is every page measured, in the order of the table.
func pages() []page {
	return slices.Concat(overviewPages(), testPages(), workPages(), contentPages(), auditPages(), listPages())
}

// The Tests page and the Audit log page by cursor (ui/src/lib/cursor.ts):
// one row more than the page shows, no total, the cursor as a filter; the
// Tests page's total comes from /api/aegis/tests/total (no filter or the
// state alone) and a free-text search shows none.
const (
	testsAfter = "updated <= '{tests_at}' && (updated < '{tests_at}' || (updated = '{tests_at}' && id < '{tests_id}'))"
	auditAfter = "created <= '{audit_at}' && (created < '{audit_at}' || (created = '{audit_at}' && id < '{audit_id}'))"
)

// andFilter joins two filters with && ("" is no filter).
func andFilter(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return "(" + a + ") && " + b
}

// auditList is the Audit log page's list, narrowed by filter when set.
func auditList(filter string) string {
	v := vals("page", "1", "perPage", "51", "sort", "-created,-id", "skipTotal", "1")
	if filter != "" {
		v.Set("filter", filter)
	}
	return list("audit_logs", v)
}

// testsList is the Tests page's list, narrowed by filter when set.
func testsList(filter string) string {
	v := vals("page", "1", "perPage", "26", "sort", "-updated,-id", "expand", testExpand, "skipTotal", "1")
	if filter != "" {
		v.Set("filter", filter)
	}
	return list("tests", v)
}

// techSearch is the Tests page's lookup of the techniques a term matches.
func techSearch(q string) string {
	return list("techniques", vals("page", "1", "perPage", "51", "filter", "attack_id ~ '"+q+"' || name ~ '"+q+"'", "fields", "id", "skipTotal", "1"))
}

// overviewPages are the Dashboard and the Matrix.
func overviewPages() []page {
	return []page{
		{name: "Dashboard", floor: "audit_logs", per: 12, reqs: []string{"/api/aegis/metrics", "/api/aegis/coverage/gaps?limit=8",
			list("audit_logs", vals("page", "1", "perPage", "12", "sort", "-created,-id", "skipTotal", "1"))}},
		{name: "Matrix", floor: "techniques", per: 1000, reqs: []string{
			full("tactics", 1000, "filter", "domain = 'enterprise-attack'", "sort", "matrix_order"),
			"/api/aegis/coverage/techniques?domain=enterprise-attack",
			"/api/aegis/coverage/matrix?domain=enterprise-attack",
			campaignNames,
			"/api/aegis/coverage/actors",
			full("attack_campaigns", 1000, "fields", "id,attack_id,name,techniques", "sort", "attack_id", "filter", "revoked = false")}},
	}
}

// testPages are the Tests page: first, filtered, searched and by cursor.
func testPages() []page {
	return []page{
		{name: "Tests", floor: "tests", per: 25, reqs: []string{testsList(""), "/api/aegis/tests/total"}},
		{name: "Tests, state filter", floor: "tests", per: 25, reqs: []string{testsList("state = '" + collections.StateValidated + "'"), "/api/aegis/tests/total?state=validated"}},
		// The search first lists the techniques the term matches, then filters
		// the tests by name or by those technique ids (searchFilter in Tests.tsx).
		{name: "Tests, search", floor: "tests", per: 25, reqs: []string{techSearch("T1059"), testsList("(name ~ 'T1059'{T1059})")}},
		{name: "Tests, search for a rare term", floor: "tests", per: 25, reqs: []string{ // 160 of 200k tests at xl
			techSearch("Spearphishing Voice"), testsList("(name ~ 'Spearphishing Voice'{Spearphishing Voice})")}},
		{name: fmt.Sprintf("Tests, cursor %d rows in", deepTests*25), floor: "tests", per: 25, reqs: []string{testsList(testsAfter), "/api/aegis/tests/total"}},
		{name: "Tests, previous by cursor", floor: "tests", per: 25, reqs: []string{
			list("tests", vals("page", "1", "perPage", "26", "sort", "updated,id", "expand", testExpand, "skipTotal", "1",
				"filter", "updated >= '{tests_at}' && (updated > '{tests_at}' || (updated = '{tests_at}' && id > '{tests_id}'))")), "/api/aegis/tests/total"}},
	}
}

// What the Board, Campaign and Findings pages ask for (ui/src/pages/work/Board.tsx,
// Campaign.tsx, content/Findings.tsx, lib/refs.ts): one page of rows, the
// technique and user names once (refs) rather than expanded per row.
const (
	campaignTestFields = "id,name,technique,technique_attack_id,state,prevention,detection,expand.technique.attack_id,expand.technique.name"
	findingFields      = "id,title,severity,status,owner,due_at,test,technique,created,expand.test.name"
)

// campaignNames is the campaign menus' list (ui/src/lib/campaigns.ts).
const campaignNames = "/api/aegis/campaigns/names"

// findingColumns are the Findings board's columns and their filters
// (ui/src/lib/findings.ts, columnFilter in content/Findings.tsx).
var findingColumns = []struct{ status, filter string }{
	{collections.FindingOpen, "(status = 'open' || status = '')"}, {collections.FindingInProgress, "status = 'in_progress'"},
	{collections.FindingResolved, "status = 'resolved'"}, {collections.FindingRiskAccepted, "status = 'risk_accepted'"},
}

// findingBoard is the Findings board's read: the newest findings for every
// column at once (splitBoard), then each column that read left short on
// its own; {short:<status>} expands to skipPrefix for a column the first
// read filled (fillBoard).
func findingBoard() []string {
	reqs := []string{list("findings", vals("page", "1", "perPage", fmt.Sprint(findingsPerColumn*len(findingColumns)), "sort", "-created", "expand", "test",
		"fields", findingFields, "skipTotal", "1"))}
	for _, col := range findingColumns {
		reqs = append(reqs, "{short:"+col.status+"}"+list("findings", vals("page", "1", "perPage", fmt.Sprint(findingsPerColumn), "filter", col.filter, "sort", "-created", "expand", "test",
			"fields", findingFields, "skipTotal", "1")))
	}
	return reqs
}

// workPages are the Board, Campaigns, a Campaign and the Findings.
func workPages() []page {
	refs := []string{"/api/aegis/coverage/techniques?domain=any&retired=1", full("users", 1000, "fields", "id,name,email")}
	return []page{
		{name: "Board", floor: "tests", per: 100, reqs: append([]string{
			campaignNames,
			list("tests", vals("page", "1", "perPage", "100", "filter", "state != '"+collections.StateCancelled+"'", "sort", "-updated", "skipTotal", "1"))}, refs...)},
		{name: "Campaigns", floor: "campaigns", per: 25, reqs: []string{
			list("campaigns", vals("page", "1", "perPage", "25", "sort", "-created", "expand", "threat_actor,owner"))}},
		{name: "Campaign", floor: "tests", per: 50, reqs: []string{"/api/collections/campaigns/records/{campaign}?expand=threat_actor%2Cowner%2Cattack_campaign",
			"/api/aegis/campaigns/{campaign}/progress",
			list("tests", vals("page", "1", "perPage", "50", "filter", "campaign = '{campaign}'", "sort", "name", "expand", "technique", "fields", campaignTestFields))}},
		{name: "Findings", floor: "findings", per: findingsPerColumn * len(findingColumns), reqs: append(findingBoard(), refs...)},
	}
}

// contentPages are the Rules, Compliance, Gaps, a Technique and Reports.
func contentPages() []page {
	return []page{
		{name: "Rules", floor: "detection_rules", per: 50, reqs: []string{
			list("detection_rules", vals("page", "1", "perPage", "50", "filter", "removed = false", "sort", "title", "expand", "techniques", "skipTotal", "1",
				"fields", "id,source,source_rule_id,title,status,severity,techniques,enabled,removed,updated,expand.techniques.attack_id,expand.techniques.name"))}},
		{name: "Compliance", floor: "compliance_controls", per: 50, reqs: []string{
			full("compliance_frameworks", 1000, "sort", "name"),
			list("compliance_controls", vals("page", "1", "perPage", "50", "filter", "framework = '{fw}'", "sort", "control_id", "expand", "owner", "skipTotal", "1"))}},
		{name: "Gaps", floor: "", reqs: []string{full("compliance_frameworks", 1000, "sort", "name"), "/api/aegis/coverage/control-gaps/{fw}?limit=200"}},
		{name: "Technique", floor: "tests", per: 1, reqs: []string{
			list("techniques", vals("page", "1", "perPage", "1", "filter", "attack_id = 'T1059' || id = 'T1059'", "sort", "revoked,deprecated",
				"expand", "tactics,parent,revoked_by,data_components")),
			full("techniques", 1000, "filter", "parent = '{tech}'", "sort", "attack_id", "fields", "id,attack_id,name,revoked,deprecated"),
			full("mitigations", 1000, "filter", "techniques ~ '{tech}'", "sort", "attack_id", "fields", "id,attack_id,name,description"),
			full("actor_techniques", 500, "filter", "technique = '{tech}'", "expand", "actor", "fields", "id,procedure,expand.actor.id,expand.actor.name"),
			full("detection_strategies", 1000, "filter", "techniques ~ '{tech}'", "fields", "id,attack_id,name"),
			"/api/aegis/coverage/techniques/T1059"}},
		{name: "Reports", floor: "coverage_snapshots", per: 200, reqs: []string{"/api/aegis/trends", campaignNames}},
	}
}

// auditPages are the Audit log: first, by cursor, narrowed and sorted.
func auditPages() []page {
	return []page{
		{name: "Audit log", floor: "audit_logs", per: 50, reqs: []string{auditList("")}},
		{name: fmt.Sprintf("Audit log, cursor %d rows in", deepAudit*50), floor: "audit_logs", per: 50, reqs: []string{auditList(auditAfter)}},
		// One collection that the demo's history holds at every size. A filter
		// that matches nothing ("findings": the demo writes no such entries)
		// measures PocketBase's randomized 0–500 ms throttle of empty filtered
		// lists (more than 3 in 3 s per collection and client), not the query:
		// kept apart as "no match".
		{name: "Audit log, one collection", floor: "audit_logs", per: 50, reqs: []string{auditList("collection = 'users'")}},
		{name: "Audit log, one collection by cursor", floor: "audit_logs", per: 50, reqs: []string{auditList(andFilter("collection = 'users'", auditAfter))}},
		{name: "Audit log, no match", floor: "audit_logs", per: 50, reqs: []string{auditList("collection = 'findings'")}},
		{name: "Audit log, sorted by actor", floor: "audit_logs", per: 50, reqs: []string{
			list("audit_logs", vals("page", "1", "perPage", "51", "sort", "actor_name,created,id", "skipTotal", "1"))}},
		{name: "Audit log, sorted by collection", floor: "audit_logs", per: 50, reqs: []string{
			list("audit_logs", vals("page", "1", "perPage", "51", "sort", "-collection,-created,-id", "skipTotal", "1"))}},
	}
}

// listPages are the Notifications, the Library and the Users.
func listPages() []page {
	return []page{
		{name: "Notifications", floor: "notifications", per: 25, reqs: []string{
			list("notifications", vals("page", "1", "perPage", "25", "sort", "-created,-id", "skipTotal", "1"))}},
		{name: "Library", floor: "test_templates", per: 30, reqs: []string{
			list("test_templates", vals("page", "1", "perPage", "30", "sort", "technique_attack_id,name", "expand", "technique", "skipTotal", "1"))}},
		{name: "Users", floor: "users", per: 20, reqs: []string{list("users", vals("page", "1", "perPage", "20", "sort", "name,email"))}},
	}
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p*float64(len(s)-1) + 0.5)
	return s[i]
}

type client struct {
	base string
	http *http.Client
}

func (c *client) get(token, path string) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Accept-Encoding", "gzip")
	t0 := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return d, fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return d, nil
}

func (c *client) post(path, token string, body any, out any) error {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	if path == "/api/settings" {
		req.Method = http.MethodPatch
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", req.Method, path, res.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c *client) signIn(col, email, pw string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	err := c.post("/api/collections/"+col+"/auth-with-password", "", map[string]string{"identity": email, "password": pw}, &out)
	return out.Token, err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func run(bin string, args ...string) error {
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, out)
	}
	return nil
}

// prepare makes (once) the data dir of size under work.
func prepare(bin, bundle, work, size string) (string, error) {
	dir := filepath.Join(work, size)
	if _, err := os.Stat(filepath.Join(dir, "data.db")); err == nil {
		return dir, nil
	}
	if bundle == "" {
		return "", errors.New("no data dir for " + size + " and no -bundle to make one")
	}
	t0 := time.Now()
	if err := run(bin, "import", "attack", bundle, "--dir", dir, "--json"); err != nil {
		return "", err
	}
	if err := run(bin, "demo", "--size", size, "--dir", dir, "--json"); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "prepared %s in %.1fs\n", dir, time.Since(t0).Seconds())
	return dir, nil
}

type result struct {
	Page  string                        `json:"page"`
	Sizes map[string]map[string]float64 `json:"sizes"` // size → p50, p95, floor_p50, role_p95 …
	Worst map[string]string             `json:"worst"` // size → slowest role
	// Errors holds the first failure of the page, if any.
	Errors map[string]string `json:"errors,omitempty"`
}

const (
	suEmail = "ops@pagebench.local"
	suPass  = "pagebench-password-1"
)

// measure serves the data dir dir with bin and times each page (those whose
// name contains only, when set) n times per role after a warm-up, with the
// floor of its main list.
func measure(bin, dir string, n int, roles []string, only string) (map[string]*result, error) {
	if err := run(bin, "superuser", "upsert", suEmail, suPass, "--dir", dir); err != nil {
		return nil, err
	}
	srv, c, err := serve(bin, dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	su, err := c.superuser()
	if err != nil {
		return nil, err
	}
	fill, err := c.placeholders(su)
	if err != nil {
		return nil, err
	}
	tokens, err := c.signInRoles(roles)
	if err != nil {
		return nil, err
	}
	expand := func(p string) string {
		for k, v := range fill {
			p = strings.ReplaceAll(p, k, v)
			p = strings.ReplaceAll(p, url.QueryEscape(k), url.QueryEscape(v))
		}
		return p
	}
	// The first matrix request loads the model: not a page's cost.
	if _, err := c.get(tokens[roles[0]], "/api/aegis/coverage/matrix?domain=enterprise-attack"); err != nil {
		return nil, err
	}
	time.Sleep(time.Second)
	fmt.Fprintf(os.Stderr, "  server RSS with the model loaded: %s\n", rss(srv.Process.Pid))
	defer func() { fmt.Fprintf(os.Stderr, "  server RSS after the pages: %s\n", rss(srv.Process.Pid)) }()
	out := map[string]*result{}
	for _, pg := range pages() {
		if only != "" && !strings.Contains(strings.ToLower(pg.name), strings.ToLower(only)) {
			continue
		}
		r, err := c.timePage(pg, n, roles, tokens, su, expand)
		if err != nil {
			return nil, err
		}
		out[pg.name] = r
		m := r.Sizes["_"]
		fmt.Fprintf(os.Stderr, "  %-26s p50 %7.1f ms  p95 %7.1f ms  (%s)  floor %6.1f ms\n", pg.name, m["p50"], m["p95"], r.Worst["_"], m["floor_p50"])
	}
	return out, nil
}

// serve starts bin serving dir on a free loopback port and waits until it
// answers its health check; the caller stops it.
func serve(bin, dir string) (*exec.Cmd, *client, error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	srv := exec.Command(bin, "serve", "--http", fmt.Sprintf("127.0.0.1:%d", port), "--dir", dir)
	if err := srv.Start(); err != nil {
		return nil, nil, err
	}
	c := &client{base: fmt.Sprintf("http://127.0.0.1:%d", port), http: &http.Client{Timeout: 60 * time.Second}}
	for i := 0; ; i++ {
		if _, err := c.get("", "/api/health"); err == nil {
			return srv, c, nil
		}
		if i > 600 {
			_ = srv.Process.Kill()
			_ = srv.Wait()
			return nil, nil, errors.New("server did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// superuser signs in as the bench's superuser and turns the rate limits
// off; it returns the superuser's token.
func (c *client) superuser() (string, error) {
	su, err := c.signIn("_superusers", suEmail, suPass)
	if err != nil {
		return "", err
	}
	if err := c.post("/api/settings", su, map[string]any{"rateLimits": map[string]any{"enabled": false}}, nil); err != nil {
		return "", err
	}
	return su, nil
}

// signInRoles signs in the first demo user of each role: role → token.
func (c *client) signInRoles(roles []string) (map[string]string, error) {
	tokens := map[string]string{}
	for _, r := range roles {
		t, err := c.signIn("users", strings.ReplaceAll(r, "_", ".")+"1@demo.aegis.local", "aegis-demo-password")
		if err != nil {
			return nil, fmt.Errorf("sign in %s: %w", r, err)
		}
		tokens[r] = t
	}
	return tokens, nil
}

// getJSON gets path as token and decodes its JSON answer into out: err is
// the request's failure, decodeErr the answer's.
func (c *client) getJSON(token, path string, out any) (decodeErr, err error) {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", token)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(out), nil
}

// idList is a list answer read for its record ids only.
type idList struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// placeholders reads, as the superuser su, the values of the placeholders
// the pages' paths hold: the records the pages are opened on, the cursors
// of the deep pages and the techniques the search terms match.
func (c *client) placeholders(su string) (map[string]string, error) {
	fill := map[string]string{}
	for _, step := range []func(string, map[string]string) error{c.fillRecords, c.fillCursors, c.fillSearches, c.fillBoard} {
		if err := step(su, fill); err != nil {
			return nil, err
		}
	}
	return fill, nil
}

// fillRecords sets {fw}, {tech} and {campaign}: the identifiers the pages
// are opened on.
func (c *client) fillRecords(su string, fill map[string]string) error {
	for key, path := range map[string]string{
		"{fw}":       list("compliance_frameworks", vals("perPage", "1", "sort", "name", "skipTotal", "1")),
		"{tech}":     list("techniques", vals("perPage", "1", "filter", "attack_id = 'T1059'", "skipTotal", "1")),
		"{campaign}": list("campaigns", vals("perPage", "1", "sort", "-created", "filter", "status = '"+collections.CampaignActive+"'", "skipTotal", "1")),
	} {
		var ids idList
		decodeErr, err := c.getJSON(su, path, &ids)
		if err != nil {
			return err
		}
		if decodeErr != nil || len(ids.Items) == 0 {
			return fmt.Errorf("no record for %s", key)
		}
		fill[key] = ids.Items[0].ID
	}
	return nil
}

// fillCursors sets the cursors of the deep pages: the row deepTests*25
// (deepAudit*50) rows into each list, where the UI's Next leaves a reader
// after that many pages, or the last row of a shorter list.
func (c *client) fillCursors(su string, fill map[string]string) error {
	for _, cur := range []struct{ at, id, col, field string }{
		{"{tests_at}", "{tests_id}", "tests", "updated"},
		{"{audit_at}", "{audit_id}", "audit_logs", "created"},
	} {
		deep := deepTests * 25
		if cur.col == "audit_logs" {
			deep = deepAudit * 50
		}
		row := func(page int, sort string) string {
			return list(cur.col, vals("page", fmt.Sprint(page), "perPage", "1", "sort", sort, "skipTotal", "1", "fields", "id,"+cur.field))
		}
		var rows struct {
			Items []map[string]any `json:"items"`
		}
		decodeErr, err := c.getJSON(su, row(deep, "-"+cur.field+",-id"), &rows)
		if err == nil && decodeErr == nil && len(rows.Items) == 0 {
			// A small organisation has fewer rows: the cursor of its last
			// row (the oldest), where Next ends.
			decodeErr, err = c.getJSON(su, row(1, cur.field+",id"), &rows)
		}
		if err != nil {
			return err
		}
		if decodeErr != nil || len(rows.Items) == 0 {
			return fmt.Errorf("no row for the cursor %s", cur.at)
		}
		fill[cur.at], fill[cur.id] = fmt.Sprint(rows.Items[0][cur.field]), fmt.Sprint(rows.Items[0]["id"])
	}
	return nil
}

// fillSearches sets {term} for each search term to the technique ids it
// matches: " || technique = '…'" each.
func (c *client) fillSearches(su string, fill map[string]string) error {
	for _, term := range []string{"T1059", "Spearphishing Voice"} {
		var ids idList
		decodeErr, err := c.getJSON(su, list("techniques", vals("perPage", "51", "filter", "attack_id ~ '"+term+"' || name ~ '"+term+"'", "fields", "id", "skipTotal", "1")), &ids)
		if err != nil {
			return err
		}
		if decodeErr != nil || len(ids.Items) > 50 {
			return fmt.Errorf("techniques matching %q: %d, %v", term, len(ids.Items), decodeErr)
		}
		var b strings.Builder
		for _, it := range ids.Items {
			b.WriteString(" || technique = '" + it.ID + "'")
		}
		fill["{"+term+"}"] = b.String()
	}
	return nil
}

// fillBoard sets {short:<status>}: "" for a Findings column the board's
// first read leaves short (it is read on its own), skipPrefix for one it
// fills. Read as the superuser: a blue role, which sees fewer findings, may
// leave a column short that this does not.
func (c *client) fillBoard(su string, fill map[string]string) error {
	per := findingsPerColumn * len(findingColumns)
	var first struct {
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
	}
	decodeErr, err := c.getJSON(su, list("findings", vals("perPage", fmt.Sprint(per), "sort", "-created", "fields", "status", "skipTotal", "1")), &first)
	if err != nil {
		return err
	}
	if decodeErr != nil {
		return fmt.Errorf("the findings board: %w", decodeErr)
	}
	count := map[string]int{}
	for _, f := range first.Items {
		if f.Status == "" {
			f.Status = collections.FindingOpen
		}
		count[f.Status]++
	}
	for _, col := range findingColumns {
		fill["{short:"+col.status+"}"] = skipPrefix
		if len(first.Items) == per && count[col.status] < findingsPerColumn {
			fill["{short:"+col.status+"}"] = ""
		}
	}
	return nil
}

// timePage times pg: p50 and p95 per role and of the slowest role (by
// p95), and the p50 of its floor, a plain list of its main collection as
// the superuser su. A role whose requests fail is left out, its error kept.
func (c *client) timePage(pg page, n int, roles []string, tokens map[string]string, su string, expand func(string) string) (*result, error) {
	r := &result{Page: pg.name, Errors: map[string]string{}}
	m := map[string]float64{}
	worst, worstP95 := "", time.Duration(-1)
	for _, role := range roles {
		ds := c.loads(pg, n, role, tokens[role], expand, r.Errors)
		if len(ds) == 0 {
			continue
		}
		p95 := pct(ds, 0.95)
		m[role+"_p50"], m[role+"_p95"] = ms(pct(ds, 0.5)), ms(p95)
		if p95 > worstP95 {
			worst, worstP95 = role, p95
			m["p50"], m["p95"] = ms(pct(ds, 0.5)), ms(p95)
		}
	}
	if pg.floor != "" {
		var ds []time.Duration
		path := list(pg.floor, vals("perPage", fmt.Sprint(pg.per), "skipTotal", "1"))
		for i := 0; i < n+1; i++ {
			d, err := c.get(su, path)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				ds = append(ds, d)
			}
		}
		m["floor_p50"] = ms(pct(ds, 0.5))
	}
	r.Sizes = map[string]map[string]float64{"_": m}
	r.Worst = map[string]string{"_": worst}
	return r, nil
}

// loads opens pg n+1 times as role (token), its requests one after the
// other, and returns the times of all but the first (a warm-up). A failing
// request ends the loads: it is recorded in errs, not the end of the run.
func (c *client) loads(pg page, n int, role, token string, expand func(string) string, errs map[string]string) []time.Duration {
	var ds []time.Duration
	for i := 0; i < n+1; i++ {
		var sum time.Duration
		for _, p := range pg.reqs {
			if p = expand(p); strings.HasPrefix(p, skipPrefix) {
				continue
			}
			d, err := c.get(token, p)
			if err != nil {
				// A failing page is a result (the query gave up), not
				// the end of the run.
				errs["_"] = fmt.Sprintf("%s after %.1f s", err, d.Seconds())
				fmt.Fprintf(os.Stderr, "  %-26s as %s: %v (after %.1f s)\n", pg.name, role, err, d.Seconds())
				return ds
			}
			sum += d
		}
		if i > 0 { // the first is a warm-up
			ds = append(ds, sum)
		}
	}
	return ds
}

// rss is the resident set of process pid (VmRSS), as the kernel says it.
func rss(pid int) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "unknown"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func main() {
	bin := flag.String("bin", "bin/aegis", "the aegis binary")
	bundle := flag.String("bundle", "", "ATT&CK Enterprise bundle, to prepare missing data dirs")
	work := flag.String("work", filepath.Join(os.TempDir(), "aegis-pagebench"), "where the data dirs of each size live")
	sizes := flag.String("sizes", "small,large,xl", "demo sizes, comma-separated")
	n := flag.Int("n", 15, "measured page loads per page and role")
	roleList := flag.String("roles", strings.Join(allRoles, ","), "roles, comma-separated")
	only := flag.String("page", "", "only pages whose name contains this")
	jsonOut := flag.String("json", "", "also write the results as JSON to this file")
	flag.Parse()
	roles := strings.Split(*roleList, ",")
	all := map[string]map[string]*result{}
	var order []string
	for _, size := range strings.Split(*sizes, ",") {
		dir, err := prepare(*bin, *bundle, *work, size)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pagebench:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%s (%s):\n", size, dir)
		res, err := measure(*bin, dir, *n, roles, *only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pagebench:", err)
			os.Exit(1)
		}
		all[size] = res
		order = append(order, size)
	}
	printTable(os.Stdout, all, order)
	if *jsonOut != "" {
		raw, _ := json.MarshalIndent(all, "", " ")
		if err := os.WriteFile(*jsonOut, raw, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "pagebench:", err)
			os.Exit(1)
		}
	}
}

func printTable(w io.Writer, all map[string]map[string]*result, sizes []string) {
	var names []string
	for _, pg := range pages() {
		if _, ok := all[sizes[0]][pg.name]; ok {
			names = append(names, pg.name)
		}
	}
	head := "| page |"
	sep := "|---|"
	for _, s := range sizes {
		head += " " + s + " p50 / p95 ms (slowest role) |"
		sep += "---|"
	}
	hasLarge, hasXL := slices.Contains(sizes, "large"), slices.Contains(sizes, "xl")
	if hasLarge && hasXL {
		head += " large→xl (p95) |"
		sep += "---|"
	}
	last := sizes[len(sizes)-1]
	head += " " + last + " p50 ÷ floor |"
	sep += "---|"
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	for _, name := range names {
		line := "| " + name + " |"
		for _, s := range sizes {
			m := all[s][name].Sizes["_"]
			if e := all[s][name].Errors["_"]; e != "" && m["p95"] == 0 {
				line += " fails: " + e + " |"
				continue
			}
			line += fmt.Sprintf(" %.1f / %.1f (%s) |", m["p50"], m["p95"], all[s][name].Worst["_"])
		}
		if hasLarge && hasXL {
			l, x := all["large"][name].Sizes["_"]["p95"], all["xl"][name].Sizes["_"]["p95"]
			line += fmt.Sprintf(" %.2f× |", x/max(l, 0.001))
		}
		m := all[last][name].Sizes["_"]
		if m["floor_p50"] > 0 {
			line += fmt.Sprintf(" %.1f× (floor %.1f ms) |", m["p50"]/m["floor_p50"], m["floor_p50"])
		} else {
			line += " – |"
		}
		fmt.Fprintln(w, line)
	}
}
