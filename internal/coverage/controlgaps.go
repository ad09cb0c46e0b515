package coverage

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/aegis-sec/aegis/collections"
)

// Ranked gaps of compliance controls and threat actors: not a flag on
// everything weak, but a score that says which control (or technique) to
// work on first, why, and which concrete action raises it most.
//
// A mapped in-scope technique m (its effective score s_m, a roll-up for a
// parent) weighs
//
//	w_m = PriorityWeight(priority) · (1 + p_m) · (1 + ½·stale_m)
//
// where p_m is the share of tracked threat actors using m (or one of its
// sub-techniques) and stale_m is 1 when m was never validated, ½ when its
// last validation is older than fresh_days, 0 otherwise. A control's gap
// score is the weighted mean deficit 100 · Σ w_m·(1 − s_m/100) / Σ w_m:
// 0 when every technique is fully covered, 100 when none is.
//
// Actions are computed on the technique's own evidence (for a parent, on
// itself and each in-scope sub-technique, each counting 1/n of the
// roll-up): a perfect, fresh validation (V = 1) through an open test or the
// best template, and enabling each disabled, not removed mapped rule. Their
// gain is in points of the control's (or actor's) coverage score, assuming
// the component formula of DESIGN §5 with everything else unchanged.

// Action kinds.
const (
	ActionRunTest    = "run_test"    // an open test of the technique: run it to validation
	ActionPlanTest   = "plan_test"   // no open test: plan one from this template
	ActionWriteTest  = "write_test"  // no template either: write a procedure
	ActionEnableRule = "enable_rule" // a disabled detection rule mapped to the technique
)

// Action is one thing a team can do, with what it would bring.
type Action struct {
	Kind      string  `json:"kind"`
	Technique string  `json:"technique"` // technique record id the action is on
	AttackID  string  `json:"attack_id"`
	ID        string  `json:"id,omitempty"` // test, template or rule record id
	Name      string  `json:"name"`
	Gain      float64 `json:"gain"` // points of the control's or actor's score
}

// Pull is one technique pulling a control (or actor) down, with why.
type Pull struct {
	TechniqueID string   `json:"id"`
	AttackID    string   `json:"attack_id"`
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	Level       string   `json:"level"`
	Weight      float64  `json:"weight"`
	Deficit     float64  `json:"deficit"` // w_m · (1 − s_m/100)
	Actors      int      `json:"actors"`
	Priority    string   `json:"priority"`
	Reasons     []string `json:"reasons"`
	Raise       float64  `json:"raise,omitempty"` // actor view: best gain of its actions combined
	Actions     []Action `json:"actions,omitempty"`
}

// RankedControl is a control with its gap score, what pulls it down and
// what would raise it most.
type RankedControl struct {
	ID         string   `json:"id"`
	ControlID  string   `json:"control_id"`
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	Framework  string   `json:"framework"`
	Score      float64  `json:"score"` // mean coverage of its in-scope techniques
	Level      string   `json:"level"`
	GapScore   float64  `json:"gap_score"`
	Rank       int      `json:"rank"`
	Techniques int      `json:"techniques"`
	Why        []Pull   `json:"why"`
	Raise      []Action `json:"raise"`
}

// ActorGaps is coverage against one actor and the techniques that would
// raise it most.
type ActorGaps struct {
	ID         string  `json:"id"`
	AttackID   string  `json:"attack_id"`
	Name       string  `json:"name"`
	Score      float64 `json:"score"`
	Level      string  `json:"level"`
	Techniques int     `json:"techniques"`
	Top        []Pull  `json:"top"`
}

// gapModel holds what the rankings need, built once per call.
type gapModel struct {
	r        *Result
	users    map[string]int
	nActors  float64
	open     map[string][]*Test     // technique → open tests
	tpls     map[string][]*Template // technique → templates
	disabled map[string][]*Rule     // technique → disabled, not removed rules
}

func (r *Result) gapModel() *gapModel {
	d := r.Data
	g := &gapModel{r: r, users: actorUsers(d), nActors: math.Max(1, float64(len(d.Actors))),
		open: map[string][]*Test{}, tpls: map[string][]*Template{}, disabled: map[string][]*Rule{}}
	for t := range d.AllTests() {
		if r.Options.RevealedOnly && !t.Revealed {
			continue // a blue caller is not told of an unrevealed blind test
		}
		switch t.State {
		case collections.StateValidated, collections.StateClosed, collections.StateCancelled:
			continue
		}
		g.open[t.Technique] = append(g.open[t.Technique], t)
	}
	for i := range d.Templates {
		t := &d.Templates[i]
		g.tpls[t.Technique] = append(g.tpls[t.Technique], t)
	}
	for i := range d.Rules {
		x := &d.Rules[i]
		if x.Enabled || x.Removed {
			continue
		}
		for _, tid := range uniq(x.Techniques) {
			g.disabled[tid] = append(g.disabled[tid], x)
		}
	}
	// In id order once, not on every control that lists the technique: at
	// 200k tests a technique has hundreds of open tests, and 10k controls
	// sorted them again and again (seconds per ranking).
	for _, o := range g.open {
		sort.Slice(o, func(i, j int) bool { return o[i].ID < o[j].ID })
	}
	for _, rules := range g.disabled {
		sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	}
	return g
}

// actorUsers counts, per technique, the tracked actors using it or one of
// its sub-techniques.
func actorUsers(d *Data) map[string]int {
	users := map[string]int{}
	for i := range d.Actors {
		seen := map[string]bool{}
		for _, tid := range d.Actors[i].Techniques {
			seen[tid] = true
			if t := d.technique(tid); t != nil && t.IsSub && t.Parent != "" {
				seen[t.Parent] = true
			}
		}
		for tid := range seen {
			users[tid]++
		}
	}
	return users
}

// pull weighs one member and says why it pulls down.
func (g *gapModel) pull(m *Score) Pull {
	s := g.r.Data.Settings
	t := g.r.Data.technique(m.TechniqueID)
	prio := ""
	if t != nil {
		prio = t.Priority
	}
	a := g.users[m.TechniqueID]
	p := float64(a) / g.nActors
	stale := 0.0
	var reasons []string
	switch {
	case m.V == nil:
		stale = 1
		reasons = append(reasons, "never validated")
	case !m.Fresh:
		stale = 0.5
		reasons = append(reasons, fmt.Sprintf("last validated over %.0f days ago", s.FreshDays))
	}
	w := PriorityWeight(prio) * (1 + p) * (1 + 0.5*stale)
	reasons = append([]string{fmt.Sprintf("coverage %.0f (%s)", m.Score, m.Level)}, reasons...)
	if m.Rules == 0 {
		reasons = append(reasons, "no enabled rule")
	}
	if a > 0 {
		reasons = append(reasons, fmt.Sprintf("used by %d of %d tracked actors", a, len(g.r.Data.Actors)))
	}
	reasons = append(reasons, "priority "+orDefault(prio, "medium"))
	return Pull{TechniqueID: m.TechniqueID, AttackID: m.AttackID, Name: m.Name, Score: round(m.Score, 2), Level: m.Level,
		Weight: round(w, 6), Deficit: round(w*(1-m.Score/100), 6), Actors: a, Priority: orDefault(prio, "medium"), Reasons: reasons}
}

// leaves are the techniques whose own score makes a member's score, with
// the share each has in it.
func (g *gapModel) leaves(m *Score) []string {
	if _, ok := g.r.Rollup[m.TechniqueID]; !ok {
		return []string{m.TechniqueID}
	}
	var out []string
	if own := g.r.Own[m.TechniqueID]; own != nil && own.InScope {
		out = append(out, m.TechniqueID)
	}
	for _, sid := range g.r.Subs[m.TechniqueID] {
		if sc := g.r.Own[sid]; sc != nil && sc.InScope {
			out = append(out, sid)
		}
	}
	sort.Strings(out)
	return out
}

// ownScoreWith is a technique's own score with V and R replaced.
func (g *gapModel) ownScoreWith(sc *Score, v, r float64) float64 {
	s := g.r.Data.Settings
	wV, wR, wM, wD := math.Max(s.WeightValidation, 0), math.Max(s.WeightRules, 0), math.Max(s.WeightMitigation, 0), math.Max(s.WeightDettect, 0)
	total := wV + wR
	num := wV*v + wR*r
	if sc.M != nil {
		total += wM
		num += wM * *sc.M
	}
	if sc.D != nil {
		total += wD
		num += wD * *sc.D
	}
	if total <= 0 {
		return sc.Score
	}
	return 100 * num / total
}

// actions lists what would raise member m, with gains scaled by scale
// (1 / number of members of the control or actor).
func (g *gapModel) actions(m *Score, scale float64) (list []Action, combined float64) {
	s := g.r.Data.Settings
	leaves := g.leaves(m)
	if len(leaves) == 0 {
		return nil, 0
	}
	per := scale / float64(len(leaves))
	for _, lid := range leaves {
		sc := g.r.Own[lid]
		t := g.r.Data.technique(lid)
		if sc == nil || t == nil {
			continue
		}
		v, rv := 0.0, 0.0
		if sc.V != nil {
			v = *sc.V
		}
		if sc.R != nil {
			rv = *sc.R
		}
		// A perfect, fresh validation.
		if v < 1 {
			gain := (g.ownScoreWith(sc, 1, rv) - sc.Score) * per
			a := Action{Technique: lid, AttackID: t.AttackID, Gain: round(gain, 4)}
			switch {
			case len(g.open[lid]) > 0:
				o := g.open[lid] // in id order (gapModel)
				a.Kind, a.ID, a.Name = ActionRunTest, o[0].ID, o[0].Name
			case len(g.tpls[lid]) > 0:
				best := g.tpls[lid][0]
				for _, x := range g.tpls[lid][1:] {
					if sourceOrder(x.Source) < sourceOrder(best.Source) {
						best = x
					}
				}
				a.Kind, a.ID, a.Name = ActionPlanTest, best.ID, best.Name
			default:
				a.Kind, a.Name = ActionWriteTest, "write and run a test of "+t.AttackID+" "+t.Name
			}
			list = append(list, a)
		}
		// Each disabled rule on its own, and all of them for the combined raise.
		all := 1 - rv
		rules := g.disabled[lid] // in id order (gapModel)
		for _, x := range rules {
			f := 1 - 0.5*RuleWeight(s, x.Status)
			all *= f
			r1 := 1 - (1-rv)*f
			list = append(list, Action{Kind: ActionEnableRule, Technique: lid, AttackID: t.AttackID, ID: x.ID, Name: x.Title,
				Gain: round((g.ownScoreWith(sc, v, r1)-sc.Score)*per, 4)})
		}
		combined += (g.ownScoreWith(sc, 1, 1-all) - sc.Score) * per
	}
	sortActions(list)
	return list, combined
}

func sourceOrder(s string) int {
	switch s {
	case "atomic":
		return 0
	case "caldera":
		return 1
	}
	return 2
}

func sortActions(list []Action) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Gain != list[j].Gain {
			return list[i].Gain > list[j].Gain
		}
		if list[i].AttackID != list[j].AttackID {
			return list[i].AttackID < list[j].AttackID
		}
		return list[i].ID < list[j].ID
	})
}

// RankControls ranks the controls of a framework (record id or name; all
// when empty) by gap score, highest first (ties: the larger deficit, then
// the control id). Each lists up to `why` techniques pulling it down and
// up to `raise` actions that would raise it most.
func (r *Result) RankControls(framework string, why, raise int) []RankedControl {
	g := r.gapModel()
	out := []RankedControl{}
	mass := map[string]float64{}
	for i := range r.Data.Controls {
		c := &r.Data.Controls[i]
		if framework != "" && c.Framework != framework && !strings.EqualFold(c.FrameworkName, framework) {
			continue
		}
		members := r.inScopeMembers(c.Techniques)
		rc := RankedControl{ID: c.ID, ControlID: c.ControlID, Title: c.Title, Status: orDefault(c.Status, "not_assessed"),
			Framework: c.FrameworkName, Techniques: len(members), Why: []Pull{}, Raise: []Action{}, Level: LevelNone}
		if len(members) > 0 {
			agg := Aggregate(r.Data.Settings, members)
			rc.Score, rc.Level = round(agg.Score, 2), LevelOf(r.Data.Settings, agg.Score)
			var pulls []Pull
			var sw, sd float64
			scale := 1 / float64(len(members))
			for _, m := range members {
				p := g.pull(m)
				sw += p.Weight
				sd += p.Deficit
				pulls = append(pulls, p)
				acts, _ := g.actions(m, scale)
				rc.Raise = append(rc.Raise, acts...)
			}
			rc.GapScore = round(100*sd/sw, 4)
			mass[c.ID] = sd
			sort.SliceStable(pulls, func(i, j int) bool {
				if pulls[i].Deficit != pulls[j].Deficit {
					return pulls[i].Deficit > pulls[j].Deficit
				}
				return pulls[i].AttackID < pulls[j].AttackID
			})
			for _, p := range pulls {
				if p.Deficit > 0 && len(rc.Why) < why {
					rc.Why = append(rc.Why, p)
				}
			}
			sortActions(rc.Raise)
			rc.Raise = positive(rc.Raise, raise)
		}
		out = append(out, rc)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].GapScore != out[j].GapScore {
			return out[i].GapScore > out[j].GapScore
		}
		if mass[out[i].ID] != mass[out[j].ID] {
			return mass[out[i].ID] > mass[out[j].ID]
		}
		return out[i].ControlID < out[j].ControlID
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

func positive(list []Action, n int) []Action {
	out := []Action{}
	for _, a := range list {
		if a.Gain > 0 && len(out) < n {
			out = append(out, a)
		}
	}
	return out
}

// RaiseActor is the coverage against an actor (or an ATT&CK campaign) and
// the `limit` techniques whose actions would raise it most, each with its
// reasons and its best actions; nil for an unknown actor.
func (r *Result) RaiseActor(key string, limit int) *ActorGaps {
	a := r.Data.FindActor(key)
	if a == nil {
		return nil
	}
	g := r.gapModel()
	members := r.inScopeMembers(a.Techniques)
	out := &ActorGaps{ID: a.ID, AttackID: a.AttackID, Name: a.Name, Techniques: len(members), Top: []Pull{}, Level: LevelNone}
	if len(members) == 0 {
		return out
	}
	agg := Aggregate(r.Data.Settings, members)
	out.Score, out.Level = round(agg.Score, 2), LevelOf(r.Data.Settings, agg.Score)
	scale := 1 / float64(len(members))
	var pulls []Pull
	for _, m := range members {
		p := g.pull(m)
		acts, combined := g.actions(m, scale)
		p.Raise = round(combined, 4)
		p.Actions = positive(acts, 3)
		if p.Raise > 0 {
			pulls = append(pulls, p)
		}
	}
	sort.SliceStable(pulls, func(i, j int) bool {
		if pulls[i].Raise != pulls[j].Raise {
			return pulls[i].Raise > pulls[j].Raise
		}
		// Equal gains: the technique that matters more (priority, actors
		// using it, staleness) first.
		if pulls[i].Weight != pulls[j].Weight {
			return pulls[i].Weight > pulls[j].Weight
		}
		return pulls[i].AttackID < pulls[j].AttackID
	})
	if limit > 0 && len(pulls) > limit {
		pulls = pulls[:limit]
	}
	out.Top = pulls
	return out
}
