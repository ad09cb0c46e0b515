package navigator_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/importers/navigator"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func parseFile(t *testing.T, path string) *navigator.Layer {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	l, err := navigator.Parse(f)
	require.NoError(t, err, "%s", path)
	return l
}

func TestParseSynthetic(t *testing.T) {
	l := parseFile(t, "testdata/layer-v45.json")
	require.EqualValuesf(t, "4.5", l.FormatVersion(), "layer: %+v", l)
	require.Lenf(t, l.Techniques, 6, "layer: %+v", l)
	require.EqualValuesf(t, "T1110.001", l.Techniques[1].TechniqueID, "layer: %+v", l)
	require.EqualValuesf(t, "defense-evasion", l.Techniques[2].Tactic, "layer: %+v", l)
	require.Falsef(t, l.Techniques[3].IsEnabled(), "layer: %+v", l)
	require.Falsef(t, *l.Techniques[0].Score != 0, "layer: %+v", l)
	// T1078 is disabled and T1098 carries nothing.
	got := strings.Join(navigator.Selected(l), ",")
	require.EqualValuesf(t, "T1110,T1110.001,T1134,T1053", got, "selected %s", got)
	old := parseFile(t, "testdata/layer-v30.json")
	require.EqualValuesf(t, "mobile-attack", old.Domain, "old layer: %+v", old)
	require.EqualValuesf(t, "3.0", old.FormatVersion(), "old layer: %+v", old)
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"empty":           {"", "empty layer file"},
		"not json":        {"hello", "expected a JSON object or list"},
		"broken json":     {`{"name": "x",`, "layer JSON"},
		"empty list":      {"[]", "empty layer list"},
		"two layers":      {`[{"name":"a","domain":"enterprise-attack"},{"name":"b","domain":"enterprise-attack"}]`, "holds 2 layers"},
		"no name":         {`{"domain":"enterprise-attack"}`, "name is required"},
		"bad domain":      {`{"name":"a","domain":"pre-attack"}`, `domain "pre-attack"`},
		"bad technique":   {`{"name":"a","domain":"enterprise-attack","techniques":[{"techniqueID":"T12"}]}`, `techniques[0] (T12): techniqueID "T12"`},
		"string score":    {`{"name":"a","domain":"enterprise-attack","techniques":[{"techniqueID":"T1001","score":"5"}]}`, "techniques.score: got a JSON string"},
		"bad gradient":    {`{"name":"a","domain":"enterprise-attack","gradient":{"colors":["#fff"],"minValue":5,"maxValue":5}}`, "at least two colors"},
		"bad version":     {`{"name":"a","domain":"enterprise-attack","versions":{"layer":"four"}}`, `layer format version "four"`},
		"bad link":        {`{"name":"a","domain":"enterprise-attack","links":[{"label":"x","url":"example.org"}]}`, "URL with a protocol"},
		"bad tactic":      {`{"name":"a","domain":"enterprise-attack","techniques":[{"techniqueID":"T1001","tactic":"<script>"}]}`, "tactic short name"},
		"bad sorting":     {`{"name":"a","domain":"enterprise-attack","sorting":9}`, "sorting 9"},
		"bad list member": {`[{"name":"a","domain":"enterprise-attack"},{"name":"","domain":"x"}]`, "layer 2: invalid layer"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := navigator.Parse(strings.NewReader(tc.in))
			require.NotNilf(t, err, "err = %v, want %q", err, tc.want)
			require.Falsef(t, !strings.Contains(err.Error(), tc.want), "err = %v, want %q", err, tc.want)
		})
	}
	var ve *navigator.ValidationError
	_, err := navigator.Parse(strings.NewReader(`{"domain":"x","techniques":[{"techniqueID":"a"},{"techniqueID":"b"},{"techniqueID":"c"},{"techniqueID":"d"},{"techniqueID":"e"}]}`))
	require.Truef(t, errors.As(err, &ve), "err = %v", err)
	require.Lenf(t, ve.Problems, 7, "err = %v", err)
	require.Falsef(t, !strings.Contains(err.Error(), "and 2 more"), "err = %v", err)
}

func TestBuildAndMarshal(t *testing.T) {
	l, err := navigator.Build(navigator.BuildOptions{Name: "coverage", AttackVersion: "18"}, []navigator.Technique{
		{TechniqueID: "T1059.001", Score: navigator.Score(80), Comment: "validated"},
		{TechniqueID: "T1003", Tactic: "credential-access", Score: navigator.Score(12.5), Color: "#ff6666"},
	})
	require.NoError(t, err)
	out, err := navigator.Marshal(l)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	v := m["versions"].(map[string]any)
	require.EqualValuesf(t, "4.5", v["layer"], "versions: %v", m)
	require.EqualValuesf(t, navigator.NavigatorVersion, v["navigator"], "versions: %v", m)
	require.EqualValuesf(t, "18", v["attack"], "versions: %v", m)
	require.Nilf(t, m["version"], "versions: %v", m)
	back, err := navigator.Parse(bytes.NewReader(out))
	require.NoErrorf(t, err, "round trip: %v %+v", err, back)
	require.EqualValuesf(t, "T1003", back.Techniques[0].TechniqueID, "round trip: %v %+v", err, back)
	require.Falsef(t, *back.Techniques[1].Score != 80, "round trip: %v %+v", err, back)

	_, err = navigator.Build(navigator.BuildOptions{}, nil)
	require.NotNilf(t, err, "nameless build: %v", err)
	require.Containsf(t, err.Error(), "name is required", "nameless build: %v", err)
	_, err = navigator.Build(navigator.BuildOptions{Name: "x", Domain: "pre-attack"}, nil)
	require.NotNil(t, err, "unknown domain accepted")
	bad := *l
	bad.Versions = &navigator.Versions{Layer: "4.5", Navigator: "4.8.0"}
	_, err = navigator.Marshal(&bad)
	require.NotNilf(t, err, "old navigator version: %v", err)
	require.Containsf(t, err.Error(), "at least 4.9.0", "old navigator version: %v", err)
	bad.Versions = &navigator.Versions{Layer: "4.5", Navigator: "5.1.0"}
	bad.Layout = &navigator.Layout{AggregateFunction: "median"}
	_, err = navigator.Marshal(&bad)
	require.NotNilf(t, err, "bad layout: %v", err)
	require.Containsf(t, err.Error(), "aggregateFunction", "bad layout: %v", err)
}

// archive reads every member of a shared .tar.gz.
func archive(t *testing.T, name string) map[string][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.SharedData(t), name))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[h.Name] = b
	}
}

func TestRealLayers(t *testing.T) {
	type want struct {
		techniques, selected int
		format, domain       string
	}
	cases := map[string]map[string]want{
		"attack-navigator-layers-and-spec.tar.gz": {
			"layers/samples/heatmap_layer.json":                      {428, 428, "3.0", "enterprise-attack"},
			"layers/samples/Bear_APT.json":                           {126, 126, "3.0", "enterprise-attack"},
			"layers/samples/ATTACKcon 2018/Submitter_Responses.json": {47, 34, "3.0", "enterprise-attack"},
			"layers/samples/ATTACKcon 2018/Blue_Pins.json":           {32, 22, "3.0", "enterprise-attack"},
			"layers/samples/ATTACKcon 2018/Gold_Pins.json":           {27, 19, "3.0", "enterprise-attack"},
			"layers/samples/ATTACKcon 2018/Red_Pins.json":            {24, 18, "3.0", "enterprise-attack"},
			"layers/samples/ATTACKcon 2018/Black_Pins.json":          {22, 20, "3.0", "enterprise-attack"},
		},
		"navigator-layers-ctid-control-framework.tar.gz": {
			"frameworks/attack_12_1/nist800_53_r4/layers/nist800-53-r4-overview.json": {427, 427, "4.2", "enterprise-attack"},
			"frameworks/attack_12_1/nist800_53_r5/layers/nist800-53-r5-overview.json": {427, 427, "4.2", "enterprise-attack"},
		},
		"navigator-layers-ctid-mappings-explorer-m365.tar.gz": {
			"legacy/m365-12.11.2023_attack-14.1-enterprise_E3_navigator_layers.json": {105, 105, "4.4", "enterprise-attack"},
			"legacy/m365-12.11.2023_attack-14.1-enterprise_E5_navigator_layers.json": {119, 119, "4.4", "enterprise-attack"},
		},
	}
	for name, layers := range cases {
		files := archive(t, name)
		for path, w := range layers {
			t.Run(filepath.Base(path), func(t *testing.T) {
				l, err := navigator.Parse(bytes.NewReader(files[path]))
				require.NoError(t, err)
				if len(l.Techniques) != w.techniques || len(navigator.Selected(l)) != w.selected ||
					l.FormatVersion() != w.format || l.Domain != w.domain {
					t.Fatalf("techniques %d selected %d format %s domain %s", len(l.Techniques),
						len(navigator.Selected(l)), l.FormatVersion(), l.Domain)
				}
				// Every real layer upgrades to a valid 4.5 layer and reads back the same.
				l.Upgrade()
				out, err := navigator.Marshal(l)
				require.NoError(t, err)
				back, err := navigator.Parse(bytes.NewReader(out))
				require.NoErrorf(t, err, "round trip: %v", err)
				require.Lenf(t, back.Techniques, w.techniques, "round trip: %v", err)
				require.EqualValuesf(t, "4.5", back.FormatVersion(), "round trip: %v", err)
			})
		}
	}
}

// TestMarshalHasSpecRequiredFields reads the required properties of the
// top-level, version, technique, gradient and legend objects from the 4.5
// specification in the shared archive and checks a built layer has them.
func TestMarshalHasSpecRequiredFields(t *testing.T) {
	spec := archive(t, "attack-navigator-layers-and-spec.tar.gz")["layers/spec/v4.5/layerformat.md"]
	require.NotEqualValues(t, 0, len(spec), "4.5 spec missing from the archive")
	required := map[string][]string{}
	section := ""
	row := regexp.MustCompile(`^\|\s*(\w+)\s*\|[^|]*\|\s*(Yes|yes)\s*\|`)
	sc := bufio.NewScanner(bytes.NewReader(spec))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil {
			required[section] = append(required[section], m[1])
		}
	}
	l, err := navigator.Build(navigator.BuildOptions{Name: "spec check",
		Legend: []navigator.LegendItem{{Label: "ok", Color: "#00ff00"}}},
		[]navigator.Technique{{TechniqueID: "T1001", Score: navigator.Score(1)}})
	require.NoError(t, err)
	out, _ := navigator.Marshal(l)
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	objects := map[string]map[string]any{
		"Property Table":               m,
		"Version Object Properties":    m["versions"].(map[string]any),
		"Technique Object properties":  m["techniques"].([]any)[0].(map[string]any),
		"Gradient Object properties":   m["gradient"].(map[string]any),
		"LegendItem Object properties": m["legendItems"].([]any)[0].(map[string]any),
	}
	checked := 0
	for sec, obj := range objects {
		require.NotEqualValuesf(t, 0, len(required[sec]), "no required fields found in spec section %q", sec)
		for _, f := range required[sec] {
			checked++
			_, ok := obj[f]
			assert.Truef(t, ok, "%s: required %q missing from the exported layer", sec, f)
		}
	}
	require.Falsef(t, checked < 9, "only %d required fields found in the spec", checked)
}

func TestImportKind(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t), "attack-navigator-layers-and-spec.tar.gz")
	app := testutil.NewApp(t)
	src, err := source.Open(path, source.Options{})
	require.NoError(t, err)
	rep, err := navigator.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 7, rep.Counts["layers"], "report: %+v", rep)
	require.Falsef(t, rep.Counts["techniques"] != 428+126+47+32+27+24+22, "report: %+v", rep)
	require.Lenf(t, rep.FileErrors, 0, "report: %+v", rep)
	require.Truef(t, rep.NoChange, "report: %+v", rep)
	require.Falsef(t, rep.Counts["format:3.0"] != 7, "report: %+v", rep)
	bad, err := navigator.Import(context.Background(), app, testsrc.Files{"a.json": "{", "b.json": `{"name":"b","domain":"enterprise-attack"}`, "c.txt": "x"}, importers.Options{})
	require.NoErrorf(t, err, "bad: %v %+v", err, bad)
	require.Lenf(t, bad.FileErrors, 1, "bad: %v %+v", err, bad)
	require.EqualValuesf(t, "a.json", bad.FileErrors[0].Path, "bad: %v %+v", err, bad)
	require.EqualValuesf(t, 1, bad.Counts["layers"], "bad: %v %+v", err, bad)
}

func FuzzParseLayer(f *testing.F) {
	for _, p := range []string{"testdata/layer-v45.json", "testdata/layer-v30.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		layers, err := navigator.ParseAll(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, l := range layers {
			_ = navigator.Selected(l)
			l.Upgrade()
			out, err := navigator.Marshal(l)
			if err != nil {
				continue
			}
			back, err := navigator.Parse(bytes.NewReader(out))
			require.NoErrorf(t, err, "marshalled layer does not parse back: %v\n%s", err, out)
			require.EqualValuesf(t, len(l.Techniques), len(back.Techniques), "marshalled layer does not parse back: %v\n%s", err, out)
		}
	})
}
