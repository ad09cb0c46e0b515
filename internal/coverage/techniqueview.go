package coverage

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// The Technique page's answer: the technique's score with the reasons a
// person reads (the contributions that count, the smallest folded into one
// line per component), its own and its sub-techniques' scores without
// their breakdowns (each has its own page), and what became of its tests:
// how many count (the latest validated test of each procedure, what the
// score uses), how many a later test of the same procedure superseded,
// how many have no outcome yet. The superseded tests are listed a page at
// a time (SupersededTests). The answer is kept with the model it was built
// from, per options (visibility class, platform, campaign) and technique.

// KindMore is a breakdown line that stands for the smallest contributions
// of one component, folded: its name says how many, its share is theirs.
const KindMore = "more"

// BreakdownLines is how many lines of each component a technique view keeps
// before folding the rest into one KindMore line.
const BreakdownLines = 10

// maxTechniqueViews bounds the technique answers kept per model generation
// and options (past it, the kept ones are dropped and built again).
const maxTechniqueViews = 512

// TechniqueRef names a technique.
type TechniqueRef struct {
	ID       string `json:"id"`
	AttackID string `json:"attack_id"`
	Name     string `json:"name"`
}

// TestCounts says what became of a technique's tests (its own, not its
// sub-techniques'), as the caller may see them under the options.
type TestCounts struct {
	Total       int `json:"total"`       // every test of the technique
	Counting    int `json:"counting"`    // the latest validated test of each procedure: what the score uses
	Superseded  int `json:"superseded"`  // validated, then replaced by a later test of the same procedure
	Unconfirmed int `json:"unconfirmed"` // an imported outcome not confirmed yet: shown, not counted
	Open        int `json:"open"`        // no outcome recorded yet
}

// TechniqueView is the answer of GET /coverage/techniques/{attack_id}.
type TechniqueView struct {
	Technique     *Score        `json:"technique"`
	Own           *Score        `json:"own"`
	Subtechniques []*Score      `json:"subtechniques"`
	Priority      string        `json:"priority"`
	Parent        *TechniqueRef `json:"parent,omitempty"`
	Tests         TestCounts    `json:"tests"`
}

// SupersededTest is a validated test that no longer counts: a later test of
// the same procedure did.
type SupersededTest struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Campaign         string    `json:"campaign"`
	ValidatedAt      time.Time `json:"validated_at"`
	Outcome          string    `json:"outcome"`
	SupersededBy     string    `json:"superseded_by"` // the test that counts for the procedure now
	SupersededByName string    `json:"superseded_by_name"`
	SupersededAt     time.Time `json:"superseded_at"` // when that test was validated
}

// TestPage is one page of a technique's superseded tests, newest first.
type TestPage struct {
	Page       int              `json:"page"`
	PerPage    int              `json:"perPage"`
	TotalItems int              `json:"totalItems"`
	TotalPages int              `json:"totalPages"`
	Items      []SupersededTest `json:"items"`
}

// TechniqueView builds the technique's answer, nil when the model has no
// technique id.
func (r *Result) TechniqueView(id string) *TechniqueView {
	sc := r.TechniqueByAttackID(id)
	if sc == nil {
		return nil
	}
	v := &TechniqueView{Technique: readable(sc), Subtechniques: []*Score{}}
	if subs, ok := r.Subs[sc.TechniqueID]; ok {
		v.Own = readable(r.Own[sc.TechniqueID])
		for _, s := range subs {
			if o := r.Own[s]; o != nil {
				v.Subtechniques = append(v.Subtechniques, summary(o))
			}
		}
		sortByAttack(v.Subtechniques)
	}
	if t := r.Data.TechniqueByID(sc.TechniqueID); t != nil {
		v.Priority = t.Priority
		if t.IsSub {
			if p := r.Data.TechniqueByID(t.Parent); p != nil {
				v.Parent = &TechniqueRef{ID: p.ID, AttackID: p.AttackID, Name: p.Name}
			}
		}
	}
	v.Tests, _ = r.testsOf(sc.TechniqueID)
	return v
}

// testsOf counts the technique's tests the options let through and lists
// its superseded ones, newest first. The latest test of a procedure is the
// one scoreTechnique counts (same key, same order).
func (r *Result) testsOf(tech string) (TestCounts, []SupersededTest) {
	opt := r.Options
	var c TestCounts
	latest := map[string]*Test{}
	var validated []*Test
	for t := range r.Data.TestsOf(tech) {
		if opt.Campaigns != nil && !opt.Campaigns[t.Campaign] {
			continue
		}
		if opt.RevealedOnly && !t.Revealed {
			continue
		}
		if opt.Platform != "" && t.Platform != "" && !equalFold(t.Platform, opt.Platform) {
			continue
		}
		c.Total++
		switch {
		case t.Validated():
			validated = append(validated, t)
			k := ProcedureKey(t)
			cur, ok := latest[k]
			if !ok || t.ValidatedAt.After(cur.ValidatedAt) || (t.ValidatedAt == cur.ValidatedAt && t.ID > cur.ID) {
				latest[k] = t
			}
		case t.Unconfirmed:
			c.Unconfirmed++
		default:
			c.Open++
		}
	}
	c.Counting = len(latest)
	c.Superseded = len(validated) - len(latest)
	old := make([]SupersededTest, 0, c.Superseded)
	for _, t := range validated {
		by := latest[ProcedureKey(t)]
		if by == t {
			continue
		}
		old = append(old, SupersededTest{ID: t.ID, Name: t.Name, Campaign: t.Campaign, ValidatedAt: t.ValidatedAt.Time(),
			Outcome: outcomeText(t), SupersededBy: by.ID, SupersededByName: by.Name, SupersededAt: by.ValidatedAt.Time()})
	}
	sort.Slice(old, func(i, j int) bool {
		if !old[i].ValidatedAt.Equal(old[j].ValidatedAt) {
			return old[i].ValidatedAt.After(old[j].ValidatedAt)
		}
		return old[i].ID > old[j].ID
	})
	return c, old
}

// summary is sc without its breakdown (a sub-technique in its parent's answer).
func summary(sc *Score) *Score {
	if sc == nil {
		return nil
	}
	out := *sc
	out.Breakdown = []Contribution{}
	return &out
}

// readable is sc with at most BreakdownLines lines per component, the
// largest shares first, the others folded into one KindMore line: the
// shares still add up to the score.
func readable(sc *Score) *Score {
	if sc == nil {
		return nil
	}
	out := *sc
	out.Breakdown = make([]Contribution, 0, len(sc.Breakdown))
	var order []string
	groups := map[string][]Contribution{}
	for _, c := range sc.Breakdown {
		k := c.Component + "|" + c.Kind
		if c.Kind == KindControl || c.Kind == KindCountermeasure {
			k = c.Component + "|" // countermeasures and controls make M together
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	for _, k := range order {
		g := groups[k]
		if len(g) <= BreakdownLines {
			out.Breakdown = append(out.Breakdown, g...)
			continue
		}
		sorted := append([]Contribution(nil), g...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Share > sorted[j].Share })
		out.Breakdown = append(out.Breakdown, sorted[:BreakdownLines]...)
		rest := sorted[BreakdownLines:]
		more := Contribution{Kind: KindMore, Component: g[0].Component, Name: foldedName(rest)}
		for _, c := range rest {
			more.Share += c.Share
		}
		out.Breakdown = append(out.Breakdown, more)
	}
	return &out
}

// foldedName says what a KindMore line stands for ("119 more rules").
func foldedName(cs []Contribution) string {
	n := map[string]int{}
	var kinds []string
	for _, c := range cs {
		if n[c.Kind] == 0 {
			kinds = append(kinds, c.Kind)
		}
		n[c.Kind]++
	}
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		noun := k
		if n[k] != 1 {
			noun += "s"
		}
		parts = append(parts, fmt.Sprintf("%d more %s", n[k], noun))
	}
	return strings.Join(parts, ", ")
}

// techniqueViews holds the technique answers of one model generation and
// options, marshalled.
type techniqueViews struct {
	mu sync.Mutex
	m  map[string]*Blob
}

// techniqueViews is the state's slot of technique answers for the options
// key, made on first use (like Engine.Memo; past maxCached kept values, a
// fresh slot that is not kept).
func (s *state) techniqueViews(opts string) *techniqueViews {
	key := "memo|technique|" + opts
	if v, ok := s.blobs.Load(key); ok {
		return v.(memo).v.(*techniqueViews)
	}
	tv := &techniqueViews{m: map[string]*Blob{}}
	if s.cached.Add(1) > maxCached {
		return tv
	}
	v, loaded := s.blobs.LoadOrStore(key, memo{tv})
	if loaded {
		s.cached.Add(-1)
	}
	return v.(memo).v.(*techniqueViews)
}

// TechniqueBlob is the technique's answer under opt, marshalled and kept
// with the model in use (one slot of the generation's views per options,
// the techniques inside it). The model's result for opt is used when it is
// kept already; otherwise only the technique and its sub-techniques are
// scored (the same scores: a technique's score reads its own evidence
// only), so that the first page after a change does not score the whole
// organisation. ok is false when the model has no technique id.
func (e *Engine) TechniqueBlob(opt Options, id string) (b *Blob, ok bool, err error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	// One read of the model: the slot and the scores are of the same generation.
	s, err := e.state()
	if err != nil {
		return nil, false, err
	}
	tv := s.techniqueViews(optionsKey(opt))
	tv.mu.Lock()
	b, ok = tv.m[id]
	tv.mu.Unlock()
	if ok {
		return b, true, nil
	}
	var r *Result
	if kept, ok := s.results.Load(optionsKey(opt)); ok {
		r = kept.(*Result)
	} else {
		r = ComputeTechnique(s.data, opt, id)
	}
	view := r.TechniqueView(id)
	if view == nil {
		return nil, false, nil
	}
	if b, err = NewBlob(view); err != nil {
		return nil, false, err
	}
	tv.mu.Lock()
	if len(tv.m) >= maxTechniqueViews {
		clear(tv.m)
	}
	tv.m[id] = b
	tv.mu.Unlock()
	return b, true, nil
}

// SupersededTests is page (from 1) of perPage of the superseded tests of
// the technique of attack id under opt, the most recently validated first;
// nil when the model has no such technique.
func (e *Engine) SupersededTests(opt Options, id string, page, perPage int) (*TestPage, error) {
	s, err := e.state()
	if err != nil {
		return nil, err
	}
	t := liveTechnique(s.data, id)
	if t == nil {
		return nil, nil
	}
	r := &Result{Data: s.data, Options: opt}
	_, old := r.testsOf(t.ID)
	out := &TestPage{Page: page, PerPage: perPage, TotalItems: len(old), Items: []SupersededTest{}}
	out.TotalPages = (len(old) + perPage - 1) / perPage
	if from := (page - 1) * perPage; from < len(old) {
		out.Items = old[from:min(from+perPage, len(old))]
	}
	return out, nil
}

// liveTechnique is the live technique of attack id in d (what
// Result.TechniqueByAttackID finds), nil when there is none.
func liveTechnique(d *Data, attackID string) *Technique {
	attackID = strings.ToUpper(strings.TrimSpace(attackID))
	for i := range d.Techniques {
		if t := &d.Techniques[i]; !t.Retired && t.AttackID != "" && t.AttackID == attackID {
			return t
		}
	}
	return nil
}

// ComputeTechnique is Compute for the technique of attack id and its
// sub-techniques only (the other techniques are left out of Own and
// Rollup): their scores are the ones Compute gives.
func ComputeTechnique(d *Data, opt Options, attackID string) *Result {
	want := map[string]bool{}
	t := liveTechnique(d, attackID)
	if t != nil {
		want[t.ID] = true
		for i := range d.Techniques {
			if s := &d.Techniques[i]; s.IsSub && s.Parent == t.ID && !s.Retired {
				want[s.ID] = true
			}
		}
	}
	ix := buildIndexFor(d, opt, want)
	res := &Result{Data: d, Options: opt, Own: make(map[string]*Score, len(want)), Rollup: map[string]*Score{},
		Subs: ix.subs, ByAttack: ix.byAttck}
	if t == nil {
		return res
	}
	for id := range want {
		res.Own[id] = scoreTechnique(d, ix, ix.techs[id])
	}
	if subs := ix.subs[t.ID]; len(subs) > 0 {
		members := []*Score{res.Own[t.ID]}
		for _, sid := range subs {
			members = append(members, res.Own[sid])
		}
		sortByAttack(members[1:])
		res.Rollup[t.ID] = rollup(d.Settings, d.Now, t, members)
	}
	return res
}

// NewBlob marshals v into a Blob (JSON, its gzip form and an ETag).
func NewBlob(v any) (*Blob, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal view: %w", err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("gzip view: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip view: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip view: %w", err)
	}
	sum := sha256.Sum256(raw)
	return &Blob{JSON: raw, Gzip: gz.Bytes(), ETag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}
