package coverage

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/aegis-sec/aegis/collections"
)

// Levels colour the heatmap (DESIGN §5).
const (
	LevelNone       = "none"
	LevelLow        = "low"
	LevelPartial    = "partial"
	LevelGood       = "good"
	LevelValidated  = "validated"
	LevelOutOfScope = "out_of_scope"
)

// Contribution kinds in a breakdown.
const (
	KindTest           = "test"
	KindRule           = "rule"
	KindCountermeasure = "countermeasure"
	KindControl        = "control"
	KindAssessment     = "assessment" // a DeTT&CT detection or visibility score (component D)
	KindTechnique      = "technique"  // a member of a roll-up (sub-technique, tactic, actor…)
)

// Contribution is one line of a breakdown: what it is, the value it brought
// to its component and the points of the score it accounts for. The shares
// of a breakdown add up to the score.
type Contribution struct {
	Kind      string  `json:"kind"`
	Component string  `json:"component"` // V, R, M, or "" for a roll-up member
	ID        string  `json:"id"`
	Ref       string  `json:"ref,omitempty"` // ATT&CK, D3FEND or control id
	Name      string  `json:"name"`
	Detail    string  `json:"detail,omitempty"`
	Value     float64 `json:"value"`
	Share     float64 `json:"share"`
	AgeDays   float64 `json:"age_days,omitempty"`
}

// Score is the coverage of one technique (its own, or rolled up over its
// sub-techniques) with the reasons.
type Score struct {
	TechniqueID   string         `json:"id"`
	AttackID      string         `json:"attack_id"`
	Name          string         `json:"name"`
	Score         float64        `json:"score"`
	Level         string         `json:"level"`
	V             *float64       `json:"V"`
	R             *float64       `json:"R"`
	M             *float64       `json:"M"`
	D             *float64       `json:"D,omitempty"` // DeTT&CT detection and visibility, when imported
	InScope       bool           `json:"in_scope"`
	Fresh         bool           `json:"fresh"`
	LastValidated *time.Time     `json:"last_validated,omitempty"`
	Procedures    int            `json:"procedures"`
	Rules         int            `json:"rules"`
	Mitigations   int            `json:"mitigations"`
	Notes         []string       `json:"notes,omitempty"`
	Breakdown     []Contribution `json:"breakdown"`
}

// Options narrow what the model looks at.
type Options struct {
	// Platform keeps tests run on that platform (or on none recorded).
	Platform string
	// Campaigns keeps only the tests of these campaigns (a campaign's own results).
	Campaigns map[string]bool
	// RevealedOnly leaves out the unrevealed tests of blind campaigns: what
	// blue roles may see.
	RevealedOnly bool
}

// index groups the loaded rows by technique once per computation.
type index struct {
	tests   map[string][]*Test
	rules   map[string][]*Rule
	cms     map[string][]*Countermeasure
	ctls    map[string][]*Control
	assess  map[string][]*Assessment
	subs    map[string][]string // parent id → sub-technique ids
	techs   map[string]*Technique
	byAttck map[string]*Technique
	// texts shares the detail lines of a computation: one string per
	// outcome or rule source and status, not one per breakdown line.
	texts map[textKey]string
}

type textKey struct {
	rule bool
	a, b string
}

// outcomeText is outcomeText(t), shared within the computation.
func (ix *index) outcomeText(t *Test) string {
	k := textKey{a: t.Prevention, b: t.Detection}
	if v, ok := ix.texts[k]; ok {
		return v
	}
	return ix.keep(k, outcomeText(t))
}

// ruleDetail is ruleDetail(r), shared within the computation.
func (ix *index) ruleDetail(r *Rule) string {
	k := textKey{rule: true, a: r.Source, b: r.Status}
	if v, ok := ix.texts[k]; ok {
		return v
	}
	return ix.keep(k, ruleDetail(r))
}

func (ix *index) keep(k textKey, v string) string {
	if ix.texts == nil {
		ix.texts = map[textKey]string{}
	}
	ix.texts[k] = v
	return v
}

func buildIndex(d *Data, opt Options) *index { return buildIndexFor(d, opt, nil) }

// buildIndexFor is buildIndex for the techniques in want only (nil: all).
func buildIndexFor(d *Data, opt Options, want map[string]bool) *index {
	ix := &index{
		tests: map[string][]*Test{}, rules: map[string][]*Rule{}, cms: map[string][]*Countermeasure{},
		ctls: map[string][]*Control{}, assess: map[string][]*Assessment{}, subs: map[string][]string{}, techs: map[string]*Technique{},
		byAttck: map[string]*Technique{},
	}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		ix.techs[t.ID] = t
		if t.AttackID != "" && !t.Retired {
			ix.byAttck[t.AttackID] = t
		}
		if t.IsSub && t.Parent != "" && !t.Retired {
			ix.subs[t.Parent] = append(ix.subs[t.Parent], t.ID)
		}
	}
	keep := func(t *Test) {
		if !t.Validated() {
			return
		}
		if opt.Campaigns != nil && !opt.Campaigns[t.Campaign] {
			return
		}
		if opt.RevealedOnly && !t.Revealed {
			return
		}
		if opt.Platform != "" && t.Platform != "" && !equalFold(t.Platform, opt.Platform) {
			return
		}
		ix.tests[t.Technique] = append(ix.tests[t.Technique], t)
	}
	if want == nil {
		for t := range d.AllTests() {
			keep(t)
		}
	} else {
		for id := range want { // the wanted techniques' tests only
			for t := range d.TestsOf(id) {
				keep(t)
			}
		}
	}
	for i := range d.Rules {
		r := &d.Rules[i]
		if !r.Enabled || r.Removed {
			continue
		}
		for _, tid := range techsOf(r.Techniques, want) {
			ix.rules[tid] = append(ix.rules[tid], r)
		}
	}
	for i := range d.Countermeasures {
		c := &d.Countermeasures[i]
		for _, tid := range techsOf(c.Techniques, want) {
			ix.cms[tid] = append(ix.cms[tid], c)
		}
	}
	for i := range d.Controls {
		c := &d.Controls[i]
		for _, tid := range techsOf(c.Techniques, want) {
			ix.ctls[tid] = append(ix.ctls[tid], c)
		}
	}
	for i := range d.Assessments {
		a := &d.Assessments[i]
		ix.assess[a.Technique] = append(ix.assess[a.Technique], a)
	}
	return ix
}

// AssessmentValue maps a DeTT&CT score onto [0,1]: detection over its 0..5
// scale (-1, "none", is 0), visibility over 0..4.
func AssessmentValue(kind string, score int) float64 {
	max := 5.0
	if kind == collections.AssessmentVisibility {
		max = 4
	}
	return clamp01(float64(score) / max)
}

// dettectItems is component D of a technique: per kind, the best score over
// its groups of systems; D is the mean of the kinds present.
func dettectItems(as []*Assessment) []Contribution {
	best := map[string]*Assessment{}
	for _, a := range as {
		if b, ok := best[a.Kind]; !ok || a.Score > b.Score || (a.Score == b.Score && a.ApplicableTo < b.ApplicableTo) {
			best[a.Kind] = a
		}
	}
	var out []Contribution
	for _, k := range collections.AssessmentKinds {
		a, ok := best[k]
		if !ok {
			continue
		}
		detail := fmt.Sprintf("DeTT&CT %s score %d for %s", k, a.Score, a.ApplicableTo)
		if a.ScoredAt != "" {
			detail += ", scored " + a.ScoredAt
		}
		if a.Comment != "" {
			detail += ": " + a.Comment
		}
		out = append(out, Contribution{Kind: KindAssessment, Component: "D", ID: a.ID, Ref: "DeTT&CT",
			Name: "DeTT&CT " + k, Detail: detail, Value: AssessmentValue(k, a.Score)})
	}
	return out
}

// techsOf is uniq(xs), kept to the techniques in want when want is set.
func techsOf(xs []string, want map[string]bool) []string {
	if want == nil {
		return uniq(xs)
	}
	var out []string
	for _, x := range xs {
		if want[x] && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// Result is the model's answer for one set of options: every technique's
// own score and, for parents, the roll-up over their sub-techniques.
type Result struct {
	Data     *Data
	Options  Options
	Own      map[string]*Score // technique id → its own evidence only
	Rollup   map[string]*Score // parent id → itself and its sub-techniques
	Subs     map[string][]string
	ByAttack map[string]*Technique
}

// Effective is the score shown for a technique: the roll-up for a parent
// with sub-techniques, its own score otherwise.
func (r *Result) Effective(id string) *Score {
	if s, ok := r.Rollup[id]; ok {
		return s
	}
	return r.Own[id]
}

// Compute scores every technique of d. It is deterministic for a given d.
func Compute(d *Data, opt Options) *Result {
	ix := buildIndex(d, opt)
	res := &Result{Data: d, Options: opt, Own: make(map[string]*Score, len(d.Techniques)),
		Rollup: map[string]*Score{}, Subs: ix.subs, ByAttack: ix.byAttck}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.Retired {
			continue
		}
		res.Own[t.ID] = scoreTechnique(d, ix, t)
	}
	for pid, subs := range ix.subs {
		p, ok := ix.techs[pid]
		if !ok || p.Retired {
			continue
		}
		res.Rollup[pid] = rollupOf(d, res, p, subs)
	}
	return res
}

// rollupOf is parent p's rolled-up score over its own and its
// sub-techniques' (subs) scores in res.
func rollupOf(d *Data, res *Result, p *Technique, subs []string) *Score {
	members := []*Score{res.Own[p.ID]}
	for _, sid := range subs {
		members = append(members, res.Own[sid])
	}
	sortByAttack(members[1:])
	return rollup(d.Settings, d.Now, p, members)
}

// OutcomeValue is the better of the prevention and detection values of an
// outcome, from the settings' outcome tree.
func OutcomeValue(s collections.ScoringSettings, prevention, detection string) float64 {
	return math.Max(s.Prevention[prevention], s.Detection[detection])
}

// Decay is 0.5^(age/half-life); no decay when the half-life is not positive.
func Decay(s collections.ScoringSettings, ageDays float64) float64 {
	if s.HalfLifeDays <= 0 || ageDays <= 0 {
		return 1
	}
	return math.Pow(0.5, ageDays/s.HalfLifeDays)
}

// RuleWeight is a rule's weight from its status: the settings' value for a
// known status, 1 for an empty status (an organisation's own rules, which
// carry none, are taken as production) and 0.5 for a status not in settings.
func RuleWeight(s collections.ScoringSettings, status string) float64 {
	if status == "" {
		return 1
	}
	if w, ok := s.RuleStatus[status]; ok {
		return clamp01(w)
	}
	return 0.5
}

// MitigationValue is 1 for implemented, 0.5 for partial and 0 otherwise.
func MitigationValue(status string) float64 {
	switch status {
	case "implemented":
		return 1
	case "partial":
		return 0.5
	}
	return 0
}

// ProcedureKey identifies the procedure a test runs: its template, else the
// hash of its procedure text (Test.Procedure), else the test itself.
func ProcedureKey(t *Test) string {
	switch {
	case t.Template != "":
		return "tpl:" + t.Template
	case t.Procedure != "":
		return "proc:" + t.Procedure
	}
	return "test:" + t.ID
}

// scoreTechnique scores t from its own evidence: components V, R, M and
// D, the weighted score with each contribution's share, the notes and the
// level.
func scoreTechnique(d *Data, ix *index, t *Technique) *Score {
	s := d.Settings
	sc := &Score{TechniqueID: t.ID, AttackID: t.AttackID, Name: t.Name, InScope: t.InScope, Breakdown: []Contribution{}}
	vItems := validationItems(d, ix, t.ID, sc)
	r := ruleComponent(s, ix.rules[t.ID])
	sc.R, sc.Rules = &r.value, len(r.rules)
	mItems := mitigationItems(ix, t.ID)
	sc.Mitigations = len(mItems)
	if len(mItems) > 0 {
		m := itemMean(mItems)
		sc.M = &m
	}
	// D: the team's DeTT&CT scores, an input of its own, never a
	// validation (it does not count towards V or the validated level).
	dItems := dettectItems(ix.assess[t.ID])
	if len(dItems) > 0 && math.Max(s.WeightDettect, 0) > 0 {
		sum := 0.0
		for _, it := range dItems {
			sum += it.Value
		}
		dv := sum / float64(len(dItems))
		sc.D = &dv
	}
	weigh(ix, s, sc, vItems, r, mItems, dItems)
	addNotes(sc, len(r.rules))
	sc.Level = level(s, sc)
	return sc
}

// item is one contribution to component V or M with the value it brought.
type item struct {
	c Contribution
	v float64
}

// itemMean is the mean value of items (not empty).
func itemMean(items []item) float64 {
	sum := 0.0
	for _, it := range items {
		sum += it.v
	}
	return sum / float64(len(items))
}

// latestPerProcedure keeps, of tests, the latest validated test per
// procedure (template, procedure text, else the test itself), ordered by id.
func latestPerProcedure(tests []*Test) []*Test {
	type procKey struct{ kind, id string }
	latest := map[procKey]*Test{}
	for _, tt := range tests {
		k := procKey{"test", tt.ID}
		if tt.Template != "" {
			k = procKey{"tpl", tt.Template}
		} else if tt.Procedure != "" {
			k = procKey{"proc", tt.Procedure}
		}
		cur, ok := latest[k]
		if !ok || tt.ValidatedAt.After(cur.ValidatedAt) || (tt.ValidatedAt == cur.ValidatedAt && tt.ID > cur.ID) {
			latest[k] = tt
		}
	}
	procs := make([]*Test, 0, len(latest))
	for _, tt := range latest {
		procs = append(procs, tt)
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].ID < procs[j].ID })
	return procs
}

// validationItems is component V of technique id: the latest validated
// outcome per procedure, decayed by age. It sets sc's V (their mean),
// procedure count, last validation and freshness.
func validationItems(d *Data, ix *index, id string, sc *Score) []item {
	s := d.Settings
	var vItems []item
	var newest Stamp
	for _, tt := range latestPerProcedure(ix.tests[id]) {
		age := d.Now.Sub(tt.ValidatedAt.Time()).Hours() / 24
		if age < 0 {
			age = 0
		}
		v := OutcomeValue(s, tt.Prevention, tt.Detection) * Decay(s, age)
		if tt.ValidatedAt.After(newest) {
			newest = tt.ValidatedAt
		}
		vItems = append(vItems, item{Contribution{Kind: KindTest, Component: "V", ID: tt.ID, Name: tt.Name,
			Detail: ix.outcomeText(tt), Value: v, AgeDays: round(age, 1)}, v})
	}
	sc.Procedures = len(vItems)
	if len(vItems) > 0 {
		v := itemMean(vItems)
		sc.V = &v
		lv := newest.Time()
		sc.LastValidated = &lv
		sc.Fresh = d.Now.Sub(lv).Hours()/24 <= s.FreshDays
	}
	return vItems
}

// ruleParts is component R with what its breakdown needs: the rules by
// id, each rule's log factor and their sum.
type ruleParts struct {
	rules  []*Rule
	logs   []float64
	logSum float64
	value  float64
}

// ruleComponent is R = 1 − Π(1 − 0.5·w) over the enabled, not removed
// rules (sorted by id in place).
func ruleComponent(s collections.ScoringSettings, rules []*Rule) ruleParts {
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	p := ruleParts{rules: rules, logs: make([]float64, len(rules))}
	prod := 1.0
	for i, r := range rules {
		f := 1 - 0.5*RuleWeight(s, r.Status)
		prod *= f
		p.logs[i] = math.Log(f)
		p.logSum += p.logs[i]
	}
	p.value = 1 - prod
	return p
}

// mitigationItems is component M of technique id: its countermeasures then
// its controls, each by id, valued by implementation status.
func mitigationItems(ix *index, id string) []item {
	var mItems []item
	cms := ix.cms[id]
	sort.Slice(cms, func(i, j int) bool { return cms[i].ID < cms[j].ID })
	for _, c := range cms {
		v := MitigationValue(c.Status)
		mItems = append(mItems, item{Contribution{Kind: KindCountermeasure, Component: "M", ID: c.ID, Ref: c.D3fendID,
			Name: c.Name, Detail: word(d3fendWords, orDefault(c.Status, "not_implemented")), Value: v}, v})
	}
	ctls := ix.ctls[id]
	sort.Slice(ctls, func(i, j int) bool { return ctls[i].ID < ctls[j].ID })
	for _, c := range ctls {
		v := MitigationValue(c.Status)
		mItems = append(mItems, item{Contribution{Kind: KindControl, Component: "M", ID: c.ID, Ref: c.ControlID,
			Name: c.Title, Detail: word(controlWords, orDefault(c.Status, "not_assessed")), Value: v}, v})
	}
	return mItems
}

// weights are the settings' component weights, none below zero.
type weights struct{ v, r, m, d float64 }

func weightsOf(s collections.ScoringSettings) weights {
	return weights{math.Max(s.WeightValidation, 0), math.Max(s.WeightRules, 0), math.Max(s.WeightMitigation, 0), math.Max(s.WeightDettect, 0)}
}

// total is the weight of sc's known components (V and R always count).
func (w weights) total(sc *Score) float64 {
	total := w.v + w.r
	if sc.M != nil {
		total += w.m
	}
	if sc.D != nil {
		total += w.d
	}
	return total
}

// sum is the weighted sum of sc's components, with R's value r (always in
// this order, so that every way of scoring gives the same float).
func (w weights) sum(sc *Score, r float64) float64 {
	num := w.r * r
	if sc.V != nil {
		num += w.v * *sc.V
	}
	if sc.M != nil {
		num += w.m * *sc.M
	}
	if sc.D != nil {
		num += w.d * *sc.D
	}
	return num
}

// weigh sets sc's score over the known components and its breakdown, each
// contribution with its share of the score. An unknown V still weighs (as
// zero) so that a never-tested technique is never rewarded for it.
func weigh(ix *index, s collections.ScoringSettings, sc *Score, vItems []item, r ruleParts, mItems []item, dItems []Contribution) {
	w := weightsOf(s)
	wV, wR, wM, wD := w.v, w.r, w.m, w.d
	total := w.total(sc)
	if total <= 0 {
		return
	}
	sc.Score = 100 * w.sum(sc, r.value) / total
	sc.Breakdown = make([]Contribution, 0, len(vItems)+len(r.rules)+len(mItems)+len(dItems))
	for _, it := range vItems {
		it.c.Share = 100 * wV / total * it.v / float64(len(vItems))
		sc.Breakdown = append(sc.Breakdown, it.c)
	}
	for i, rule := range r.rules {
		c := Contribution{Kind: KindRule, Component: "R", ID: rule.ID, Name: rule.Title,
			Detail: ix.ruleDetail(rule), Value: RuleWeight(s, rule.Status)}
		if r.logSum != 0 {
			c.Share = 100 * wR / total * r.value * r.logs[i] / r.logSum
		}
		sc.Breakdown = append(sc.Breakdown, c)
	}
	for _, it := range mItems {
		it.c.Share = 100 * wM / total * it.v / float64(len(mItems))
		sc.Breakdown = append(sc.Breakdown, it.c)
	}
	if sc.D != nil {
		for _, c := range dItems {
			c.Share = 100 * wD / total * c.Value / float64(len(dItems))
			sc.Breakdown = append(sc.Breakdown, c)
		}
	}
}

// addNotes explains to sc's reader what is missing from its evidence.
func addNotes(sc *Score, rules int) {
	if sc.V == nil {
		sc.Notes = append(sc.Notes, "never validated: validation counts as 0 until a test records an outcome")
	}
	if rules == 0 {
		sc.Notes = append(sc.Notes, "no enabled detection rule mapped")
	}
	if sc.M == nil {
		sc.Notes = append(sc.Notes, "no countermeasure or control mapped: mitigation left out of the score")
	}
}

// rollup averages members (the parent's own score first, then its
// sub-techniques) that are in scope. Each member's share is its score / n.
func rollup(s collections.ScoringSettings, now time.Time, p *Technique, members []*Score) *Score {
	sc := &Score{TechniqueID: p.ID, AttackID: p.AttackID, Name: p.Name, InScope: p.InScope, Breakdown: []Contribution{}}
	var in []*Score
	for _, m := range members {
		if m != nil && m.InScope {
			in = append(in, m)
		}
	}
	if len(in) > 0 {
		sc.InScope = true
	}
	agg := Aggregate(s, in)
	sc.Score, sc.V, sc.R, sc.M, sc.D = agg.Score, agg.V, agg.R, agg.M, agg.D
	sc.LastValidated, sc.Fresh = agg.LastValidated, agg.Fresh
	for _, m := range in {
		sc.Procedures += m.Procedures
		sc.Rules += m.Rules
		sc.Mitigations += m.Mitigations
	}
	sc.Breakdown = agg.Breakdown
	if len(members) > 1 {
		sc.Notes = append(sc.Notes, "rolled up: the mean of the technique itself and its in-scope sub-techniques")
	}
	// A roll-up is "validated" only when every member is; the mean V over
	// the members that were tested must not colour untested siblings.
	sc.Level = LevelOf(s, sc.Score)
	allValidated := len(in) > 0
	for _, m := range in {
		allValidated = allValidated && m.Level == LevelValidated
	}
	if allValidated {
		sc.Level = LevelValidated
	}
	if !sc.InScope {
		sc.Level = LevelOutOfScope
	}
	return sc
}

// Agg is the mean of a set of scores with each member's share.
type Agg struct {
	Score         float64
	V, R, M       *float64
	D             *float64 // DeTT&CT, over the members that have it
	LastValidated *time.Time
	Fresh         bool
	Breakdown     []Contribution
}

// Aggregate averages member scores; V, R and M average over the members
// where they are known (nil when none is). Shares are score/n, so they add
// up to the mean.
func Aggregate(s collections.ScoringSettings, members []*Score) Agg {
	a := Agg{Breakdown: []Contribution{}}
	if len(members) == 0 {
		return a
	}
	var sum float64
	var vs, rs, ms, ds []float64
	n := float64(len(members))
	for _, m := range members {
		sum += m.Score
		if m.V != nil {
			vs = append(vs, *m.V)
		}
		if m.R != nil {
			rs = append(rs, *m.R)
		}
		if m.M != nil {
			ms = append(ms, *m.M)
		}
		if m.D != nil {
			ds = append(ds, *m.D)
		}
		if m.LastValidated != nil && (a.LastValidated == nil || m.LastValidated.After(*a.LastValidated)) {
			lv := *m.LastValidated
			a.LastValidated = &lv
		}
		if m.Fresh {
			a.Fresh = true
		}
		a.Breakdown = append(a.Breakdown, Contribution{Kind: KindTechnique, ID: m.TechniqueID, Ref: m.AttackID,
			Name: m.Name, Detail: m.Level, Value: m.Score / 100, Share: m.Score / n})
	}
	a.Score = sum / n
	a.V, a.R, a.M, a.D = mean(vs), mean(rs), mean(ms), mean(ds)
	return a
}

func level(s collections.ScoringSettings, sc *Score) string {
	switch {
	case !sc.InScope:
		return LevelOutOfScope
	case sc.V != nil && *sc.V >= s.ValidatedV && sc.Fresh:
		return LevelValidated
	case sc.Score <= 0:
		return LevelNone
	case sc.Score < s.LevelLow:
		return LevelLow
	case sc.Score < s.LevelGood:
		return LevelPartial
	}
	return LevelGood
}

// LevelOf gives the level for a bare score (aggregates without V).
func LevelOf(s collections.ScoringSettings, score float64) string {
	switch {
	case score <= 0:
		return LevelNone
	case score < s.LevelLow:
		return LevelLow
	case score < s.LevelGood:
		return LevelPartial
	}
	return LevelGood
}

// d3fendWords and controlWords are the words a person reads for a
// countermeasure's and a control's status (the UI's labels), built once.
var d3fendWords, controlWords = labels("D3FEND_STATUSES", collections.D3fendStatuses), labels("CONTROL_STATUSES", collections.ControlStatuses)

// word is v's word in m, or v itself when the vocabulary does not know it.
func word(m map[string]string, v string) string {
	if w, ok := m[v]; ok {
		return w
	}
	return v
}

func labels(list string, values []string) map[string]string {
	out := make(map[string]string, len(values))
	for _, v := range values {
		out[v] = collections.Label(list, v)
	}
	return out
}

// outcomeText is a test's outcome in words, e.g. "Not blocked; detection:
// Technique" (the UI's labels of the vocabulary).
func outcomeText(t *Test) string {
	p, d := "no prevention recorded", "none recorded"
	if t.Prevention != "" {
		p = collections.Label("PREVENTION", t.Prevention)
	}
	if t.Detection != "" {
		d = collections.Label("DETECTION", t.Detection)
	}
	return p + "; detection: " + d
}

func ruleDetail(r *Rule) string {
	if r.Status == "" {
		return r.Source
	}
	return r.Source + ", " + r.Status
}

func mean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	return &m
}

func uniq(xs []string) []string {
	if len(xs) < 2 {
		return xs
	}
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sortByAttack(xs []*Score) {
	sort.Slice(xs, func(i, j int) bool { return xs[i].AttackID < xs[j].AttackID })
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 32
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 32
		}
		if ca != cb {
			return false
		}
	}
	return true
}
