// Package d3fend imports MITRE D3FEND defensive techniques and their
// mappings to ATT&CK techniques: the technique list (ontologies/d3fend.csv)
// and the per-technique API answers
// (api/offensive-technique/attack/Txxxx.json, SPARQL-results JSON), from the
// offline data set or the D3FEND API over the source layer. Files are read
// one at a time; only the distinct (ATT&CK, D3FEND) pairs are kept, so a
// 120 MB dump never sits in memory.
package d3fend

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Technique is one defensive technique.
type Technique struct {
	ID         string // D3-PSA, or d3f:<Name> for techniques the list lacks
	Name       string
	Tactic     string // lower-case select value: model, harden, detect, isolate, deceive, evict, restore
	Level0     string
	Level1     string
	Definition string
	URI        string
}

// pair keys an (ATT&CK id, D3FEND technique URI or name) mapping.
type pair struct{ attack, def string }

// defInfo is what the mapping bindings say about a defensive technique.
type defInfo struct{ label, tactic, uri string }

var tactics = map[string]string{
	"model": "model", "harden": "harden", "detect": "detect", "isolate": "isolate",
	"deceive": "deceive", "evict": "evict", "restore": "restore",
}

// ParseCSV reads the D3FEND technique list (ID, D3FEND Tactic, D3FEND
// Technique, Level 0, Level 1, Definition). A row repeating an ID already seen is
// dropped and noted: the first row wins.
func ParseCSV(data []byte) ([]Technique, []string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("invalid CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	need := []string{"id", "d3fend tactic", "d3fend technique"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, nil, fmt.Errorf("not a D3FEND technique list: column %q missing", n)
		}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []Technique
	var notes []string
	seen := map[string]Technique{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("invalid CSV: %w", err)
		}
		t := Technique{
			ID:         get(rec, "id"),
			Level0:     get(rec, "d3fend technique level 0"),
			Level1:     get(rec, "d3fend technique level 1"),
			Definition: get(rec, "definition"),
		}
		t.Name = get(rec, "d3fend technique")
		if t.Name == "" {
			t.Name = t.Level0
		}
		if t.Name == "" {
			t.Name = t.Level1
		}
		t.Tactic = tactics[strings.ToLower(get(rec, "d3fend tactic"))]
		if t.ID == "" || t.Name == "" {
			notes = append(notes, fmt.Sprintf("line %d: row without id or name skipped", line))
			continue
		}
		if prev, dup := seen[t.ID]; dup {
			// Upstream lists D3-PCA twice with two wordings of its definition.
			what := "duplicate row"
			if prev != t {
				what = "duplicate id with different content"
			}
			notes = append(notes, fmt.Sprintf("line %d: %s for %s: the first row is kept", line, what, t.ID))
			continue
		}
		seen[t.ID] = t
		out = append(out, t)
	}
	return out, notes, nil
}

type binding map[string]struct {
	Value string `json:"value"`
}

type sparql struct {
	Results *struct {
		Bindings []binding `json:"bindings"`
	} `json:"results"`
}

// mappingFile is an offensive-technique API answer; a bare SPARQL result
// (the bulk mappings file) is accepted too.
type mappingFile struct {
	OffToDef *sparql `json:"off_to_def"`
	sparql
}

// errNotMapping marks JSON that is valid but not an ATT&CK mapping answer.
var errNotMapping = errors.New("not a D3FEND ATT&CK mapping file")

// ParseMappings reads one mapping answer and calls add for every binding
// that joins an ATT&CK technique to a defensive technique.
func ParseMappings(data []byte, add func(attackID string, def defInfo, via string)) error {
	var f mappingFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	res := f.OffToDef
	if res == nil && f.Results != nil {
		res = &f.sparql
	}
	if res == nil || res.Results == nil {
		return errNotMapping
	}
	for _, b := range res.Results.Bindings {
		off := strings.TrimSpace(b["off_tech_id"].Value)
		def := defInfo{uri: b["def_tech"].Value, label: strings.TrimSpace(b["def_tech_label"].Value),
			tactic: tactics[strings.ToLower(strings.TrimSpace(b["def_tactic_label"].Value))]}
		if off == "" || (def.uri == "" && def.label == "") {
			continue // the offensive half of the graph with no countermeasure
		}
		via := b["def_artifact_label"].Value
		if via == "" {
			via = b["off_artifact_label"].Value
		}
		add(off, def, via)
	}
	return nil
}

// fragment returns the local name of an ontology URI (…d3fend.owl#RestoreFile → RestoreFile).
func fragment(uri string) string {
	if i := strings.LastIndexByte(uri, '#'); i >= 0 {
		return uri[i+1:]
	}
	return uri
}

// squash makes a technique name comparable with an ontology local name.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
