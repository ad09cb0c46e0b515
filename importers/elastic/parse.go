// Package elastic imports Elastic detection rules (the TOML files of
// elastic/detection-rules) into detection_rules: rule_id, name,
// description, severity, risk score, type, language, query, index
// patterns, tags, maturity, dates and the [[rule.threat]] ATT&CK mappings.
// maturity "deprecated" becomes status deprecated, "production" stable and
// "development" experimental, so rule statuses mean the same across sources.
package elastic

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/aegis-sec/aegis/importers/internal/attackid"
	"github.com/aegis-sec/aegis/importers/internal/store"
)

// MaxFileSize is the largest rule file accepted (real rules are < 100 KB).
const MaxFileSize = 1 << 20

type ref struct {
	ID        string `toml:"id" json:"id"`
	Name      string `toml:"name" json:"name"`
	Reference string `toml:"reference" json:"reference,omitempty"`
}

type technique struct {
	ref
	Subtechnique []ref `toml:"subtechnique"`
}

type threat struct {
	Framework string      `toml:"framework"`
	Tactic    ref         `toml:"tactic"`
	Technique []technique `toml:"technique"`
}

type file struct {
	Metadata struct {
		CreationDate    string    `toml:"creation_date"`
		UpdatedDate     string    `toml:"updated_date"`
		DeprecationDate string    `toml:"deprecation_date"`
		Maturity        string    `toml:"maturity"`
		Integration     strOrList `toml:"integration"`
	} `toml:"metadata"`
	Rule *struct {
		RuleID            string   `toml:"rule_id"`
		Name              string   `toml:"name"`
		Description       string   `toml:"description"`
		Severity          string   `toml:"severity"`
		RiskScore         int64    `toml:"risk_score"`
		Type              string   `toml:"type"`
		Language          string   `toml:"language"`
		Query             string   `toml:"query"`
		Index             []string `toml:"index"`
		Tags              []string `toml:"tags"`
		Author            []string `toml:"author"`
		References        []string `toml:"references"`
		FalsePositives    []string `toml:"false_positives"`
		BuildingBlockType string   `toml:"building_block_type"`
		Version           int64    `toml:"version"`
		Threat            []threat `toml:"threat"`
	} `toml:"rule"`
}

// strOrList accepts a string or a list of strings (metadata.integration is
// written both ways upstream).
type strOrList []string

func (l *strOrList) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		*l = strOrList{x}
	case []any:
		out := make(strOrList, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("expected a list of strings, got %T", e)
			}
			out = append(out, s)
		}
		*l = out
	default:
		return fmt.Errorf("expected a string or a list of strings, got %T", v)
	}
	return nil
}

var severities = map[string]string{"low": "low", "medium": "medium", "high": "high", "critical": "critical"}

var statuses = map[string]string{"production": "stable", "deprecated": "deprecated", "development": "experimental"}

// Parse turns one TOML rule file into a rule.
func Parse(path string, data []byte) (store.Rule, error) {
	if len(data) > MaxFileSize {
		return store.Rule{}, fmt.Errorf("file too large: %d bytes (limit %d)", len(data), MaxFileSize)
	}
	var f file
	if _, err := toml.Decode(string(data), &f); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return store.Rule{}, fmt.Errorf("invalid TOML: line %d: %s", pe.Position.Line, pe.Message)
		}
		return store.Rule{}, fmt.Errorf("wrong field type: %w", err)
	}
	if f.Rule == nil {
		return store.Rule{}, errors.New("no [rule] table")
	}
	r := f.Rule
	id := strings.TrimSpace(r.RuleID)
	switch {
	case id == "":
		return store.Rule{}, errors.New("rule has no rule_id")
	case len(id) > 128 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x20 || c == 0x7f }):
		return store.Rule{}, fmt.Errorf("invalid rule_id %q", id[:min(len(id), 40)])
	case strings.TrimSpace(r.Name) == "":
		return store.Rule{}, errors.New("rule has no name")
	}
	maturity := strings.ToLower(strings.TrimSpace(f.Metadata.Maturity))
	status, ok := statuses[maturity]
	if !ok {
		status = maturity
	}
	out := store.Rule{
		SourceRuleID: id,
		Title:        r.Name,
		Description:  strings.TrimSpace(r.Description),
		Status:       status,
		Severity:     severities[strings.ToLower(strings.TrimSpace(r.Severity))],
		Author:       strings.Join(r.Author, ", "),
		References:   r.References,
		Content:      string(data),
		Path:         path,
		Meta: map[string]any{
			"risk_score": r.RiskScore, "type": r.Type, "language": r.Language, "query": r.Query,
			"index": nonNil(r.Index), "tags": nonNil(r.Tags), "maturity": maturity,
			"creation_date": normDate(f.Metadata.CreationDate), "updated_date": normDate(f.Metadata.UpdatedDate),
		},
	}
	if f.Metadata.DeprecationDate != "" {
		out.Meta["deprecation_date"] = normDate(f.Metadata.DeprecationDate)
	}
	if r.BuildingBlockType != "" {
		out.Meta["building_block"] = true
	}
	if len(r.FalsePositives) > 0 {
		out.Meta["falsepositives"] = r.FalsePositives
	}
	out.LogSources = map[string]any{"index": nonNil(r.Index), "integration": nonNil([]string(f.Metadata.Integration))}
	for _, tag := range r.Tags {
		if p, ok := strings.CutPrefix(tag, "OS: "); ok {
			p = strings.ToLower(strings.TrimSpace(p))
			if !slices.Contains(out.Platforms, p) {
				out.Platforms = append(out.Platforms, p)
			}
		}
	}
	var mappings []map[string]any
	addTech := func(raw string) {
		tid, k := attackid.Normalize(raw)
		if k != attackid.Technique {
			out.BadTechniques = append(out.BadTechniques, raw)
			return
		}
		if !slices.Contains(out.Techniques, tid) {
			out.Techniques = append(out.Techniques, tid)
		}
	}
	for _, th := range r.Threat {
		if th.Framework != "" && !strings.EqualFold(th.Framework, "MITRE ATT&CK") {
			continue
		}
		if th.Tactic.Name != "" {
			sn := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(th.Tactic.Name)), " ", "-")
			if !slices.Contains(out.Tactics, sn) {
				out.Tactics = append(out.Tactics, sn)
			}
		}
		m := map[string]any{"tactic": th.Tactic.ID}
		var techs []string
		for _, te := range th.Technique {
			addTech(te.ID)
			techs = append(techs, te.ID)
			for _, st := range te.Subtechnique {
				addTech(st.ID)
				techs = append(techs, st.ID)
			}
		}
		m["techniques"] = nonNil(techs)
		mappings = append(mappings, m)
	}
	if len(mappings) > 0 {
		out.Meta["threat"] = mappings
	}
	return out, nil
}

// normDate turns Elastic's 2022/04/12 into 2022-04-12.
func normDate(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "/", "-")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
