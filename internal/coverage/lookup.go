package coverage

import (
	"sort"
	"strings"
	"sync"
)

// lookups are built lazily once per Data; Data is immutable once loaded.
type lookups struct {
	once    sync.Once
	techs   map[string]*Technique
	actors  map[string]*Actor
	tactics map[string][]Tactic
}

func (d *Data) lk() *lookups {
	l := &d.lookups
	l.once.Do(func() {
		l.techs = make(map[string]*Technique, len(d.Techniques))
		for i := range d.Techniques {
			l.techs[d.Techniques[i].ID] = &d.Techniques[i]
		}
		l.actors = map[string]*Actor{}
		for i := range d.AttackCampaigns {
			a := &d.AttackCampaigns[i]
			l.actors[a.ID] = a
			if a.AttackID != "" {
				l.actors[strings.ToUpper(a.AttackID)] = a
			}
		}
		for i := range d.Actors {
			a := &d.Actors[i]
			l.actors[a.ID] = a
			if a.AttackID != "" {
				l.actors[strings.ToUpper(a.AttackID)] = a
			}
		}
		l.tactics = map[string][]Tactic{}
		for _, t := range d.Tactics {
			l.tactics[t.Domain] = append(l.tactics[t.Domain], t)
		}
		for k := range l.tactics {
			ts := l.tactics[k]
			sort.SliceStable(ts, func(i, j int) bool { return ts[i].Order < ts[j].Order })
		}
	})
	return l
}

func (d *Data) technique(id string) *Technique { return d.lk().techs[id] }

// FindActor finds an actor by record id or ATT&CK id; an ATT&CK campaign
// (C0001) is found the same way.
func (d *Data) FindActor(key string) *Actor {
	l := d.lk()
	if a, ok := l.actors[key]; ok {
		return a
	}
	return l.actors[strings.ToUpper(strings.TrimSpace(key))]
}

// TacticsOf lists a domain's tactics in matrix order.
func (d *Data) TacticsOf(domain string) []Tactic { return d.lk().tactics[domain] }

// TechniqueByID returns a technique by record id.
func (d *Data) TechniqueByID(id string) *Technique { return d.technique(id) }
