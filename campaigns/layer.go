package campaigns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// MaxLayerBytes bounds an uploaded Navigator layer.
const MaxLayerBytes = 32 << 20

// Layer is the part of an ATT&CK Navigator layer (format 4.x) that picks
// techniques.
type Layer struct {
	Name        string
	Domain      string
	Description string
	// Techniques are the ATT&CK ids the layer scores or selects, sorted.
	Techniques []string
}

type layerFile struct {
	Name        string `json:"name"`
	Domain      string `json:"domain"`
	Description string `json:"description"`
	Techniques  []struct {
		TechniqueID string          `json:"techniqueID"`
		Score       json.RawMessage `json:"score"`
		Color       string          `json:"color"`
		Enabled     *bool           `json:"enabled"`
	} `json:"techniques"`
}

var attackID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// ParseLayer reads a Navigator layer and returns the techniques it scores
// (a numeric score) or selects (a colour), minus those it disables. Ids are
// deduplicated across tactics. A layer that picks nothing is an error.
func ParseLayer(r io.Reader) (Layer, error) {
	var lf layerFile
	dec := json.NewDecoder(io.LimitReader(r, MaxLayerBytes+1))
	if err := dec.Decode(&lf); err != nil {
		return Layer{}, fmt.Errorf("navigator layer: not valid JSON: %w", err)
	}
	if lf.Techniques == nil {
		return Layer{}, errors.New("navigator layer: no \"techniques\" list")
	}
	seen := map[string]bool{}
	var bad []string
	for _, t := range lf.Techniques {
		id := strings.ToUpper(strings.TrimSpace(t.TechniqueID))
		if t.Enabled != nil && !*t.Enabled {
			continue
		}
		scored := false
		if s := strings.TrimSpace(string(t.Score)); s != "" && s != "null" {
			var f float64
			scored = json.Unmarshal(t.Score, &f) == nil
		}
		if !scored && strings.TrimSpace(t.Color) == "" {
			continue
		}
		if !attackID.MatchString(id) {
			if len(bad) < 5 {
				bad = append(bad, fmt.Sprintf("%q", t.TechniqueID))
			}
			continue
		}
		seen[id] = true
	}
	if len(bad) > 0 {
		return Layer{}, fmt.Errorf("navigator layer: invalid technique ids %s", strings.Join(bad, ", "))
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		return Layer{}, errors.New("navigator layer: it neither scores nor selects any technique")
	}
	return Layer{Name: lf.Name, Domain: lf.Domain, Description: lf.Description, Techniques: ids}, nil
}
