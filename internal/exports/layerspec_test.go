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
		if err == io.EOF {
			t.Fatal("layers/spec/v4.5/layerformat.md not in the archive")
		}
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
		if len(spec[section]) == 0 {
			t.Fatalf("spec section %q not found", section)
		}
		for _, k := range req {
			if _, ok := obj[k]; !ok {
				t.Fatalf("%s lacks required %q (%s)", where, k, section)
			}
		}
		for k := range obj {
			if _, ok := spec[section][k]; !ok {
				t.Fatalf("%s has %q, which the layer format does not define (%s)", where, k, section)
			}
		}
	}
	need(l, "Property Table", "layer")
	v := l["versions"].(map[string]any)
	need(v, "Version Object Properties", "versions")
	if v["layer"] != "4.5" || v["navigator"].(string) < "4.9.0" {
		t.Fatalf("versions: %v", v)
	}
	switch l["domain"] {
	case "enterprise-attack", "mobile-attack", "ics-attack":
	default:
		t.Fatalf("domain %v", l["domain"])
	}
	g := l["gradient"].(map[string]any)
	need(g, "Gradient Object properties", "gradient")
	if len(g["colors"].([]any)) < 2 || g["maxValue"].(float64) <= g["minValue"].(float64) {
		t.Fatalf("gradient: %v", g)
	}
	for _, li := range l["legendItems"].([]any) {
		need(li.(map[string]any), "LegendItem Object properties", "legend item")
	}
	need(l["layout"].(map[string]any), "Layout Object properties", "layout")
	techs := l["techniques"].([]any)
	if len(techs) == 0 {
		t.Fatal("layer has no techniques")
	}
	for _, x := range techs {
		tech := x.(map[string]any)
		need(tech, "Technique Object properties", "technique")
		id := tech["techniqueID"].(string)
		if !techniqueID.MatchString(id) || !techniques[id] {
			t.Fatalf("technique id %q is not a valid ATT&CK technique of the catalogue", id)
		}
		if ta, ok := tech["tactic"].(string); ok && !tactics[ta] {
			t.Fatalf("tactic %q is not a tactic shortname", ta)
		}
		for _, m := range tech["metadata"].([]any) {
			mm := m.(map[string]any)
			if mm["divider"] == true {
				continue
			}
			need(mm, "Metadata Object properties", "metadata of "+id)
		}
		if s, ok := tech["score"].(float64); ok && (s < 0 || s > 100) {
			t.Fatalf("%s score %v", id, s)
		}
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
			if !strings.Contains(got, w) {
				t.Errorf("%s: required %s, want %s among them", section, got, w)
			}
		}
	}
}
