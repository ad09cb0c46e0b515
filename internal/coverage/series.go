package coverage

import (
	"sort"
	"time"
)

// Prepared scores one catalogue (techniques, rules, countermeasures,
// controls, assessments and settings) at many dates and with many sets of
// tests: the back-filled weekly snapshots, where only the tests and the
// clock change between weeks. The per-technique index of the catalogue is
// built once, and a technique without a validated test, whose score does
// not depend on the date, is scored once: At is Compute over the same
// catalogue with the given clock and tests, at a fraction of the work.
//
// The Results of one Prepared share the Scores of untested techniques
// (read-only, as every Result). A Prepared is not safe for concurrent use
// (scoring sorts its index's slices in place): use one per goroutine.
type Prepared struct {
	d        *Data
	opt      Options
	base     *index            // the catalogue's index, without tests
	untested map[string]*Score // technique id → its score with no validated test
}

// Prepare indexes d's catalogue for At (d's tests and clock are not read).
func Prepare(d *Data, opt Options) *Prepared {
	cat := catalogue(d, d.Now, nil)
	base := buildIndex(cat, opt)
	for _, rs := range base.rules {
		sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	}
	for _, cs := range base.cms {
		sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	}
	for _, cs := range base.ctls {
		sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	}
	p := &Prepared{d: d, opt: opt, base: base, untested: make(map[string]*Score, len(d.Techniques))}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if !t.Retired {
			p.untested[t.ID] = scoreTechnique(cat, base, t)
		}
	}
	return p
}

// At is Compute(d, opt) of the prepared catalogue with its clock set to now
// and tests as its tests (At keeps pointers into tests: do not change them
// while the Result is in use).
func (p *Prepared) At(now time.Time, tests []Test) *Result {
	d := catalogue(p.d, now, tests)
	b := p.base
	ix := &index{tests: map[string][]*Test{}, rules: b.rules, cms: b.cms, ctls: b.ctls, assess: b.assess,
		subs: b.subs, techs: b.techs, byAttck: b.byAttck}
	for i := range d.GivenTests {
		t := &d.GivenTests[i]
		if keepTest(t, p.opt) {
			ix.tests[t.Technique] = append(ix.tests[t.Technique], t)
		}
	}
	res := &Result{Data: d, Options: p.opt, Own: make(map[string]*Score, len(d.Techniques)),
		Rollup: map[string]*Score{}, Subs: ix.subs, ByAttack: ix.byAttck}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.Retired {
			continue
		}
		if len(ix.tests[t.ID]) == 0 {
			res.Own[t.ID] = p.untested[t.ID]
			continue
		}
		res.Own[t.ID] = p.scoreTested(d, ix, t)
	}
	for pid, subs := range ix.subs {
		pt, ok := ix.techs[pid]
		if !ok || pt.Retired {
			continue
		}
		members := []*Score{res.Own[pid]}
		for _, sid := range subs {
			members = append(members, res.Own[sid])
		}
		sortByAttack(members[1:])
		res.Rollup[pid] = rollup(d.Settings, d.Now, pt, members)
	}
	return res
}

// catalogue is d's catalogue with the clock now and the given tests.
func catalogue(d *Data, now time.Time, tests []Test) *Data {
	return &Data{Now: now, Settings: d.Settings, AttackVersion: d.AttackVersion, Tactics: d.Tactics, Techniques: d.Techniques,
		GivenTests: tests, Rules: d.Rules, Countermeasures: d.Countermeasures, Controls: d.Controls, Actors: d.Actors,
		Campaigns: d.Campaigns, AttackCampaigns: d.AttackCampaigns, Assessments: d.Assessments, Templates: d.Templates}
}

// keepTest is whether the index of a computation with opt keeps t (the
// filter of buildIndexFor).
func keepTest(t *Test, opt Options) bool {
	switch {
	case !t.Validated():
		return false
	case opt.Campaigns != nil && !opt.Campaigns[t.Campaign]:
		return false
	case opt.RevealedOnly && !t.Revealed:
		return false
	case opt.Platform != "" && t.Platform != "" && !equalFold(t.Platform, opt.Platform):
		return false
	}
	return true
}

// scoreTested is scoreTechnique(d, ix, t) for a technique with tests,
// from its untested score: its rules, mitigations and DeTT&CT scores do
// not depend on the date, nor do their lines of the breakdown (the weight
// of V counts in the total whether V is known or not), so only V, the
// score, the notes and the level are computed again.
func (p *Prepared) scoreTested(d *Data, ix *index, t *Technique) *Score {
	u := p.untested[t.ID]
	s := d.Settings
	w := weightsOf(s)
	total := w.total(u)
	if total <= 0 || u.R == nil {
		return scoreTechnique(d, ix, t)
	}
	sc := &Score{TechniqueID: u.TechniqueID, AttackID: u.AttackID, Name: u.Name, InScope: u.InScope,
		R: u.R, M: u.M, D: u.D, Rules: u.Rules, Mitigations: u.Mitigations}
	vItems := validationItems(d, ix, t.ID, sc)
	sc.Score = 100 * w.sum(sc, *sc.R) / total
	sc.Breakdown = make([]Contribution, 0, len(vItems)+len(u.Breakdown))
	for _, it := range vItems {
		it.c.Share = 100 * w.v / total * it.v / float64(len(vItems))
		sc.Breakdown = append(sc.Breakdown, it.c)
	}
	sc.Breakdown = append(sc.Breakdown, u.Breakdown...)
	addNotes(sc, sc.Rules)
	sc.Level = level(s, sc)
	return sc
}
