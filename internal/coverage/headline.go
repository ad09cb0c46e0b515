package coverage

import (
	"fmt"
	"strings"
)

// Headline is the mean effective score of exactly the techniques the
// filter shows on the matrix: in-scope top-level techniques of the domain,
// on the platform, used by the actor (a sub-technique's use brings its
// parent) and tested in the campaign. It is the number the matrix, the
// executive report and its PDF put at the top.
func (r *Result) Headline(f Filter) GroupScore {
	tf := r.newTechniqueFilter(f)
	var ids []string
	for i := range r.Data.Techniques {
		t := &r.Data.Techniques[i]
		if t.IsSub || !tf.keep(t) {
			continue
		}
		if tf.only != nil && !tf.only[t.ID] && !r.anySubIn(t.ID, tf.only) {
			continue
		}
		ids = append(ids, t.ID)
	}
	g := r.group(tf.domain, tf.domain, "Overall", r.inScopeMembers(ids), false)
	g.Status = r.ScopeLabel(f)
	return g
}

// ScopeLabel says in words what a filter averages: "all in-scope
// techniques" or "techniques used by APT29 (G0016) on Windows".
func (r *Result) ScopeLabel(f Filter) string {
	var parts []string
	if f.Actor != "" {
		name := f.Actor
		if a := r.Data.FindActor(f.Actor); a != nil {
			name = a.Name
			if a.AttackID != "" && a.AttackID != a.Name {
				name += " (" + a.AttackID + ")"
			}
		}
		parts = append(parts, "used by "+name)
	}
	if f.Campaign != "" {
		name := f.Campaign
		for i := range r.Data.Campaigns {
			if r.Data.Campaigns[i].ID == f.Campaign {
				name = r.Data.Campaigns[i].Name
			}
		}
		parts = append(parts, fmt.Sprintf("tested in campaign %q", name))
	}
	if f.Platform != "" {
		parts = append(parts, "on "+f.Platform)
	}
	domain := f.Domain
	if domain == "" {
		domain = "enterprise-attack"
	}
	label := "in-scope techniques"
	if domain != "enterprise-attack" {
		label = "in-scope " + strings.TrimSuffix(domain, "-attack") + " techniques"
	}
	if len(parts) == 0 {
		return "all " + label
	}
	return label + " " + strings.Join(parts, ", ")
}

func hasCampaign(d *Data, id string) bool {
	for i := range d.Campaigns {
		if d.Campaigns[i].ID == id {
			return true
		}
	}
	return false
}
