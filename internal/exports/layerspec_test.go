package exports_test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// layerSpec is what the Navigator layer format document (v4.5, from the
// shared data) requires, section by section: property name → required.
type layerSpec map[string]map[string]bool

func loadLayerSpec(t *testing.T) layerSpec {
	t.Helper()
	path := filepath.Join(testutil.SharedData(t), "attack-navigator-layers-and-spec.tar.gz")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		require.False(t, err == io.EOF, "layers/spec/v4.5/layerformat.md not in the archive")
		require.NoError(t, err)
		if strings.HasSuffix(h.Name, "layers/spec/v4.5/layerformat.md") {
			raw, err := io.ReadAll(tr)
			require.NoError(t, err)
			return parseLayerSpec(string(raw))
		}
	}
}

// parseLayerSpec reads the markdown property tables: "| name | type | Yes/No | …".
func parseLayerSpec(md string) layerSpec {
	spec := layerSpec{}
	section := ""
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			spec[section] = map[string]bool{}
			continue
		}
		cells := strings.Split(line, "|")
		if section == "" || len(cells) < 5 {
			continue
		}
		name, req := strings.TrimSpace(cells[1]), strings.ToLower(strings.TrimSpace(cells[3]))
		if name == "" || name == "Name" || strings.HasPrefix(name, ":") {
			continue
		}
		spec[section][name] = req == "yes"
	}
	return spec
}

func (s layerSpec) required(section string) []string {
	var out []string
	for k, req := range s[section] {
		if req {
			out = append(out, k)
		}
	}
	return out
}

var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// validateLayer checks an exported layer against the spec and the catalogue:
// every required field of every object, version values, domain, technique
// ids that exist, tactic shortnames that exist.
func validateLayer(t *testing.T, spec layerSpec, raw []byte, techniques, tactics map[string]bool) {
	t.Helper()
	var l map[string]any
	require.NoError(t, json.Unmarshal(raw, &l), "layer is not JSON")
	need := func(obj map[string]any, section, where string) {
		t.Helper()
		req := spec.required(section)
		require.NotEmpty(t, spec[section], "spec section %q not found", section)
		for _, k := range req {
			_, ok := obj[k]
			require.True(t, ok, "%s lacks required %q (%s)", where, k, section)
		}
		for k := range obj {
			_, ok := spec[section][k]
			require.True(t, ok, "%s has %q, which the layer format does not define (%s)", where, k, section)
		}
	}
	need(l, "Property Table", "layer")
	v := l["versions"].(map[string]any)
	need(v, "Version Object Properties", "versions")
	require.False(t, v["layer"] != "4.5", "versions: %v", v)
	require.GreaterOrEqual(t, v["navigator"].(string), "4.9.0", "versions: %v", v)
	require.Contains(t, []any{"enterprise-attack", "mobile-attack", "ics-attack"}, l["domain"], "the layer's domain is an ATT&CK domain")
	g := l["gradient"].(map[string]any)
	need(g, "Gradient Object properties", "gradient")
	require.GreaterOrEqual(t, len(g["colors"].([]any)), 2, "gradient: %v", g)
	require.Greater(t, g["maxValue"].(float64), g["minValue"].(float64), "gradient: %v", g)
	for _, li := range l["legendItems"].([]any) {
		need(li.(map[string]any), "LegendItem Object properties", "legend item")
	}
	need(l["layout"].(map[string]any), "Layout Object properties", "layout")
	techs := l["techniques"].([]any)
	require.NotEmpty(t, techs, "layer has no techniques")
	for _, x := range techs {
		tech := x.(map[string]any)
		need(tech, "Technique Object properties", "technique")
		id := tech["techniqueID"].(string)
		require.True(t, techniqueID.MatchString(id), "technique id %q is not a valid ATT&CK technique of the catalogue", id)
		require.True(t, techniques[id], "technique id %q is not a valid ATT&CK technique of the catalogue", id)
		ta, ok := tech["tactic"].(string)
		require.False(t, ok && !tactics[ta], "tactic %q is not a tactic shortname", ta)
		for _, m := range tech["metadata"].([]any) {
			mm := m.(map[string]any)
			if mm["divider"] == true {
				continue
			}
			need(mm, "Metadata Object properties", "metadata of "+id)
		}
		s, ok := tech["score"].(float64)
		require.False(t, ok && (s < 0 || s > 100), "%s score %v", id, s)
	}
}

func TestParseLayerSpec(t *testing.T) {
	spec := loadLayerSpec(t)
	for section, want := range map[string][]string{
		"Property Table":              {"name", "domain"},
		"Technique Object properties": {"techniqueID"},
		"Version Object Properties":   {"navigator", "layer"},
		"Gradient Object properties":  {"colors", "minValue", "maxValue"},
	} {
		got := strings.Join(spec.required(section), ",")
		for _, w := range want {
			assert.Contains(t, got, w, "%s: required %s, want %s among them", section, got, w)
		}
	}
}
