package navigator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
)

// MaxLayerSize bounds a layer file (real layers are well under 1 MiB).
const MaxLayerSize = 16 << 20

// MaxLayers bounds the layers of one multi-layer file.
const MaxLayers = 100

var (
	techniqueRe = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	versionRe   = regexp.MustCompile(`^\d+(\.\d+){0,2}$`)
	tacticRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)
)

// Domains are the layer domains of format 4.x.
var Domains = []string{"enterprise-attack", "mobile-attack", "ics-attack"}

// NormaliseDomain maps the domain names of older layers ("mitre-enterprise",
// "mitre-mobile", "mitre-ics") and of STIX bundles onto the 4.x names. It
// returns "" for an unknown domain.
func NormaliseDomain(d string) string {
	switch strings.ToLower(strings.TrimSpace(d)) {
	case "enterprise-attack", "mitre-enterprise", "enterprise":
		return "enterprise-attack"
	case "mobile-attack", "mitre-mobile", "mobile":
		return "mobile-attack"
	case "ics-attack", "mitre-ics", "ics":
		return "ics-attack"
	}
	return ""
}

// ValidationError lists everything wrong with a layer.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	const show = 5
	if len(e.Problems) <= show {
		return "invalid layer: " + strings.Join(e.Problems, "; ")
	}
	return fmt.Sprintf("invalid layer: %s; and %d more", strings.Join(e.Problems[:show], "; "), len(e.Problems)-show)
}

// Parse reads one layer (a file holding a list with exactly one layer is
// accepted too), normalises it and checks it. Errors say what is wrong and
// where.
func Parse(r io.Reader) (*Layer, error) {
	layers, err := ParseAll(r)
	if err != nil {
		return nil, err
	}
	if len(layers) != 1 {
		return nil, fmt.Errorf("file holds %d layers, expected one", len(layers))
	}
	return layers[0], nil
}

// ParseAll reads a layer file holding one layer or a list of layers (the
// Navigator's "download all layers" format).
func ParseAll(r io.Reader) ([]*Layer, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxLayerSize+1))
	if err != nil {
		return nil, fmt.Errorf("read layer: %w", err)
	}
	if len(data) > MaxLayerSize {
		return nil, fmt.Errorf("layer file larger than %d bytes", MaxLayerSize)
	}
	data = bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xef\xbb\xbf"))
	if len(data) == 0 {
		return nil, errors.New("empty layer file")
	}
	var raws []json.RawMessage
	switch data[0] {
	case '[':
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, fmt.Errorf("layer list: %w", err)
		}
		if len(raws) == 0 {
			return nil, errors.New("empty layer list")
		}
		if len(raws) > MaxLayers {
			return nil, fmt.Errorf("%d layers in one file, limit %d", len(raws), MaxLayers)
		}
	case '{':
		raws = []json.RawMessage{data}
	default:
		return nil, errors.New("not a layer file: expected a JSON object or list")
	}
	out := make([]*Layer, 0, len(raws))
	for i, raw := range raws {
		l, err := decodeOne(raw)
		if err != nil {
			if len(raws) > 1 {
				return nil, fmt.Errorf("layer %d: %w", i+1, err)
			}
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func decodeOne(raw json.RawMessage) (*Layer, error) {
	var l Layer
	if err := json.Unmarshal(raw, &l); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("layer field %s: got a JSON %s, expected %s", te.Field, te.Value, te.Type)
		}
		return nil, fmt.Errorf("layer JSON: %w", err)
	}
	normalise(&l)
	if err := check(&l, false); err != nil {
		return nil, err
	}
	return &l, nil
}

// normalise trims ids, upper-cases technique ids, lower-cases tactics and
// maps old domain names.
func normalise(l *Layer) {
	l.Name = strings.TrimSpace(l.Name)
	if d := NormaliseDomain(l.Domain); d != "" {
		l.Domain = d
	}
	for i := range l.Techniques {
		t := &l.Techniques[i]
		t.TechniqueID = strings.ToUpper(strings.TrimSpace(t.TechniqueID))
		t.Tactic = strings.ToLower(strings.TrimSpace(t.Tactic))
	}
}

// FormatVersion is the layer format version: versions.layer for 4.x, the
// top-level version before that, "" when the file names none.
func (l *Layer) FormatVersion() string {
	if l.Versions != nil && l.Versions.Layer != "" {
		return l.Versions.Layer
	}
	return l.Version
}

// check validates the parts every format shares; strict adds the 4.5
// requirements for layers Aegis writes.
func check(l *Layer, strict bool) error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if l.Name == "" {
		add("name is required")
	}
	if NormaliseDomain(l.Domain) != l.Domain || l.Domain == "" {
		add("domain %q is not one of enterprise-attack, mobile-attack, ics-attack", l.Domain)
	}
	if v := l.FormatVersion(); v != "" && !versionRe.MatchString(v) {
		add("layer format version %q is not a version number", v)
	}
	if l.Sorting < 0 || l.Sorting > 3 {
		add("sorting %d is not 0-3", l.Sorting)
	}
	for i, t := range l.Techniques {
		where := fmt.Sprintf("techniques[%d]", i)
		if t.TechniqueID != "" {
			where += " (" + t.TechniqueID + ")"
		}
		if !techniqueRe.MatchString(t.TechniqueID) {
			add("%s: techniqueID %q is not T#### or T####.###", where, t.TechniqueID)
		}
		if t.Tactic != "" && !tacticRe.MatchString(t.Tactic) {
			add("%s: tactic %q is not a tactic short name such as lateral-movement", where, t.Tactic)
		}
		if t.Score != nil && (math.IsNaN(*t.Score) || math.IsInf(*t.Score, 0)) {
			add("%s: score is not a finite number", where)
		}
		checkMetadata(t.Metadata, where, add)
		checkLinks(t.Links, where, add)
	}
	if g := l.Gradient; g != nil {
		if len(g.Colors) < 2 {
			add("gradient needs at least two colors")
		}
		if !(g.MaxValue > g.MinValue) {
			add("gradient maxValue %v must be greater than minValue %v", g.MaxValue, g.MinValue)
		}
	}
	for i, li := range l.LegendItems {
		if li.Label == "" || li.Color == "" {
			add("legendItems[%d]: label and color are required", i)
		}
	}
	checkMetadata(l.Metadata, "layer", add)
	checkLinks(l.Links, "layer", add)
	if strict {
		if l.Versions == nil || l.Versions.Layer != "4.5" {
			add(`versions.layer must be "4.5"`)
		} else if !atLeast(l.Versions.Navigator, "4.9.0") {
			add("versions.navigator %q must be at least 4.9.0", l.Versions.Navigator)
		}
		if l.Version != "" {
			add("top-level version is not part of layer format 4.5")
		}
		if lo := l.Layout; lo != nil {
			if !oneOf(lo.Layout, "", "side", "flat", "mini") {
				add("layout.layout %q is not side, flat or mini", lo.Layout)
			}
			if !oneOf(lo.AggregateFunction, "", "average", "min", "max", "sum") {
				add("layout.aggregateFunction %q is not average, min, max or sum", lo.AggregateFunction)
			}
			if !oneOf(lo.ExpandedSubtechniques, "", "none", "all", "annotated") {
				add("layout.expandedSubtechniques %q is not none, all or annotated", lo.ExpandedSubtechniques)
			}
		}
	}
	if len(p) > 0 {
		return &ValidationError{Problems: p}
	}
	return nil
}

func checkMetadata(ms []Metadata, where string, add func(string, ...any)) {
	for i, m := range ms {
		if !m.Divider && m.Name == "" {
			add("%s: metadata[%d] needs a name (or divider: true)", where, i)
		}
	}
}

func checkLinks(ls []Link, where string, add func(string, ...any)) {
	for i, l := range ls {
		if l.Divider {
			continue
		}
		if l.Label == "" || !strings.Contains(l.URL, "://") {
			add("%s: links[%d] needs a label and a URL with a protocol", where, i)
		}
	}
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// atLeast compares dotted version numbers.
func atLeast(v, min string) bool {
	if !versionRe.MatchString(v) {
		return false
	}
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(b); i++ {
		var x, y int
		if i < len(a) {
			fmt.Sscan(a[i], &x)
		}
		fmt.Sscan(b[i], &y)
		if x != y {
			return x > y
		}
	}
	return true
}
