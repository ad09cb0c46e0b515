// Package demo seeds a realistic organisation over an imported ATT&CK
// catalogue: users for every role, campaigns with retest rounds, tests in
// every workflow state with outcomes, detection rules, D3FEND and control
// statuses, findings and a few weeks of snapshots. It writes with prepared
// statements inside transactions so the large organisation (20k tests, 5k
// rules, 1k mapped controls) takes seconds. The data is generated from a
// fixed seed, so two runs on the same catalogue give the same organisation.
package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Size is how big an organisation to seed.
type Size struct {
	Name            string
	UsersPerRole    int
	Campaigns       int
	Tests           int
	Rules           int
	Controls        int
	Countermeasures int
	Snapshots       int // weekly, ending last week
	Days            int // history span: campaigns start over this many days
	AuditEntries    int // the audit trail: each test's history, sign-ins
}

// Sizes are the demo sizes: xl is ten times the large organisation with
// five years of history (the growth benchmark's top size).
var Sizes = map[string]Size{
	"small": {Name: "small", UsersPerRole: 1, Campaigns: 6, Tests: 400, Rules: 200, Controls: 60, Countermeasures: 24, Snapshots: 6, Days: 400, AuditEntries: 4000},
	"large": {Name: "large", UsersPerRole: 2, Campaigns: 60, Tests: 20000, Rules: 5000, Controls: 1000, Countermeasures: 60, Snapshots: 12, Days: 400, AuditEntries: 200000},
	"xl":    {Name: "xl", UsersPerRole: 4, Campaigns: 200, Tests: 200000, Rules: 50000, Controls: 10000, Countermeasures: 120, Snapshots: 260, Days: 5 * 365, AuditEntries: 2000000},
}

// SizeNames lists the sizes, smallest first.
var SizeNames = []string{"small", "large", "xl"}

// Password is the password of every demo user.
const Password = "aegis-demo-password"

// ErrNoAttack means the catalogue is empty.
var ErrNoAttack = errors.New("no ATT&CK techniques in the database: import ATT&CK first: aegis import attack <enterprise-attack.json[.gz] | URL>")

// EmailDomain is the domain of every demo account.
const EmailDomain = "demo.aegis.local"

// ErrNotEmpty refuses to add the demo accounts, an active admin among them
// with the published Password, to a data dir that already has users.
var ErrNotEmpty = errors.New("this data directory already has users")

// CheckEmpty returns ErrNotEmpty (with the number of users) unless no user
// exists yet. Callers run it before Seed unless the operator insists.
func CheckEmpty(app core.App) error {
	n, err := app.CountRecords(collections.Users)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w (%d): the demo would add an active admin with the published demo password", ErrNotEmpty, n)
	}
	return nil
}

// Accounts lists the demo accounts present, by email.
func Accounts(app core.App) ([]string, error) {
	var emails []string
	err := app.DB().Select("email").From(collections.Users).
		Where(dbx.Like("email", "@"+EmailDomain).Match(true, false)).
		OrderBy("email").Column(&emails)
	if err != nil {
		return nil, fmt.Errorf("list demo accounts: %w", err)
	}
	return emails, nil
}

// ErrAlreadySeeded means demo data is present.
var ErrAlreadySeeded = errors.New("demo data is already present (campaigns named \"Demo: …\"); use a fresh data directory")

// Report says what was seeded.
type Report struct {
	Size     string         `json:"size"`
	Users    []string       `json:"users"`
	Password string         `json:"password"`
	Counts   map[string]int `json:"counts"`
	Seconds  float64        `json:"seconds"`
	// Steps is the wall time of each seeding step, in seconds.
	Steps map[string]float64 `json:"steps"`
}

const dateLayout = "2006-01-02 15:04:05.000Z"

type technique struct {
	id, attackID, name string
	platforms          []string
	actors             int
}

// Options tune a seeding run.
type Options struct {
	// Progress, when set, is called after each step with its name and wall
	// time (the xl organisation takes tens of seconds: the CLI prints a
	// line per step).
	Progress func(step string, seconds float64)
}

// Seed creates the demo organisation on app. It adds the demo accounts even
// when other users exist: run CheckEmpty first (the CLI does, unless
// --force).
func Seed(app core.App, sizeName string) (*Report, error) { return SeedWith(app, sizeName, Options{}) }

// SeedWith is Seed with options.
func SeedWith(app core.App, sizeName string, opt Options) (*Report, error) {
	size, ok := Sizes[sizeName]
	if !ok {
		return nil, fmt.Errorf("unknown demo size %q: use %s", sizeName, strings.Join(SizeNames, ", "))
	}
	start := time.Now()
	var n int
	if err := app.DB().NewQuery("SELECT count(*) FROM techniques WHERE revoked = 0 AND deprecated = 0 AND domain = 'enterprise-attack'").Row(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrNoAttack
	}
	if err := app.DB().NewQuery("SELECT count(*) FROM campaigns WHERE name LIKE 'Demo: %'").Row(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrAlreadySeeded
	}
	rep := &Report{Size: size.Name, Password: Password, Counts: map[string]int{}, Steps: map[string]float64{}}
	s := &seeder{app: app, size: size, rng: rand.New(rand.NewPCG(2026, uint64(len(size.Name)))), now: time.Now().UTC(), rep: rep}
	done := func(name string, since time.Time) {
		rep.Steps[name] = time.Since(since).Seconds()
		if opt.Progress != nil {
			opt.Progress(name, rep.Steps[name])
		}
	}
	step := func(name string, fn func() error) error {
		t0 := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("demo %s: %w", name, err)
		}
		done(name, t0)
		return nil
	}
	if err := step("users", s.seedUsers); err != nil {
		return nil, err
	}
	var committing time.Time
	restoreTemp := sorterFiles(app)
	err := app.RunInTransaction(func(tx core.App) error {
		s.tx = tx
		restore, err := s.bulkLoad()
		if err != nil {
			return err
		}
		defer restore()
		for _, st := range []struct {
			name string
			fn   func() error
		}{
			{"techniques", s.seedTechniques}, {"tools", s.seedTools}, {"campaigns", s.seedCampaigns}, {"tests", s.tests},
			{"rules", s.rules}, {"d3fend", s.d3fend}, {"controls", s.controls}, {"findings", s.findings},
			{"model", s.startSnapshots}, {"outcomes", s.outcomes}, {"history", s.history}, {"indexes", s.rebuildIndexes}, {"analyze", s.analyze},
		} {
			if err := step(st.name, st.fn); err != nil {
				return err
			}
		}
		committing = time.Now()
		return nil
	})
	restoreTemp()
	if err != nil {
		s.stopSnapshots()
		return nil, err
	}
	done("commit", committing) // the organisation's pages written to the WAL
	rep.Steps["users+transaction"] = time.Since(start).Seconds()
	coverage.For(app).Invalidate()
	if err := step("snapshots", s.snapshots); err != nil {
		return nil, err
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

type seeder struct {
	app, tx  core.App
	size     Size
	rng      *rand.Rand
	now      time.Time
	rep      *Report
	users    map[string][]string // role → ids
	techs    []technique
	weighted []int // indexes into techs, repeated by prevalence
	tools    []string
	camps    []campaign
	testRows []testRow
	idPrefix string
	idSeq    int
	rebuild  []func() error // indexes dropped for the bulk load
	weekly   *weekly        // the snapshots computed in the background
}

type campaign struct {
	id, actor string
	start     time.Time
}

type testRow struct {
	id, technique, state, prevention, detection string
	executed, validated                         time.Time
}

// seedUsers creates the demo accounts (or finds them: --force on a data
// dir that has them). Hashing a password is deliberately slow, so the
// accounts are created one per core at a time; the order of the lists does
// not depend on which finishes first.
func (s *seeder) seedUsers() error {
	col, err := s.app.FindCachedCollectionByNameOrId(collections.Users)
	if err != nil {
		return err
	}
	type account struct {
		role            collections.Role
		email, name, id string
		created         bool
		err             error
	}
	var all []*account
	for _, role := range collections.Roles {
		for i := 1; i <= s.size.UsersPerRole; i++ {
			all = append(all, &account{role: role, name: demoName(string(role), i),
				email: fmt.Sprintf("%s%d@%s", strings.ReplaceAll(string(role), "_", "."), i, EmailDomain)})
		}
	}
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for _, a := range all {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if u, err := s.app.FindAuthRecordByEmail(col, a.email); err == nil {
				a.id = u.Id
				return
			}
			u, err := collections.CreateUser(s.app, collections.NewUserInput{Email: a.email, Password: Password, Name: a.name, Role: a.role})
			if err != nil {
				a.err = fmt.Errorf("%s: %w", a.email, err)
				return
			}
			a.id, a.created = u.Id, true
		}()
	}
	wg.Wait()
	s.users = map[string][]string{}
	for _, a := range all {
		if a.err != nil {
			return a.err
		}
		s.users[string(a.role)] = append(s.users[string(a.role)], a.id)
		if a.created {
			s.rep.Users = append(s.rep.Users, a.email)
		}
	}
	return nil
}

func demoName(role string, i int) string {
	first := map[collections.Role]string{collections.RoleAdmin: "Ada", collections.RoleRedLead: "Rowan", collections.RoleRedOperator: "Remy",
		collections.RoleBlueLead: "Blair", collections.RoleBlueAnalyst: "Bo", collections.RoleViewer: "Vic"}[collections.Role(role)]
	return fmt.Sprintf("%s %c. (%s)", first, 'A'+rune(i-1), strings.ReplaceAll(role, "_", " "))
}

// insert prepares an INSERT for table with cols (id, created and updated are
// added, both set to now) and returns a function that writes one row.
func (s *seeder) insert(table string, cols ...string) (func(id string, vals ...any) error, func()) {
	ins, done := s.insertAt(table, cols...)
	now := s.now.Format(dateLayout)
	return func(id string, vals ...any) error { return ins(id, now, now, vals...) }, done
}

// insertAt is insert with the row's created and updated times given.
func (s *seeder) insertAt(table string, cols ...string) (func(id, created, updated string, vals ...any) error, func()) {
	all := append([]string{"id", "created", "updated"}, cols...)
	ph := make([]string, len(all))
	quoted := make([]string, len(all))
	for i, c := range all {
		ph[i] = "{:" + c + "}"
		quoted[i] = "[[" + c + "]]"
	}
	q := s.tx.DB().NewQuery("INSERT INTO {{" + table + "}} (" + strings.Join(quoted, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")").Prepare()
	p := make(dbx.Params, len(all))
	return func(id, created, updated string, vals ...any) error {
			p["id"], p["created"], p["updated"] = id, created, updated
			for i, c := range cols {
				p[c] = vals[i]
			}
			if _, err := q.Bind(p).Execute(); err != nil {
				return fmt.Errorf("insert %s: %w", table, err)
			}
			s.rep.Counts[table]++
			return nil
		}, func() {
			q.Close()
		}
}

func newID() string { return core.GenerateDefaultRandomId() }

func (s *seeder) seedTechniques() error {
	type row struct {
		ID        string `db:"id"`
		AttackID  string `db:"attack_id"`
		Name      string `db:"name"`
		Platforms string `db:"platforms"`
		Actors    int    `db:"actors"`
	}
	var rows []row
	if err := s.tx.DB().NewQuery(`SELECT t.id, t.attack_id, t.name, t.platforms,
		(SELECT count(*) FROM actor_techniques a WHERE a.technique = t.id) AS actors
		FROM techniques t WHERE t.revoked = 0 AND t.deprecated = 0 AND t.domain = 'enterprise-attack' ORDER BY t.attack_id`).All(&rows); err != nil {
		return err
	}
	for _, r := range rows {
		t := technique{id: r.ID, attackID: r.AttackID, name: r.Name, actors: r.Actors}
		for _, p := range strings.Split(strings.Trim(r.Platforms, "[]"), ",") {
			if p = strings.Trim(strings.TrimSpace(p), `"`); p != "" {
				t.platforms = append(t.platforms, p)
			}
		}
		s.techs = append(s.techs, t)
		w := 1 + t.actors/3
		for i := 0; i < w; i++ {
			s.weighted = append(s.weighted, len(s.techs)-1)
		}
	}
	// Scope: everything enterprise, except a handful the organisation
	// decided does not apply (no ICS-like or mobile-like exposure); priority
	// from how many actors use the technique.
	byUse := append([]technique(nil), s.techs...)
	sort.SliceStable(byUse, func(i, j int) bool { return byUse[i].actors > byUse[j].actors })
	prio := map[string]string{}
	for i, t := range byUse {
		switch {
		case i < len(byUse)/20:
			prio[t.id] = "critical"
		case i < len(byUse)/5:
			prio[t.id] = "high"
		case i < len(byUse)*3/5:
			prio[t.id] = "medium"
		default:
			prio[t.id] = "low"
		}
	}
	q := s.tx.DB().NewQuery("UPDATE techniques SET in_scope = {:scope}, priority = {:prio} WHERE id = {:id}").Prepare()
	defer q.Close()
	for i, t := range s.techs {
		scope := i%29 != 7 // ~3% out of scope
		if _, err := q.Bind(dbx.Params{"scope": scope, "prio": prio[t.id], "id": t.id}).Execute(); err != nil {
			return err
		}
	}
	s.rep.Counts["techniques_scoped"] = len(s.techs)
	return nil
}

func (s *seeder) seedTools() error {
	ins, done := s.insert("defense_tools", "name", "kind", "vendor", "active")
	defer done()
	for _, t := range [][3]string{{"Demo EDR", "edr", "Example Vendor"}, {"Demo SIEM", "siem", "Example Vendor"},
		{"Demo NDR", "ndr", "Example Networks"}, {"Demo Mail Gateway", "email", "Example Mail"}} {
		var n int
		_ = s.tx.DB().NewQuery("SELECT count(*) FROM defense_tools WHERE name = {:n}").Bind(dbx.Params{"n": t[0]}).Row(&n)
		if n > 0 {
			continue
		}
		id := newID()
		if err := ins(id, t[0], t[1], t[2], true); err != nil {
			return err
		}
		s.tools = append(s.tools, id)
	}
	return nil
}

func (s *seeder) pick(role collections.Role) string {
	ids := s.users[string(role)]
	if len(ids) == 0 {
		return ""
	}
	return ids[s.rng.IntN(len(ids))]
}

func (s *seeder) seedCampaigns() error {
	type actor struct {
		ID       string `db:"id"`
		AttackID string `db:"attack_id"`
		Name     string `db:"name"`
	}
	var actors []actor
	if err := s.tx.DB().NewQuery(`SELECT a.id, a.attack_id, a.name FROM threat_actors a
		WHERE a.revoked = 0 AND a.deprecated = 0
		ORDER BY (SELECT count(*) FROM actor_techniques x WHERE x.actor = a.id) DESC, a.attack_id LIMIT 40`).All(&actors); err != nil {
		return err
	}
	ins, done := s.insert("campaigns", "name", "description", "status", "threat_actor", "owner", "start_at", "end_at",
		"tags", "blind", "round", "parent", "platforms")
	defer done()
	statuses := []string{"completed", "completed", "active", "active", "planned", "archived"}
	for i := 0; i < s.size.Campaigns; i++ {
		id := newID()
		start := s.now.AddDate(0, 0, -s.size.Days+i*(s.size.Days-20)/max(1, s.size.Campaigns))
		name := fmt.Sprintf("Demo: Q%d %d purple exercise %d", (int(start.Month())-1)/3+1, start.Year(), i+1)
		actorID := ""
		if len(actors) > 0 && i%3 != 2 {
			a := actors[i%len(actors)]
			actorID = a.ID
			name = fmt.Sprintf("Demo: emulate %s (%s) #%d", a.Name, a.AttackID, i+1)
		}
		status := statuses[i%len(statuses)]
		parent, round := "", 1
		// Every fifth campaign is a retest round of the previous one.
		if i%5 == 4 && i > 0 {
			prev := s.camps[i-1]
			parent, round, actorID = prev.id, 2, prev.actor
			name = strings.Replace(name, "Demo: ", "Demo: retest round 2 of ", 1)
		}
		if err := ins(id, name, "Seeded demo campaign.", status, actorID, s.pick(collections.RoleRedLead),
			start.Format(dateLayout), start.AddDate(0, 0, 21).Format(dateLayout), `["demo"]`, i%7 == 3, round, parent,
			`["Windows","Linux"]`); err != nil {
			return err
		}
		s.camps = append(s.camps, campaign{id: id, actor: actorID, start: start})
	}
	return nil
}

var (
	statesDist = []struct {
		state string
		w     int
	}{{collections.StateDraft, 8}, {collections.StateReady, 7}, {collections.StateExecuting, 6}, {collections.StateBlueReview, 9},
		{collections.StateValidated, 45}, {collections.StateClosed, 20}, {collections.StateCancelled, 5}}
	preventionDist = []struct {
		v string
		w int
	}{{"blocked", 30}, {"partial", 15}, {"not_blocked", 55}}
	detectionDist = []struct {
		v string
		w int
	}{{"technique", 25}, {"tactic", 15}, {"general", 15}, {"telemetry", 25}, {"none", 20}}
)

func weighted[T any](rng *rand.Rand, xs []T, w func(T) int) T {
	total := 0
	for _, x := range xs {
		total += w(x)
	}
	n := rng.IntN(total)
	for _, x := range xs {
		n -= w(x)
		if n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// drawValue is a value of dist drawn by its weights.
func drawValue(rng *rand.Rand, dist []struct {
	v string
	w int
}) string {
	return weighted(rng, dist, func(x struct {
		v string
		w int
	}) int {
		return x.w
	}).v
}

// demoTemplate is a test template the demo draws tests from.
type demoTemplate struct {
	ID        string `db:"id"`
	Technique string `db:"technique"`
	Name      string `db:"name"`
}

// testOutcome is what red and blue recorded on a demo test, as stored.
type testOutcome struct {
	redResult, executedAt, prevention, detection, severity, detectedAt, validatedAt, validatedBy string
}

var (
	demoExecutors  = []string{"PowerShell", "cmd.exe", "bash", "Python", "rundll32", "WMI"}
	demoSeverities = []string{"critical", "high", "medium", "low"}
)

// tests seeds s.size.Tests tests over the weighted techniques and the
// campaigns, each in a drawn state with what red and blue recorded so far.
// The draws are made in a fixed order so that a seed gives the same data.
func (s *seeder) tests() error {
	tplByTech, err := s.templatesByTechnique()
	if err != nil {
		return err
	}
	ins, done := s.insertAt("tests", "name", "technique", "campaign", "template", "procedure", "platform", "state",
		"red_assignee", "blue_assignee", "red_result", "executed_at", "prevention", "detection", "alert_severity",
		"detected_at", "red_notes", "blue_notes", "revealed", "validated_by", "validated_at", "due_at", "tags", "revision")
	defer done()
	for i := 0; i < s.size.Tests; i++ {
		t := s.techs[s.weighted[s.rng.IntN(len(s.weighted))]]
		c := s.camps[s.rng.IntN(len(s.camps))]
		state := weighted(s.rng, statesDist, func(x struct {
			state string
			w     int
		}) int {
			return x.w
		}).state
		variant, template, procedure := s.procedure(t, tplByTech[t.id])
		platform := "windows"
		if len(t.platforms) > 0 {
			platform = t.platforms[s.rng.IntN(len(t.platforms))]
		}
		row := testRow{id: s.nextID(), technique: t.id, state: state}
		var o testOutcome
		if state == collections.StateBlueReview || state == collections.StateValidated || state == collections.StateClosed {
			s.execute(&row, c, &o)
		}
		if state == "validated" || state == "closed" {
			s.validate(&row, &o)
		}
		red, blue := "", ""
		if state != "draft" {
			red = s.pick(collections.RoleRedOperator)
			blue = s.pick(collections.RoleBlueAnalyst)
		}
		name := fmt.Sprintf("%s: %s (v%d)", t.attackID, t.name, variant)
		due := c.start.AddDate(0, 0, 30).Format(dateLayout)
		created, updated := s.testTimes(c, row)
		if err := ins(row.id, created.Format(dateLayout), updated.Format(dateLayout), name, t.id, c.id, template, procedure, platform, state, red, blue, o.redResult, o.executedAt,
			o.prevention, o.detection, o.severity, o.detectedAt, "", "", true, o.validatedBy, o.validatedAt, due, `["demo"]`, 1); err != nil {
			return err
		}
		s.testRows = append(s.testRows, row)
	}
	return nil
}

// templatesByTechnique is the test templates mapped to a technique, by it.
func (s *seeder) templatesByTechnique() (map[string][]demoTemplate, error) {
	var tpls []demoTemplate
	if err := s.tx.DB().NewQuery("SELECT id, technique, name FROM test_templates WHERE technique != ''").All(&tpls); err != nil {
		return nil, err
	}
	byTech := map[string][]demoTemplate{}
	for _, t := range tpls {
		byTech[t.Technique] = append(byTech[t.Technique], t)
	}
	return byTech, nil
}

// procedure draws a test's variant and what it runs: one of the
// technique's templates, else a written procedure.
func (s *seeder) procedure(t technique, tpls []demoTemplate) (variant int, template, procedure string) {
	variant = 1 + s.rng.IntN(3)
	if len(tpls) > 0 {
		return variant, tpls[s.rng.IntN(len(tpls))].ID, ""
	}
	procedure = fmt.Sprintf("Emulate %s (%s) with %s, variant %d.\n\n1. Prepare the lab host.\n2. Run the procedure.\n3. Record timestamps.",
		t.name, t.attackID, demoExecutors[(variant+len(t.attackID))%len(demoExecutors)], variant)
	return variant, "", procedure
}

// execute draws red's execution of a test in campaign c: when (not after
// now) and its result.
func (s *seeder) execute(row *testRow, c campaign, o *testOutcome) {
	row.executed = c.start.Add(time.Duration(s.rng.IntN(20*24)) * time.Hour)
	if row.executed.After(s.now) {
		row.executed = s.now.Add(-time.Duration(1+s.rng.IntN(72)) * time.Hour)
	}
	o.redResult = "executed"
	if s.rng.IntN(10) == 0 {
		o.redResult = "blocked_on_execution"
	}
	o.executedAt = row.executed.Format(dateLayout)
}

// validate draws blue's outcome of an executed test: prevention and
// detection, the alert when detected, and who validated it when.
func (s *seeder) validate(row *testRow, o *testOutcome) {
	o.prevention = drawValue(s.rng, preventionDist)
	o.detection = drawValue(s.rng, detectionDist)
	if o.redResult == "blocked_on_execution" {
		o.prevention = "blocked"
	}
	if o.detection != "none" && o.detection != "telemetry" {
		det := row.executed.Add(time.Duration(30+s.rng.IntN(4*3600)) * time.Second)
		o.detectedAt = det.Format(dateLayout)
		o.severity = demoSeverities[s.rng.IntN(len(demoSeverities))]
	}
	row.validated = row.executed.Add(time.Duration(1+s.rng.IntN(96)) * time.Hour)
	if row.validated.After(s.now) {
		row.validated = s.now
	}
	o.validatedAt = row.validated.Format(dateLayout)
	o.validatedBy = s.pick(collections.RoleBlueAnalyst)
	row.prevention, row.detection = o.prevention, o.detection
}

// testTimes draws when a test of campaign c was created, before its last
// change (execution or validation), neither after now.
func (s *seeder) testTimes(c campaign, row testRow) (created, updated time.Time) {
	created = c.start.Add(-time.Duration(s.rng.IntN(7*24)) * time.Hour)
	updated = created
	if !row.executed.IsZero() {
		updated = row.executed
	}
	if !row.validated.IsZero() {
		updated = row.validated
	}
	if updated.After(s.now) {
		updated = s.now
	}
	if created.After(updated) {
		created = updated
	}
	return created, updated
}

func (s *seeder) rules() error {
	ins, done := s.insert("detection_rules", "source", "source_rule_id", "title", "description", "status", "severity",
		"techniques", "tactics", "platforms", "log_sources", "author", "references", "content", "path", "content_hash",
		"enabled", "removed", "meta", "unknown_techniques")
	defer done()
	sources := []struct {
		src      string
		statuses []string
	}{{"sigma", []string{"stable", "test", "test", "experimental"}}, {"elastic", []string{"production", "production", "deprecated"}},
		{"splunk", []string{"production", "experimental"}}, {"custom", []string{"", "", "stable"}}}
	sev := []string{"critical", "high", "medium", "low", "informational"}
	for i := 0; i < s.size.Rules; i++ {
		src := sources[i%len(sources)]
		status := src.statuses[s.rng.IntN(len(src.statuses))]
		n := 1 + s.rng.IntN(3)
		var ids []string
		var first technique
		for k := 0; k < n; k++ {
			t := s.techs[s.weighted[s.rng.IntN(len(s.weighted))]]
			if k == 0 {
				first = t
			}
			ids = append(ids, `"`+t.id+`"`)
		}
		if s.rng.IntN(25) == 0 {
			ids = nil // some rules map to nothing: the "unmapped" metric
		}
		title := fmt.Sprintf("Demo %s rule %d: suspicious %s", src.src, i+1, first.name)
		if err := ins(s.nextID(), src.src, fmt.Sprintf("demo-%s-%05d", src.src, i+1), title, "Seeded demo rule.", status,
			sev[s.rng.IntN(len(sev))], "["+strings.Join(ids, ",")+"]", "[]", `["windows"]`, "[]", "Aegis demo", "[]",
			"detection: demo", "", "", s.rng.IntN(10) != 0, false, "{}", "[]"); err != nil {
			return err
		}
	}
	return nil
}

var demoD3fend = [][3]string{
	{"D3-PSA", "Process Spawn Analysis", "detect"}, {"D3-SCA", "System Call Analysis", "detect"},
	{"D3-FA", "File Analysis", "detect"}, {"D3-NTA", "Network Traffic Analysis", "detect"},
	{"D3-MFA", "Multi-factor Authentication", "harden"}, {"D3-SPP", "Strong Password Policy", "harden"},
	{"D3-EAL", "Executable Allowlisting", "isolate"}, {"D3-ITF", "Inbound Traffic Filtering", "isolate"},
	{"D3-OTF", "Outbound Traffic Filtering", "isolate"}, {"D3-UAP", "User Account Permissions", "harden"},
	{"D3-DA", "Dynamic Analysis", "detect"}, {"D3-PA", "Process Analysis", "detect"},
}

func (s *seeder) d3fend() error {
	d3Status := []string{"implemented", "implemented", "partial", "not_implemented"}
	type row struct {
		ID string `db:"id"`
	}
	var existing []row
	if err := s.tx.DB().NewQuery("SELECT id FROM d3fend_techniques ORDER BY d3fend_id").All(&existing); err != nil {
		return err
	}
	if len(existing) > 0 {
		q := s.tx.DB().NewQuery("UPDATE d3fend_techniques SET status = {:s} WHERE id = {:id}").Prepare()
		defer q.Close()
		for _, r := range existing {
			if _, err := q.Bind(dbx.Params{"s": d3Status[s.rng.IntN(len(d3Status))], "id": r.ID}).Execute(); err != nil {
				return err
			}
		}
		s.rep.Counts["d3fend_statuses"] = len(existing)
		return nil
	}
	ins, done := s.insert("d3fend_techniques", "d3fend_id", "name", "tactic", "definition", "status")
	defer done()
	mins, mdone := s.insert("d3fend_mappings", "technique", "d3fend", "via")
	defer mdone()
	for i := 0; i < s.size.Countermeasures; i++ {
		base := demoD3fend[i%len(demoD3fend)]
		id := newID()
		d3id, name := base[0], base[1]
		if i >= len(demoD3fend) {
			d3id, name = fmt.Sprintf("%s-%d", base[0], i/len(demoD3fend)+1), fmt.Sprintf("%s (variant %d)", base[1], i/len(demoD3fend)+1)
		}
		if err := ins(id, d3id, name, base[2], "Demo countermeasure.", d3Status[s.rng.IntN(len(d3Status))]); err != nil {
			return err
		}
		seen := map[string]bool{}
		for k := 0; k < 15+s.rng.IntN(30); k++ {
			t := s.techs[s.rng.IntN(len(s.techs))]
			if seen[t.id] {
				continue
			}
			seen[t.id] = true
			if err := mins(newID(), t.id, id, "demo artifact"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *seeder) controls() error {
	statuses := []string{"implemented", "implemented", "partial", "planned", "not_implemented", "not_assessed"}
	fw := newID()
	fins, fdone := s.insert("compliance_frameworks", "name", "version", "source", "description")
	defer fdone()
	if err := fins(fw, "Demo Control Baseline", "2026", "demo", "A demo control catalogue in the style of NIST SP 800-53."); err != nil {
		return err
	}
	ins, done := s.insert("compliance_controls", "framework", "control_id", "title", "family", "description", "status", "owner", "notes")
	defer done()
	mins, mdone := s.insert("control_mappings", "control", "technique", "mapping_type", "source")
	defer mdone()
	families := []string{"AC", "AU", "CA", "CM", "IA", "IR", "RA", "SC", "SI", "SR"}
	names := map[string]string{"AC": "Access Control", "AU": "Audit and Accountability", "CA": "Assessment",
		"CM": "Configuration Management", "IA": "Identification and Authentication", "IR": "Incident Response",
		"RA": "Risk Assessment", "SC": "System and Communications Protection", "SI": "System and Information Integrity",
		"SR": "Supply Chain Risk Management"}
	for i := 0; i < s.size.Controls; i++ {
		fam := families[i%len(families)]
		cid := fmt.Sprintf("%s-%d", fam, i/len(families)+1)
		id := newID()
		if err := ins(id, fw, cid, fmt.Sprintf("%s control %s", names[fam], cid), names[fam], "Demo control.",
			statuses[s.rng.IntN(len(statuses))], s.pick(collections.RoleBlueLead), ""); err != nil {
			return err
		}
		seen := map[string]bool{}
		for k := 0; k < 1+s.rng.IntN(6); k++ {
			t := s.techs[s.weighted[s.rng.IntN(len(s.weighted))]]
			if seen[t.id] {
				continue
			}
			seen[t.id] = true
			if err := mins(newID(), id, t.id, "mitigates", "demo"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *seeder) findings() error {
	ins, done := s.insert("findings", "test", "technique", "title", "severity", "recommendation", "owner", "status",
		"due_at", "resolved_by_test", "resolved_at")
	defer done()
	upd := s.tx.DB().NewQuery("UPDATE findings SET created = {:c} WHERE id = {:id}").Prepare()
	defer upd.Close()
	sev := []string{"critical", "high", "medium", "low"}
	for _, t := range s.testRows {
		if t.validated.IsZero() || t.prevention == "blocked" || (t.detection != "none" && t.detection != "telemetry") {
			continue
		}
		if s.rng.IntN(3) != 0 {
			continue
		}
		status, resolved := "open", ""
		switch s.rng.IntN(5) {
		case 0:
			status = "in_progress"
		case 1, 2:
			status = "resolved"
			resolved = t.validated.Add(time.Duration(24*(3+s.rng.IntN(60))) * time.Hour).Format(dateLayout)
			if resolved > s.now.Format(dateLayout) {
				resolved = s.now.Format(dateLayout)
			}
		case 3:
			if s.rng.IntN(4) == 0 {
				status = "risk_accepted"
			}
		}
		id := newID()
		if err := ins(id, t.id, t.technique, "Undetected execution", sev[s.rng.IntN(len(sev))],
			"Add or tune a detection for this procedure and retest.", s.pick(collections.RoleBlueLead), status,
			t.validated.AddDate(0, 0, 30).Format(dateLayout), "", resolved); err != nil {
			return err
		}
		if _, err := upd.Bind(dbx.Params{"c": t.validated.Format(dateLayout), "id": id}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// The weekly snapshots are back-filled by replaying the model as it stood:
// tests validated after each week are left out, and decay runs from then.
// A technique's validation score reads, per procedure, only the latest
// validated outcome, so the replay walks the tests once in validation order
// keeping that latest test per (technique, procedure) and gives each week's
// Compute only those (a few thousand instead of up to the whole history):
// the same scores as a Compute over every test validated by then, at a
// fraction of the work. The model is loaded inside the seeding transaction
// as soon as what it reads is written (before the outcomes and the audit
// trail, which it does not read), and the weeks are computed in the
// background, on the cores the seeding connection leaves free, while SQLite writes the rest on the seeding
// connection; they are saved in one transaction after the commit.

// weekly is the background computation of the snapshots.
type weekly struct {
	done    chan struct{}
	stop    atomic.Bool
	snaps   []*coverage.Snapshot // oldest first
	seconds float64
}

// startSnapshots loads the model through the seeding transaction and starts
// computing the weeks.
func (s *seeder) startSnapshots() error {
	d, err := coverage.Load(s.tx)
	if err != nil {
		return err
	}
	w := &weekly{done: make(chan struct{}), snaps: make([]*coverage.Snapshot, s.size.Snapshots)}
	s.weekly = w
	go func() {
		defer close(w.done)
		// The weeks allocate many short-lived scores over a large live
		// model: collect less often while they run.
		defer debug.SetGCPercent(debug.SetGCPercent(200))
		t0 := time.Now()
		past := newReplay(d)
		type job struct {
			i     int
			at    time.Time
			tests []coverage.Test
		}
		jobs := make(chan job, 4)
		var wg sync.WaitGroup
		// One core less than the machine has: the seeding connection
		// writes the outcomes and the audit trail and builds the indexes
		// meanwhile, and it is the longer of the two (at xl, two workers
		// on two cores left SQLite a third of a core and tripled its time).
		for range max(1, runtime.GOMAXPROCS(0)-1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The catalogue is indexed once per worker (a Prepared is
				// not shared between goroutines), each week scores its tests.
				var p *coverage.Prepared
				for j := range jobs {
					if w.stop.Load() {
						continue
					}
					if p == nil {
						p = coverage.Prepare(past.d, coverage.Options{})
					}
					k := s.size.Snapshots - j.i
					w.snaps[j.i] = coverage.BuildSnapshot(p.At(j.at, j.tests), "enterprise-attack", "demo",
						fmt.Sprintf("demo week -%d", k))
				}
			}()
		}
		for i := range w.snaps {
			if w.stop.Load() {
				break
			}
			at := s.now.AddDate(0, 0, -7*(s.size.Snapshots-i))
			jobs <- job{i, at, past.at(at)}
		}
		close(jobs)
		wg.Wait()
		w.seconds = time.Since(t0).Seconds()
	}()
	return nil
}

// stopSnapshots abandons the background weeks (the transaction failed).
func (s *seeder) stopSnapshots() {
	if s.weekly != nil {
		s.weekly.stop.Store(true)
		<-s.weekly.done
	}
}

// snapshots waits for the weeks and saves them, oldest first.
func (s *seeder) snapshots() error {
	w := s.weekly
	if w == nil {
		return nil
	}
	<-w.done
	s.rep.Steps["snapshot weeks (background)"] = w.seconds
	col, err := s.app.FindCachedCollectionByNameOrId(collections.CoverageSnapshots)
	if err != nil {
		return err
	}
	return s.app.RunInTransaction(func(tx core.App) error {
		for i, snap := range w.snaps {
			if snap == nil {
				return fmt.Errorf("week %d was not computed", s.size.Snapshots-i)
			}
			vec, err := coverage.EncodeVector(snap.ByTechnique)
			if err != nil {
				return err
			}
			rec := core.NewRecord(col)
			rec.Set("taken_at", snap.TakenAt.Format(dateLayout))
			rec.Set("trigger", "demo")
			rec.Set("label", snap.Label)
			rec.Set("totals", snap.Totals)
			rec.Set("by_tactic", snap.ByTactic)
			rec.Set("by_technique", vec)
			if err := tx.Save(rec); err != nil {
				return fmt.Errorf("save snapshot %s: %w", snap.Label, err)
			}
			s.rep.Counts["coverage_snapshots"]++
		}
		return nil
	})
}

// replay is d with its clock set back: at(t) is, of the tests validated
// before t, the latest per technique and procedure (the only ones Compute
// scores), to be scored over d's catalogue (coverage.Prepared) at t.
// Calls go forward in time.
type replay struct {
	d      *coverage.Data
	tests  []coverage.Test // validated, in validation order
	next   int             // tests[:next] are in latest
	pos    map[string]int  // technique and procedure → index in latest
	latest []coverage.Test
}

func newReplay(d *coverage.Data) *replay {
	r := &replay{d: d, pos: map[string]int{}}
	for t := range d.AllTests() {
		if t.Validated() {
			r.tests = append(r.tests, *t)
		}
	}
	sort.SliceStable(r.tests, func(i, j int) bool { return r.tests[i].ValidatedAt.Before(r.tests[j].ValidatedAt) })
	return r
}

func (r *replay) at(at time.Time) []coverage.Test {
	stamp := coverage.StampOf(at)
	for ; r.next < len(r.tests) && r.tests[r.next].ValidatedAt.Before(stamp); r.next++ {
		t := r.tests[r.next]
		key := t.Technique + "\x00" + coverage.ProcedureKey(&t)
		i, ok := r.pos[key]
		switch {
		case !ok:
			r.pos[key] = len(r.latest)
			r.latest = append(r.latest, t)
		case t.ValidatedAt.After(r.latest[i].ValidatedAt) || (t.ValidatedAt == r.latest[i].ValidatedAt && t.ID > r.latest[i].ID):
			r.latest[i] = t
		}
	}
	return append([]coverage.Test(nil), r.latest...)
}
