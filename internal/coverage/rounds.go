package coverage

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// FromSnapshot rebuilds a Result whose scores are those recorded in a
// snapshot, over the current catalogue: the matrix "as of" a date. Techniques
// the snapshot does not know score 0.
func FromSnapshot(d *Data, snap *Snapshot) *Result {
	base := Compute(&Data{Now: d.Now, Settings: d.Settings, Tactics: d.Tactics, Techniques: d.Techniques}, Options{})
	pts := map[string]TechniquePoint{}
	for _, p := range snap.ByTechnique {
		pts[p.AttackID] = p
	}
	replace := func(sc *Score) *Score {
		n := &Score{TechniqueID: sc.TechniqueID, AttackID: sc.AttackID, Name: sc.Name, InScope: sc.InScope, Level: LevelNone,
			Breakdown: []Contribution{}}
		if p, ok := pts[sc.AttackID]; ok {
			n.Score, n.Level, n.V, n.R, n.M = p.Score, p.Level, p.V, p.R, p.M
		}
		if !n.InScope {
			n.Level = LevelOutOfScope
		}
		return n
	}
	for id, sc := range base.Own {
		base.Own[id] = replace(sc)
	}
	for id, sc := range base.Rollup {
		base.Rollup[id] = replace(sc)
	}
	base.Data = d
	return base
}

// Round is one round of a campaign family.
type Round struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Round int     `json:"round"`
	Score float64 `json:"score"`
}

// roundVector scores the techniques a campaign tested on that campaign's
// own tests only.
func (e *Engine) roundVector(d *Data, campaign string, revealedOnly bool) ([]TechniquePoint, float64, error) {
	r, err := e.Result(Options{Campaigns: map[string]bool{campaign: true}, RevealedOnly: revealedOnly})
	if err != nil {
		return nil, 0, err
	}
	seen := map[string]bool{}
	var pts []TechniquePoint
	var sum float64
	for t := range d.AllTests() {
		if t.Campaign != campaign || seen[t.Technique] || (revealedOnly && !t.Revealed) {
			continue
		}
		seen[t.Technique] = true
		tech := d.technique(t.Technique)
		sc := r.Own[t.Technique]
		if tech == nil || sc == nil {
			continue
		}
		pts = append(pts, TechniquePoint{AttackID: tech.AttackID, Score: round(sc.Score, 2), Level: sc.Level,
			V: round4(sc.V), R: round4(sc.R), M: round4(sc.M)})
		sum += sc.Score
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].AttackID < pts[j].AttackID })
	if len(pts) == 0 {
		return pts, 0, nil
	}
	return pts, round(sum/float64(len(pts)), 4), nil
}

// ErrNoCampaign is returned when a campaign or round does not exist.
var ErrNoCampaign = errors.New("campaign not found")

// Rounds lists a campaign family (the campaign, or its parent, and every
// retest round), ordered by round.
func Rounds(d *Data, campaign string) []Campaign {
	root := campaign
	for i := range d.Campaigns {
		if d.Campaigns[i].ID == campaign && d.Campaigns[i].Parent != "" {
			root = d.Campaigns[i].Parent
		}
	}
	var fam []Campaign
	for _, c := range d.Campaigns {
		if c.ID == root || c.Parent == root {
			fam = append(fam, c)
		}
	}
	sort.SliceStable(fam, func(i, j int) bool { return fam[i].Round < fam[j].Round })
	return fam
}

// CompareRounds compares two rounds of a campaign family. a and b are round
// numbers or campaign ids; empty means the first and the last round.
func (e *Engine) CompareRounds(campaign, a, b string, revealedOnly bool) (*Comparison, error) {
	d, err := e.Data()
	if err != nil {
		return nil, err
	}
	fam := Rounds(d, campaign)
	if len(fam) == 0 {
		return nil, ErrNoCampaign
	}
	pick := func(key string, def Campaign) (Campaign, error) {
		if key == "" {
			return def, nil
		}
		n, nerr := strconv.Atoi(key)
		for _, c := range fam {
			if c.ID == key || (nerr == nil && c.Round == n) {
				return c, nil
			}
		}
		return Campaign{}, fmt.Errorf("round %q: %w", key, ErrNoCampaign)
	}
	ca, err := pick(a, fam[0])
	if err != nil {
		return nil, err
	}
	cb, err := pick(b, fam[len(fam)-1])
	if err != nil {
		return nil, err
	}
	va, sa, err := e.roundVector(d, ca.ID, revealedOnly)
	if err != nil {
		return nil, err
	}
	vb, sb, err := e.roundVector(d, cb.ID, revealedOnly)
	if err != nil {
		return nil, err
	}
	c := Compare(d, va, vb, nil, nil, sa, sb)
	c.A = Round{ID: ca.ID, Name: ca.Name, Round: ca.Round, Score: sa}
	c.B = Round{ID: cb.ID, Name: cb.Name, Round: cb.Round, Score: sb}
	return c, nil
}

// CampaignCoverage is one campaign's results: its techniques scored on its
// own tests.
type CampaignCoverage struct {
	Campaign   Campaign         `json:"campaign"`
	Score      float64          `json:"score"`
	Level      string           `json:"level"`
	Tests      int              `json:"tests"`
	Outcomes   map[string]int   `json:"outcomes"`
	Rounds     []Round          `json:"rounds"`
	Techniques []TechniquePoint `json:"techniques"`
	ComputedAt time.Time        `json:"computed_at"`
}

// Campaign computes one campaign's coverage.
func (e *Engine) Campaign(id string, revealedOnly bool) (*CampaignCoverage, error) {
	d, err := e.Data()
	if err != nil {
		return nil, err
	}
	var camp *Campaign
	for i := range d.Campaigns {
		if d.Campaigns[i].ID == id {
			camp = &d.Campaigns[i]
		}
	}
	if camp == nil {
		return nil, ErrNoCampaign
	}
	pts, score, err := e.roundVector(d, id, revealedOnly)
	if err != nil {
		return nil, err
	}
	cc := &CampaignCoverage{Campaign: *camp, Score: score, Level: LevelOf(d.Settings, score), Outcomes: map[string]int{},
		Techniques: pts, Rounds: []Round{}, ComputedAt: d.Now}
	for t := range d.AllTests() {
		if t.Campaign != id || (revealedOnly && !t.Revealed) {
			continue
		}
		cc.Tests++
		cc.Outcomes["state:"+t.State]++
		if t.Validated() {
			cc.Outcomes["prevention:"+orDefault(t.Prevention, "none")]++
			cc.Outcomes["detection:"+orDefault(t.Detection, "none")]++
		}
	}
	for _, c := range Rounds(d, id) {
		_, s, err := e.roundVector(d, c.ID, revealedOnly)
		if err != nil {
			return nil, err
		}
		cc.Rounds = append(cc.Rounds, Round{ID: c.ID, Name: c.Name, Round: c.Round, Score: s})
	}
	return cc, nil
}
