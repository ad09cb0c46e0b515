package coverage

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Filter narrows the matrix and the aggregates (DESIGN §12 matrix query).
type Filter struct {
	Domain   string `json:"domain"`
	Platform string `json:"platform,omitempty"`
	Actor    string `json:"actor,omitempty"`    // actor record id or ATT&CK id (G0016)
	Campaign string `json:"campaign,omitempty"` // campaign record id
	// RevealedOnly hides the unrevealed tests of blind campaigns (blue roles).
	RevealedOnly bool `json:"-"`
}

// Options turns the filter into model options: a campaign filter scores only
// that campaign's tests, a platform filter only tests run on that platform.
func (f Filter) Options() Options {
	o := Options{Platform: f.Platform, RevealedOnly: f.RevealedOnly}
	if f.Campaign != "" {
		o.Campaigns = map[string]bool{f.Campaign: true}
	}
	return o
}

// MatrixTechnique is one cell of the heatmap.
type MatrixTechnique struct {
	ID            string            `json:"id"`
	AttackID      string            `json:"attack_id"`
	Name          string            `json:"name"`
	Score         float64           `json:"score"`
	Level         string            `json:"level"`
	V             *float64          `json:"V"`
	R             *float64          `json:"R"`
	M             *float64          `json:"M"`
	InScope       bool              `json:"in_scope"`
	Priority      string            `json:"priority,omitempty"`
	Subtechniques []MatrixTechnique `json:"subtechniques"`
}

// MatrixTactic is one column of the heatmap.
type MatrixTactic struct {
	ID         string            `json:"id"`
	AttackID   string            `json:"attack_id"`
	Name       string            `json:"name"`
	Shortname  string            `json:"shortname"`
	Score      float64           `json:"score"`
	Level      string            `json:"level"`
	Techniques []MatrixTechnique `json:"techniques"`
}

// Matrix is the ATT&CK matrix coloured by coverage.
type Matrix struct {
	Domain  string     `json:"domain"`
	Filter  Filter     `json:"filter"`
	AsOf    *time.Time `json:"asof,omitempty"`
	Score   float64    `json:"score"`
	Level   string     `json:"level"`
	InScope int        `json:"in_scope"`
	// Scope says what Score averages, in words ("in-scope techniques used
	// by APT29 (G0016), on Windows").
	Scope    string         `json:"scope"`
	Tactics  []MatrixTactic `json:"tactics"`
	Computed time.Time      `json:"computed_at"`
}

// techniqueFilter decides which techniques a filter shows.
type techniqueFilter struct {
	domain, platform string
	only             map[string]bool // nil: all
}

func (r *Result) newTechniqueFilter(f Filter) techniqueFilter {
	tf := techniqueFilter{domain: f.Domain, platform: f.Platform}
	if tf.domain == "" {
		tf.domain = "enterprise-attack"
	}
	if f.Actor != "" {
		tf.only = map[string]bool{}
		if a := r.Data.FindActor(f.Actor); a != nil {
			for _, t := range a.Techniques {
				tf.only[t] = true
			}
		}
	}
	if f.Campaign != "" {
		only := map[string]bool{}
		for t := range r.Data.AllTests() {
			if t.Campaign == f.Campaign && (t.Revealed || !f.RevealedOnly) {
				only[t.Technique] = true
			}
		}
		if tf.only == nil {
			tf.only = only
		} else {
			for k := range tf.only {
				if !only[k] {
					delete(tf.only, k)
				}
			}
		}
	}
	return tf
}

func (tf techniqueFilter) keep(t *Technique) bool {
	if t.Retired || (t.Domain != "" && t.Domain != tf.domain) {
		return false
	}
	if tf.platform != "" && len(t.Platforms) > 0 {
		ok := false
		for _, p := range t.Platforms {
			if strings.EqualFold(p, tf.platform) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Matrix builds the heatmap: tactics in matrix order, each with its
// top-level techniques (rolled up) and their sub-techniques.
func (r *Result) Matrix(f Filter) *Matrix {
	d := r.Data
	tf := r.newTechniqueFilter(f)
	m := &Matrix{Domain: tf.domain, Filter: f, Tactics: []MatrixTactic{}, Computed: d.Now}
	m.Filter.Domain = tf.domain
	byTactic := map[string][]*Technique{}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.IsSub || !tf.keep(t) {
			continue
		}
		for _, ta := range t.Tactics {
			byTactic[ta] = append(byTactic[ta], t)
		}
	}
	seen := map[string]bool{}
	var overall []*Score
	for _, ta := range d.TacticsOf(tf.domain) {
		col := MatrixTactic{ID: ta.ID, AttackID: ta.AttackID, Name: ta.Name, Shortname: ta.Shortname, Techniques: []MatrixTechnique{}}
		techs := byTactic[ta.ID]
		sort.Slice(techs, func(i, j int) bool { return techs[i].Name < techs[j].Name })
		var members []*Score
		for _, t := range techs {
			subs := []MatrixTechnique{}
			anySub := false
			for _, sid := range r.Subs[t.ID] {
				st := d.technique(sid)
				if st == nil || !tf.keep(st) {
					continue
				}
				if tf.only != nil && !tf.only[sid] {
					continue
				}
				anySub = true
				subs = append(subs, r.cell(st, r.Own[sid], nil))
			}
			if tf.only != nil && !tf.only[t.ID] && !anySub {
				continue
			}
			sort.Slice(subs, func(i, j int) bool { return subs[i].AttackID < subs[j].AttackID })
			sc := r.Effective(t.ID)
			col.Techniques = append(col.Techniques, r.cell(t, sc, subs))
			if sc.InScope {
				members = append(members, sc)
				if !seen[t.ID] {
					seen[t.ID] = true
					overall = append(overall, sc)
				}
			}
		}
		agg := Aggregate(d.Settings, members)
		col.Score = round(agg.Score, 2)
		col.Level = LevelOf(d.Settings, agg.Score)
		m.Tactics = append(m.Tactics, col)
	}
	agg := Aggregate(d.Settings, overall)
	m.Score, m.Level, m.InScope = round(agg.Score, 2), LevelOf(d.Settings, agg.Score), len(overall)
	m.Scope = r.ScopeLabel(f)
	return m
}

func (r *Result) cell(t *Technique, sc *Score, subs []MatrixTechnique) MatrixTechnique {
	if subs == nil {
		subs = []MatrixTechnique{}
	}
	return MatrixTechnique{ID: t.ID, AttackID: t.AttackID, Name: t.Name, Score: round(sc.Score, 2), Level: sc.Level,
		V: round4(sc.V), R: round4(sc.R), M: round4(sc.M), InScope: sc.InScope, Priority: t.Priority, Subtechniques: subs}
}

func round4(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := round(*p, 4)
	return &v
}

// GroupScore is an aggregate (tactic, actor, campaign, platform, control)
// with its members' shares.
type GroupScore struct {
	ID         string         `json:"id"`
	Ref        string         `json:"ref,omitempty"`
	Name       string         `json:"name"`
	Score      float64        `json:"score"`
	Level      string         `json:"level"`
	V          *float64       `json:"V"`
	R          *float64       `json:"R"`
	M          *float64       `json:"M"`
	Techniques int            `json:"techniques"`
	Validated  int            `json:"validated"` // members with a validated outcome
	Good       int            `json:"good"`      // members at good or validated
	Weak       int            `json:"weak"`      // members below the low threshold
	Status     string         `json:"status,omitempty"`
	Extra      map[string]any `json:"extra,omitempty"`
	Breakdown  []Contribution `json:"breakdown,omitempty"`
}

func (r *Result) group(id, ref, name string, members []*Score, withBreakdown bool) GroupScore {
	s := r.Data.Settings
	agg := Aggregate(s, members)
	g := GroupScore{ID: id, Ref: ref, Name: name, Score: agg.Score, Level: LevelOf(s, agg.Score),
		V: agg.V, R: agg.R, M: agg.M, Techniques: len(members)}
	if len(members) == 0 {
		g.Level = LevelNone
	}
	for _, m := range members {
		if m.V != nil {
			g.Validated++
		}
		if m.Level == LevelGood || m.Level == LevelValidated {
			g.Good++
		}
		if m.Score < s.LevelLow {
			g.Weak++
		}
	}
	if withBreakdown {
		g.Breakdown = agg.Breakdown
	}
	return g
}

// inScopeMembers maps technique ids to their effective in-scope scores,
// without duplicates.
func (r *Result) inScopeMembers(ids []string) []*Score {
	seen := map[string]bool{}
	var out []*Score
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		t := r.Data.technique(id)
		if t == nil || t.Retired {
			continue
		}
		sc := r.Effective(id)
		if sc != nil && sc.InScope {
			out = append(out, sc)
		}
	}
	sortByAttack(out)
	return out
}

// Tactics ranks the tactics of a domain (matrix order) by their mean score.
func (r *Result) Tactics(domain string, withBreakdown bool) []GroupScore {
	if domain == "" {
		domain = "enterprise-attack"
	}
	byTactic := map[string][]string{}
	for i := range r.Data.Techniques {
		t := &r.Data.Techniques[i]
		if t.IsSub || t.Retired {
			continue
		}
		for _, ta := range t.Tactics {
			byTactic[ta] = append(byTactic[ta], t.ID)
		}
	}
	out := []GroupScore{}
	for _, ta := range r.Data.TacticsOf(domain) {
		g := r.group(ta.ID, ta.AttackID, ta.Name, r.inScopeMembers(byTactic[ta.ID]), withBreakdown)
		g.Extra = map[string]any{"shortname": ta.Shortname, "order": ta.Order}
		out = append(out, g)
	}
	return out
}

// Actors ranks threat actors by how well the techniques they use are covered.
func (r *Result) Actors() []GroupScore {
	out := []GroupScore{}
	for i := range r.Data.Actors {
		a := &r.Data.Actors[i]
		out = append(out, r.group(a.ID, a.AttackID, a.Name, r.inScopeMembers(a.Techniques), false))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score < out[j].Score
		}
		return out[i].Ref < out[j].Ref
	})
	return out
}

// Actor is one actor's coverage with its breakdown, or nil.
func (r *Result) Actor(key string) *GroupScore {
	a := r.Data.FindActor(key)
	if a == nil {
		return nil
	}
	g := r.group(a.ID, a.AttackID, a.Name, r.inScopeMembers(a.Techniques), true)
	return &g
}

// Platforms aggregates techniques by the platforms they apply to.
func (r *Result) Platforms() []GroupScore {
	byPlatform := map[string][]string{}
	for i := range r.Data.Techniques {
		t := &r.Data.Techniques[i]
		if t.Retired {
			continue
		}
		for _, p := range t.Platforms {
			byPlatform[p] = append(byPlatform[p], t.ID)
		}
	}
	names := make([]string, 0, len(byPlatform))
	for p := range byPlatform {
		names = append(names, p)
	}
	sort.Strings(names)
	out := []GroupScore{}
	for _, p := range names {
		out = append(out, r.group(p, p, p, r.inScopeMembers(byPlatform[p]), false))
	}
	return out
}

// NextItem is one suggestion of what to test next.
type NextItem struct {
	TechniqueID string   `json:"id"`
	AttackID    string   `json:"attack_id"`
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	Level       string   `json:"level"`
	V           *float64 `json:"V"`
	Prevalence  float64  `json:"prevalence"`
	Priority    string   `json:"priority"`
	Rank        float64  `json:"rank"`
	Actors      int      `json:"actors"`
}

// PriorityWeight turns a technique's priority into a factor of the rank.
func PriorityWeight(p string) float64 {
	switch p {
	case "critical":
		return 1
	case "high":
		return 0.75
	case "low":
		return 0.25
	}
	return 0.5 // medium or unset
}

// Next ranks in-scope techniques by prevalence × (1 − score/100) ×
// priority: prevalence is the share of known actors using the technique
// (a sub-technique's use counts for its parent too). With an actor, only the
// techniques that actor uses are ranked.
func (r *Result) Next(actor string, limit int) []NextItem {
	d := r.Data
	users := actorUsers(d)
	var only map[string]bool
	if actor != "" {
		a := d.FindActor(actor)
		only = map[string]bool{}
		if a != nil {
			for _, tid := range a.Techniques {
				only[tid] = true
			}
		}
	}
	nActors := math.Max(1, float64(len(d.Actors)))
	out := []NextItem{}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.Retired || !t.InScope || (only != nil && !only[t.ID]) {
			continue
		}
		sc := r.Own[t.ID]
		if only == nil {
			sc = r.Effective(t.ID)
			if t.IsSub && users[t.ID] == 0 {
				continue
			}
		}
		prev := float64(users[t.ID]) / nActors
		if only == nil && prev == 0 {
			continue
		}
		if only != nil && prev == 0 {
			prev = 1 / nActors
		}
		rank := prev * (1 - sc.Score/100) * PriorityWeight(t.Priority)
		out = append(out, NextItem{TechniqueID: t.ID, AttackID: t.AttackID, Name: t.Name, Score: round(sc.Score, 2),
			Level: sc.Level, V: round4(sc.V), Prevalence: round(prev, 4), Priority: orDefault(t.Priority, "medium"),
			Rank: round(rank, 6), Actors: users[t.ID]})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rank != out[j].Rank {
			return out[i].Rank > out[j].Rank
		}
		return out[i].AttackID < out[j].AttackID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// ControlGap is a compliance control with the coverage of its techniques.
type ControlGap struct {
	GroupScore
	ControlID      string   `json:"control_id"`
	Family         string   `json:"family,omitempty"`
	NeverValidated []string `json:"never_validated"`
	WeakTechniques []string `json:"weak_techniques"`
	Gap            bool     `json:"gap"`
}

// Compliance is the gap analysis of one framework: every control with the
// mean score of its techniques; a control is a gap when any mapped in-scope
// technique is below the low threshold or was never validated.
func (r *Result) Compliance(framework string) []ControlGap {
	out := []ControlGap{}
	s := r.Data.Settings
	for i := range r.Data.Controls {
		c := &r.Data.Controls[i]
		if framework != "" && c.Framework != framework && !strings.EqualFold(c.FrameworkName, framework) {
			continue
		}
		members := r.inScopeMembers(c.Techniques)
		g := ControlGap{GroupScore: r.group(c.ID, c.ControlID, c.Title, members, false), ControlID: c.ControlID,
			NeverValidated: []string{}, WeakTechniques: []string{}}
		g.Status = orDefault(c.Status, "not_assessed")
		for _, m := range members {
			if m.V == nil {
				g.NeverValidated = append(g.NeverValidated, m.AttackID)
			}
			if m.Score < s.LevelLow {
				g.WeakTechniques = append(g.WeakTechniques, m.AttackID)
			}
		}
		g.Gap = len(g.NeverValidated) > 0 || len(g.WeakTechniques) > 0
		out = append(out, g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Gap != out[j].Gap {
			return out[i].Gap
		}
		if out[i].Score != out[j].Score {
			return out[i].Score < out[j].Score
		}
		return out[i].ControlID < out[j].ControlID
	})
	return out
}

// Overall is the mean effective score of the in-scope top-level techniques
// of a domain.
func (r *Result) Overall(domain string) GroupScore {
	if domain == "" {
		domain = "enterprise-attack"
	}
	var ids []string
	for i := range r.Data.Techniques {
		t := &r.Data.Techniques[i]
		if !t.IsSub && !t.Retired && (t.Domain == "" || t.Domain == domain) {
			ids = append(ids, t.ID)
		}
	}
	return r.group(domain, domain, "Overall", r.inScopeMembers(ids), false)
}

// TechniqueByAttackID is the effective score of a technique by ATT&CK id.
func (r *Result) TechniqueByAttackID(attackID string) *Score {
	t := r.ByAttack[strings.ToUpper(strings.TrimSpace(attackID))]
	if t == nil {
		return nil
	}
	return r.Effective(t.ID)
}
