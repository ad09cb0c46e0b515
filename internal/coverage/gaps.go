package coverage

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Gap is one in-scope technique ranked by how much closing it matters, with
// the reasons it is on the list.
type Gap struct {
	TechniqueID string   `json:"id"`
	AttackID    string   `json:"attack_id"`
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	Level       string   `json:"level"`
	V           *float64 `json:"V"`
	R           *float64 `json:"R"`
	M           *float64 `json:"M"`
	Priority    string   `json:"priority"`
	// Actors is how many tracked threat actors use the technique (or one of
	// its sub-techniques); ActorNames lists up to three of them.
	Actors     int      `json:"actors"`
	ActorNames []string `json:"actor_names,omitempty"`
	// DaysSinceValidation is -1 when the technique was never validated.
	DaysSinceValidation int        `json:"days_since_validation"`
	LastValidated       *time.Time `json:"last_validated,omitempty"`
	// Rank is Need × Priority × Threat × Staleness (see RankGaps).
	Rank    float64  `json:"rank"`
	Reasons []string `json:"reasons"`
}

// Reason is the reasons as one sentence.
func (g Gap) Reason() string { return strings.Join(g.Reasons, "; ") }

// Gap ranking factors, exported so that the documentation and the tests
// state the same numbers.
const (
	// GapStaleNever multiplies the rank of a technique never validated.
	GapStaleNever = 1.5
	// GapStaleOld multiplies the rank of a technique last validated longer
	// ago than the settings' fresh_days.
	GapStaleOld = 1.25
)

// RankGaps ranks the in-scope top-level techniques that the filter shows
// (domain, platform, actor, campaign) by
//
//	rank = need × priority × threat × staleness
//
// need is 1 − score/100; priority is PriorityWeight (critical 1, high 0.75,
// medium or unset 0.5, low 0.25); threat is 1 + the share of tracked actors
// using the technique or one of its sub-techniques (1 with no actors);
// staleness is GapStaleNever when never validated, GapStaleOld when last
// validated more than fresh_days ago, 1 otherwise. Techniques at the
// validated level are not gaps. Ties go to the lower score, then the ATT&CK
// id. n ≤ 0 returns every gap. The executive report (HTML and PDF), `aegis
// score` and the API share this one ranking.
func (r *Result) RankGaps(f Filter, n int) []Gap {
	d := r.Data
	tf := r.newTechniqueFilter(f)
	users := map[string][]string{} // technique id → actor names (sub-technique use counts for the parent)
	for i := range d.Actors {
		a := &d.Actors[i]
		seen := map[string]bool{}
		for _, tid := range a.Techniques {
			if t := d.technique(tid); t != nil && t.IsSub && t.Parent != "" {
				tid = t.Parent
			}
			if !seen[tid] {
				seen[tid] = true
				users[tid] = append(users[tid], orDefault(a.Name, a.AttackID))
			}
		}
	}
	nActors := len(d.Actors)
	out := []Gap{}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.IsSub || !t.InScope || !tf.keep(t) {
			continue
		}
		if tf.only != nil && !tf.only[t.ID] && !r.anySubIn(t.ID, tf.only) {
			continue
		}
		sc := r.Effective(t.ID)
		if sc == nil || !sc.InScope || sc.Level == LevelValidated {
			continue
		}
		g := Gap{TechniqueID: t.ID, AttackID: t.AttackID, Name: t.Name, Score: round(sc.Score, 2), Level: sc.Level,
			V: round4(sc.V), R: round4(sc.R), M: round4(sc.M), Priority: orDefault(t.Priority, "medium"),
			Actors: len(users[t.ID]), DaysSinceValidation: -1, LastValidated: sc.LastValidated}
		names := append([]string(nil), users[t.ID]...)
		sort.Strings(names)
		if len(names) > 3 {
			names = names[:3]
		}
		g.ActorNames = names
		need := 1 - sc.Score/100
		threat := 1.0
		if nActors > 0 {
			threat += float64(g.Actors) / float64(nActors)
		}
		stale := GapStaleNever
		if sc.LastValidated != nil {
			g.DaysSinceValidation = int(math.Max(0, d.Now.Sub(*sc.LastValidated).Hours()/24))
			stale = 1
			if d.Settings.FreshDays > 0 && float64(g.DaysSinceValidation) > d.Settings.FreshDays {
				stale = GapStaleOld
			}
		}
		g.Rank = round(need*PriorityWeight(t.Priority)*threat*stale, 6)
		g.Reasons = gapReasons(g, nActors, d.Settings.FreshDays)
		out = append(out, g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rank != out[j].Rank {
			return out[i].Rank > out[j].Rank
		}
		if out[i].Score != out[j].Score {
			return out[i].Score < out[j].Score
		}
		return out[i].AttackID < out[j].AttackID
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func (r *Result) anySubIn(parent string, only map[string]bool) bool {
	for _, s := range r.Subs[parent] {
		if only[s] {
			return true
		}
	}
	return false
}

func gapReasons(g Gap, nActors int, freshDays float64) []string {
	var rs []string
	if g.Actors > 0 {
		who := strings.Join(g.ActorNames, ", ")
		if g.Actors > len(g.ActorNames) {
			who += fmt.Sprintf(" and %d more", g.Actors-len(g.ActorNames))
		}
		rs = append(rs, fmt.Sprintf("used by %d of %d tracked actors (%s)", g.Actors, nActors, who))
	}
	if g.Priority == "critical" || g.Priority == "high" {
		rs = append(rs, g.Priority+" priority")
	}
	switch {
	case g.DaysSinceValidation < 0:
		rs = append(rs, "never validated")
	case freshDays > 0 && float64(g.DaysSinceValidation) > freshDays:
		rs = append(rs, fmt.Sprintf("last validated %d days ago", g.DaysSinceValidation))
	}
	rs = append(rs, fmt.Sprintf("score %.0f (%s)", g.Score, g.Level))
	return rs
}
