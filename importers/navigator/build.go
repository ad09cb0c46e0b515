package navigator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Format versions Aegis writes.
const (
	LayerFormat      = "4.5"
	NavigatorVersion = "5.1.0"
)

// BuildOptions describe a layer to export.
type BuildOptions struct {
	Name          string // required
	Description   string
	Domain        string       // default enterprise-attack
	AttackVersion string       // e.g. "18"; empty leaves it out
	Gradient      *Gradient    // default red → yellow → green over 0-100
	Legend        []LegendItem // optional
	Platforms     []string     // optional platform filter
}

// DefaultGradient is the Navigator's default red → yellow → green over 0-100.
func DefaultGradient() *Gradient {
	return &Gradient{Colors: []string{"#ff6666", "#ffe766", "#8ec843"}, MinValue: 0, MaxValue: 100}
}

// Build makes a layer format 4.5 layer of techniques, sorted by technique
// id and tactic, and checks it against the 4.5 specification.
func Build(opts BuildOptions, techniques []Technique) (*Layer, error) {
	domain := opts.Domain
	if domain == "" {
		domain = "enterprise-attack"
	}
	l := &Layer{
		Name: opts.Name, Description: opts.Description, Domain: NormaliseDomain(domain),
		Versions:    &Versions{Attack: opts.AttackVersion, Navigator: NavigatorVersion, Layer: LayerFormat},
		Sorting:     3,
		Layout:      &Layout{Layout: "side", ShowName: true, AggregateFunction: "average", ExpandedSubtechniques: "annotated"},
		Techniques:  append([]Technique(nil), techniques...),
		Gradient:    opts.Gradient,
		LegendItems: opts.Legend,
	}
	if l.Domain == "" {
		l.Domain = domain // check reports it
	}
	if l.Gradient == nil {
		l.Gradient = DefaultGradient()
	}
	if len(opts.Platforms) > 0 {
		l.Filters = &Filters{Platforms: opts.Platforms}
	}
	if l.Techniques == nil {
		l.Techniques = []Technique{}
	}
	sort.SliceStable(l.Techniques, func(i, j int) bool {
		a, b := l.Techniques[i], l.Techniques[j]
		if a.TechniqueID != b.TechniqueID {
			return a.TechniqueID < b.TechniqueID
		}
		return a.Tactic < b.Tactic
	})
	if err := Validate(l); err != nil {
		return nil, err
	}
	return l, nil
}

// Upgrade turns a parsed layer of any older format into format 4.5:
// versions set, the top-level version dropped, the domain normalised.
func (l *Layer) Upgrade() {
	attack := ""
	if l.Versions != nil {
		attack = l.Versions.Attack
	}
	l.Versions = &Versions{Attack: attack, Navigator: NavigatorVersion, Layer: LayerFormat}
	l.Version = ""
	normalise(l)
	if l.Techniques == nil {
		l.Techniques = []Technique{}
	}
}

// Validate checks l against the layer format 4.5 specification: required
// fields, versions, domain, technique ids, gradient, legend, metadata,
// links and layout values.
func Validate(l *Layer) error { return check(l, true) }

// Marshal validates l as layer format 4.5 and encodes it as indented JSON.
func Marshal(l *Layer) ([]byte, error) {
	if err := Validate(l); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("encode layer: %w", err)
	}
	return buf.Bytes(), nil
}
