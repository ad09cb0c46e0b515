package coverage

import (
	"fmt"
	"sort"
	"strings"
)

// Layer is an ATT&CK Navigator layer, format 4.5 (the fields Aegis writes).
type Layer struct {
	Name                          string           `json:"name"`
	Versions                      LayerVersions    `json:"versions"`
	Domain                        string           `json:"domain"`
	Description                   string           `json:"description"`
	Filters                       *LayerFilters    `json:"filters,omitempty"`
	Sorting                       int              `json:"sorting"`
	Layout                        LayerLayout      `json:"layout"`
	HideDisabled                  bool             `json:"hideDisabled"`
	Techniques                    []LayerTechnique `json:"techniques"`
	Gradient                      LayerGradient    `json:"gradient"`
	LegendItems                   []LegendItem     `json:"legendItems"`
	Metadata                      []LayerMeta      `json:"metadata"`
	Links                         []any            `json:"links"`
	ShowTacticRowBackground       bool             `json:"showTacticRowBackground"`
	TacticRowBackground           string           `json:"tacticRowBackground"`
	SelectTechniquesAcrossTactics bool             `json:"selectTechniquesAcrossTactics"`
	SelectSubtechniquesWithParent bool             `json:"selectSubtechniquesWithParent"`
	SelectVisibleTechniques       bool             `json:"selectVisibleTechniques"`
}

// LayerVersions is the versions object (layer must be "4.5").
type LayerVersions struct {
	Attack    string `json:"attack,omitempty"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// LayerFilters restricts platforms.
type LayerFilters struct {
	Platforms []string `json:"platforms,omitempty"`
}

// LayerLayout is the layout object.
type LayerLayout struct {
	Layout                string `json:"layout"`
	AggregateFunction     string `json:"aggregateFunction"`
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores"`
	CountUnscored         bool   `json:"countUnscored"`
	ExpandedSubtechniques string `json:"expandedSubtechniques"`
}

// LayerTechnique annotates one technique (optionally under one tactic).
type LayerTechnique struct {
	TechniqueID       string      `json:"techniqueID"`
	Tactic            string      `json:"tactic,omitempty"`
	Score             *float64    `json:"score,omitempty"`
	Color             string      `json:"color,omitempty"`
	Comment           string      `json:"comment,omitempty"`
	Enabled           bool        `json:"enabled"`
	Metadata          []LayerMeta `json:"metadata,omitempty"`
	Links             []any       `json:"links,omitempty"`
	ShowSubtechniques bool        `json:"showSubtechniques"`
}

// LayerMeta is a metadata entry or a divider.
type LayerMeta struct {
	Name    string `json:"name,omitempty"`
	Value   string `json:"value,omitempty"`
	Divider bool   `json:"divider,omitempty"`
}

// LayerGradient maps scores to colours.
type LayerGradient struct {
	Colors   []string `json:"colors"`
	MinValue float64  `json:"minValue"`
	MaxValue float64  `json:"maxValue"`
}

// LegendItem is one legend entry.
type LegendItem struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// LayerFormat and NavigatorVersion are what the export declares.
const (
	LayerFormat      = "4.5"
	NavigatorVersion = "5.1.0"
)

// LevelColors colour the levels in the heatmap, the layer and the report.
var LevelColors = map[string]string{
	LevelNone:       "#e5e7eb",
	LevelLow:        "#f87171",
	LevelPartial:    "#fbbf24",
	LevelGood:       "#34d399",
	LevelValidated:  "#059669",
	LevelOutOfScope: "#ffffff",
}

// LevelOrder lists the levels for legends.
var LevelOrder = []string{LevelNone, LevelLow, LevelPartial, LevelGood, LevelValidated, LevelOutOfScope}

// LayerScope is what a layer covers: "coverage", "actor:G0016" or "campaign:ID".
func parseScope(scope string) (kind, key string, err error) {
	if scope == "" || scope == "coverage" {
		return "coverage", "", nil
	}
	k, v, ok := strings.Cut(scope, ":")
	if !ok || v == "" || (k != "actor" && k != "campaign") {
		return "", "", fmt.Errorf("scope %q: use coverage, actor:G0016 or campaign:ID", scope)
	}
	return k, v, nil
}

// CoverageLayer builds the Navigator layer for a scope: every technique in
// the filter with its score, level colour, a comment and the breakdown as
// metadata.
func (e *Engine) CoverageLayer(scope, domain string) (*Layer, error) {
	kind, key, err := parseScope(scope)
	if err != nil {
		return nil, err
	}
	f := Filter{Domain: domain}
	name := "Aegis coverage"
	switch kind {
	case "actor":
		f.Actor = key
	case "campaign":
		f.Campaign = key
	}
	r, err := e.ResultFor(f)
	if err != nil {
		return nil, err
	}
	d := r.Data
	switch kind {
	case "actor":
		a := d.FindActor(key)
		if a == nil {
			return nil, fmt.Errorf("actor %s: %w", key, ErrNoActor)
		}
		name = "Aegis coverage of " + a.Name + " (" + a.AttackID + ")"
	case "campaign":
		found := false
		for _, c := range d.Campaigns {
			if c.ID == key {
				name, found = "Aegis campaign results: "+c.Name, true
			}
		}
		if !found {
			return nil, fmt.Errorf("campaign %s: %w", key, ErrNoCampaign)
		}
	}
	m := r.Matrix(f)
	l := newLayer(name, m.Domain, d.AttackVersion)
	l.Description = fmt.Sprintf("Coverage score 0–100 per technique (validation, rules, mitigations). Overall %.1f over %d in-scope techniques. Computed %s.",
		m.Score, m.InScope, d.Now.Format("2006-01-02 15:04 MST"))
	seen := map[string]bool{}
	add := func(mt MatrixTechnique, hasSubs bool) {
		if seen[mt.AttackID] {
			return
		}
		seen[mt.AttackID] = true
		sc := r.Effective(mt.ID)
		lt := LayerTechnique{TechniqueID: mt.AttackID, Enabled: mt.InScope, ShowSubtechniques: hasSubs && kind != "coverage",
			Color: LevelColors[mt.Level]}
		if mt.InScope {
			s := mt.Score
			lt.Score = &s
		}
		lt.Comment = fmt.Sprintf("%s: score %.1f (%s)", mt.Name, mt.Score, mt.Level)
		lt.Metadata = breakdownMeta(sc)
		l.Techniques = append(l.Techniques, lt)
	}
	for _, ta := range m.Tactics {
		for _, mt := range ta.Techniques {
			add(mt, len(mt.Subtechniques) > 0)
			for _, st := range mt.Subtechniques {
				add(st, false)
			}
		}
	}
	sort.SliceStable(l.Techniques, func(i, j int) bool { return l.Techniques[i].TechniqueID < l.Techniques[j].TechniqueID })
	return l, nil
}

// ErrNoActor is returned when a threat actor does not exist.
var ErrNoActor = fmt.Errorf("threat actor not found")

func newLayer(name, domain, attackVersion string) *Layer {
	if domain == "" {
		domain = "enterprise-attack"
	}
	l := &Layer{Name: name, Versions: LayerVersions{Attack: majorVersion(attackVersion), Navigator: NavigatorVersion, Layer: LayerFormat},
		Domain: domain, Sorting: 3,
		Layout: LayerLayout{Layout: "side", AggregateFunction: "average", ShowName: true, ShowID: true,
			ShowAggregateScores: false, ExpandedSubtechniques: "annotated"},
		Techniques: []LayerTechnique{},
		Gradient:   LayerGradient{Colors: []string{"#f87171", "#fbbf24", "#34d399"}, MinValue: 0, MaxValue: 100},
		Metadata:   []LayerMeta{{Name: "generated by", Value: "Aegis"}},
		Links:      []any{}, TacticRowBackground: "#dddddd",
		SelectTechniquesAcrossTactics: true, SelectSubtechniquesWithParent: false,
	}
	for _, lv := range LevelOrder {
		l.LegendItems = append(l.LegendItems, LegendItem{Label: lv, Color: LevelColors[lv]})
	}
	return l
}

// majorVersion turns "18.1" into "18" as Navigator expects.
func majorVersion(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if i := strings.IndexByte(v, '.'); i > 0 {
		return v[:i]
	}
	return v
}

func breakdownMeta(sc *Score) []LayerMeta {
	if sc == nil {
		return nil
	}
	f := func(p *float64) string {
		if p == nil {
			return "unknown"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	meta := []LayerMeta{{Name: "level", Value: sc.Level}, {Name: "V (validation)", Value: f(sc.V)},
		{Name: "R (rules)", Value: f(sc.R)}, {Name: "M (mitigation)", Value: f(sc.M)}}
	if len(sc.Breakdown) > 0 {
		meta = append(meta, LayerMeta{Divider: true})
	}
	for i, c := range sc.Breakdown {
		if i == 20 {
			meta = append(meta, LayerMeta{Name: "…", Value: fmt.Sprintf("%d more", len(sc.Breakdown)-20)})
			break
		}
		name := c.Kind
		if c.Ref != "" {
			name += " " + c.Ref
		}
		meta = append(meta, LayerMeta{Name: name, Value: fmt.Sprintf("%s (%s): +%.1f", c.Name, c.Detail, c.Share)})
	}
	for _, n := range sc.Notes {
		meta = append(meta, LayerMeta{Name: "note", Value: n})
	}
	return meta
}

// DeltaLayer turns a comparison into a layer: score = change in points,
// red for losses, green for gains.
func DeltaLayer(d *Data, c *Comparison, name string) *Layer {
	av := ""
	if d != nil {
		av = d.AttackVersion
	}
	l := newLayer("Aegis "+name, "enterprise-attack", av)
	l.Description = fmt.Sprintf("Change in coverage score: %.1f → %.1f (%+.1f).", c.Score[0], c.Score[1], c.Delta)
	l.Gradient = LayerGradient{Colors: []string{"#dc2626", "#ffffff", "#16a34a"}, MinValue: -100, MaxValue: 100}
	l.LegendItems = []LegendItem{{Label: "worse", Color: "#dc2626"}, {Label: "unchanged", Color: "#ffffff"}, {Label: "better", Color: "#16a34a"}}
	for _, dl := range c.Changes {
		s := dl.Delta
		l.Techniques = append(l.Techniques, LayerTechnique{TechniqueID: dl.AttackID, Score: &s, Enabled: true,
			Comment: fmt.Sprintf("%.1f → %.1f (%s → %s)", dl.A, dl.B, dl.LevelA, dl.LevelB)})
	}
	return l
}
