// Package navigator reads and writes MITRE ATT&CK Navigator layer files.
// Parse accepts layer formats from the 2.x/3.0 era (top-level "version",
// domains such as "mitre-enterprise") to 4.5 (a "versions" object) and
// normalises them; Build and Marshal produce layer format 4.5, validated
// against the 4.5 specification, for coverage, actor and campaign exports;
// Selected lists the techniques a layer scores or annotates, for campaigns
// planned from a layer.
package navigator

import "encoding/json"

// Layer is one Navigator layer. Field names follow the layer format; fields
// Aegis does not know are dropped on re-export.
type Layer struct {
	Name        string    `json:"name"`
	Versions    *Versions `json:"versions,omitempty"`
	Version     string    `json:"version,omitempty"` // layer formats before 4.0 only; cleared by Upgrade
	Domain      string    `json:"domain"`
	Description string    `json:"description,omitempty"`
	// CustomDataURL is the collection or bundle the layer was built from.
	CustomDataURL                 string       `json:"customDataURL,omitempty"`
	Filters                       *Filters     `json:"filters,omitempty"`
	Sorting                       int          `json:"sorting"`
	Layout                        *Layout      `json:"layout,omitempty"`
	HideDisabled                  bool         `json:"hideDisabled"`
	Techniques                    []Technique  `json:"techniques"`
	Gradient                      *Gradient    `json:"gradient,omitempty"`
	LegendItems                   []LegendItem `json:"legendItems,omitempty"`
	ShowTacticRowBackground       bool         `json:"showTacticRowBackground,omitempty"`
	TacticRowBackground           string       `json:"tacticRowBackground,omitempty"`
	SelectTechniquesAcrossTactics *bool        `json:"selectTechniquesAcrossTactics,omitempty"`
	SelectSubtechniquesWithParent *bool        `json:"selectSubtechniquesWithParent,omitempty"`
	SelectVisibleTechniques       *bool        `json:"selectVisibleTechniques,omitempty"`
	Metadata                      []Metadata   `json:"metadata,omitempty"`
	Links                         []Link       `json:"links,omitempty"`
}

// Versions is the versions object of layer format 4.x.
type Versions struct {
	Attack    string `json:"attack,omitempty"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// Filters restricts the platforms shown. Older layers also had "stages",
// which is dropped.
type Filters struct {
	Platforms []string `json:"platforms,omitempty"`
}

// Layout is the matrix layout of layer format 4.x.
type Layout struct {
	Layout                string `json:"layout,omitempty"` // side, flat, mini
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores,omitempty"`
	CountUnscored         bool   `json:"countUnscored,omitempty"`
	AggregateFunction     string `json:"aggregateFunction,omitempty"`     // average, min, max, sum
	ExpandedSubtechniques string `json:"expandedSubtechniques,omitempty"` // none, all, annotated
}

// Technique annotates one technique or sub-technique, optionally under one
// tactic only.
type Technique struct {
	TechniqueID       string     `json:"techniqueID"`
	Tactic            string     `json:"tactic,omitempty"`
	Comment           string     `json:"comment,omitempty"`
	Enabled           *bool      `json:"enabled,omitempty"` // nil means true
	Score             *float64   `json:"score,omitempty"`   // nil means unscored
	Color             string     `json:"color,omitempty"`
	Metadata          []Metadata `json:"metadata,omitempty"`
	Links             []Link     `json:"links,omitempty"`
	ShowSubtechniques bool       `json:"showSubtechniques,omitempty"`
}

// IsEnabled reports whether the technique is enabled (the default).
func (t Technique) IsEnabled() bool { return t.Enabled == nil || *t.Enabled }

// Gradient maps scores to colours.
type Gradient struct {
	Colors   []string `json:"colors"`
	MinValue float64  `json:"minValue"`
	MaxValue float64  `json:"maxValue"`
}

// LegendItem is one legend entry.
type LegendItem struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// Metadata is a name/value pair, or a divider when Divider is true. Real
// layers carry pairs with an empty or missing value; they are kept and
// written back with "value": "".
type Metadata struct {
	Name    string `json:"name,omitempty"`
	Value   string `json:"value,omitempty"`
	Divider bool   `json:"divider,omitempty"`
}

// MarshalJSON writes a divider as {"divider": true} and a pair with both
// name and value, which layer format 4.5 requires.
func (m Metadata) MarshalJSON() ([]byte, error) {
	if m.Divider {
		return []byte(`{"divider":true}`), nil
	}
	return json.Marshal(struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}{m.Name, m.Value})
}

// Link is a labelled URL, or a divider when Divider is true.
type Link struct {
	Label   string `json:"label,omitempty"`
	URL     string `json:"url,omitempty"`
	Divider bool   `json:"divider,omitempty"`
}

// Score returns a pointer to v, for Technique.Score.
func Score(v float64) *float64 { return &v }

// Bool returns a pointer to v, for the optional booleans.
func Bool(v bool) *bool { return &v }
