// Package sigma imports Sigma detection rules (YAML, one rule per file or
// the older multi-document form with `action: global`) into detection_rules.
//
// Multi-document files: the `action: global` document is merged into every
// following document (maps merged key by key, the variant winning on
// conflicts) and each variant becomes its own rule, because each targets a
// different log source and is deployed, enabled and scored on its own. A
// variant without an id of its own gets "<global id>#<n>" (n from 1) as its
// source_rule_id; the Sigma id stays in meta.sigma_id. Its content is the
// global document followed by the variant's text.
package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers/internal/attackid"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest Sigma file accepted. Real rules are a few KB;
// the biggest SigmaHQ rule is under 100 KB.
const MaxFileSize = 1 << 20

// maxDocuments bounds the documents of one multi-document file.
const maxDocuments = 100

// maxAliases bounds YAML aliases in one file. Sigma rules never need them;
// a handful is tolerated, an alias bomb is not.
const maxAliases = 50

// stringList accepts a YAML scalar or a sequence of scalars.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*l = nil
			return nil
		}
		*l = stringList{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(stringList, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a list of strings", c.Line)
			}
			if c.Tag != "!!null" {
				out = append(out, c.Value)
			}
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
}

// scalar accepts any YAML scalar (dates such as 2023-01-01 included) as text.
type scalar string

func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a single value", n.Line)
	}
	if n.Tag != "!!null" {
		*s = scalar(n.Value)
	}
	return nil
}

type logSource struct {
	Product    scalar `yaml:"product" json:"product,omitempty"`
	Category   scalar `yaml:"category" json:"category,omitempty"`
	Service    scalar `yaml:"service" json:"service,omitempty"`
	Definition scalar `yaml:"definition" json:"definition,omitempty"`
}

type related struct {
	ID   scalar `yaml:"id" json:"id"`
	Type scalar `yaml:"type" json:"type"`
}

type document struct {
	Action         scalar     `yaml:"action"`
	Title          scalar     `yaml:"title"`
	ID             scalar     `yaml:"id"`
	Status         scalar     `yaml:"status"`
	Description    scalar     `yaml:"description"`
	Author         scalar     `yaml:"author"`
	Date           scalar     `yaml:"date"`
	Modified       scalar     `yaml:"modified"`
	References     stringList `yaml:"references"`
	FalsePositives stringList `yaml:"falsepositives"`
	Level          scalar     `yaml:"level"`
	Tags           stringList `yaml:"tags"`
	LogSource      *logSource `yaml:"logsource"`
	Detection      *yaml.Node `yaml:"detection"`
	Related        []related  `yaml:"related"`
}

var separatorRe = regexp.MustCompile(`(?m)^---[ \t]*(?:#.*)?\r?$`)

// Parse turns one Sigma file into rules. A file either yields all its rules
// or an error; nothing of a broken file is imported.
func Parse(path string, data []byte) ([]store.Rule, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file too large: %d bytes (limit %d)", len(data), MaxFileSize)
	}
	docs, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	switch {
	case len(docs) == 0:
		return nil, errors.New("no YAML document")
	case len(docs) == 1:
		r, err := build(path, docs[0], string(data))
		if err != nil {
			return nil, err
		}
		return []store.Rule{r}, nil
	}

	raws := splitDocuments(data, len(docs))
	var head document
	if err := docs[0].Decode(&head); err != nil {
		return nil, fmt.Errorf("document 1: %w", err)
	}
	if string(head.Action) != "global" {
		// Independent rules in one stream: each must stand on its own.
		var out []store.Rule
		for i, d := range docs {
			r, err := build(path, d, raws[i])
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", i+1, err)
			}
			out = append(out, r)
		}
		return out, nil
	}
	if len(docs) == 1 {
		return nil, errors.New("action: global without variants")
	}
	var out []store.Rule
	for i, v := range docs[1:] {
		var vd document
		if err := v.Decode(&vd); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+2, err)
		}
		if a := string(vd.Action); a != "" {
			return nil, fmt.Errorf("document %d: unsupported action %q", i+2, a)
		}
		merged := merge(docs[0], v)
		content := strings.TrimRight(raws[0], "\n") + "\n---\n" + strings.TrimLeft(raws[i+1], "\n")
		r, err := build(path, merged, content)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+2, err)
		}
		if vd.ID == "" {
			r.Meta["sigma_id"] = r.SourceRuleID
			r.SourceRuleID = fmt.Sprintf("%s#%d", r.SourceRuleID, i+1)
		}
		r.Meta["variant"] = i + 1
		out = append(out, r)
	}
	return out, nil
}

// decodeAll parses every document into nodes (aliases unexpanded) and
// rejects alias-heavy input before anything is decoded into Go values.
func decodeAll(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	aliases := 0
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		if len(docs) >= maxDocuments {
			return nil, fmt.Errorf("more than %d YAML documents", maxDocuments)
		}
		aliases += countAliases(&n, 0)
		if aliases > maxAliases {
			return nil, fmt.Errorf("too many YAML aliases (more than %d): refusing a possible alias bomb", maxAliases)
		}
		root := &n
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			root = n.Content[0]
		}
		if root.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("document %d: expected a mapping at line %d", len(docs)+1, root.Line)
		}
		docs = append(docs, root)
	}
}

func countAliases(n *yaml.Node, depth int) int {
	if depth > 200 {
		return maxAliases + 1
	}
	c := 0
	if n.Kind == yaml.AliasNode {
		c++
	}
	for _, ch := range n.Content {
		c += countAliases(ch, depth+1)
	}
	return c
}

// splitDocuments cuts the raw text at document separators. When the cut
// does not line up with the parsed documents (a separator inside a block
// scalar, say) every document gets the whole file, which is still the
// truthful raw content.
func splitDocuments(data []byte, want int) []string {
	parts := separatorRe.Split(string(data), -1)
	var out []string
	for i, p := range parts {
		if i == 0 && strings.TrimSpace(p) == "" {
			continue // leading "---"
		}
		out = append(out, p)
	}
	if len(out) == want {
		return out
	}
	all := make([]string, want)
	for i := range all {
		all[i] = string(data)
	}
	return all
}

// merge returns global with variant merged in: mappings merge key by key,
// anything else in the variant replaces the global value.
func merge(global, variant *yaml.Node) *yaml.Node {
	if global.Kind != yaml.MappingNode || variant.Kind != yaml.MappingNode {
		return variant
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: global.Tag, Line: global.Line, Column: global.Column}
	out.Content = append(out.Content, global.Content...)
	for i := 0; i+1 < len(variant.Content); i += 2 {
		k, v := variant.Content[i], variant.Content[i+1]
		found := false
		for j := 0; j+1 < len(out.Content); j += 2 {
			if out.Content[j].Value == k.Value {
				out.Content[j+1] = merge(out.Content[j+1], v)
				found = true
				break
			}
		}
		if !found {
			out.Content = append(out.Content, k, v)
		}
	}
	return out
}

var levels = map[string]string{
	"informational": "informational", "low": "low", "medium": "medium", "high": "high", "critical": "critical",
}

// build decodes one (merged) document into a rule.
func build(path string, n *yaml.Node, content string) (store.Rule, error) {
	var d document
	if err := n.Decode(&d); err != nil {
		return store.Rule{}, fmt.Errorf("wrong field type: %w", err)
	}
	id := strings.TrimSpace(string(d.ID))
	switch {
	case id == "":
		return store.Rule{}, errors.New("rule has no id")
	case len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return store.Rule{}, fmt.Errorf("invalid rule id %q", truncate(id, 40))
	}
	title := strings.TrimSpace(string(d.Title))
	if title == "" {
		return store.Rule{}, errors.New("rule has no title")
	}
	if d.Detection == nil {
		return store.Rule{}, errors.New("rule has no detection section")
	}
	r := store.Rule{
		SourceRuleID: id,
		Title:        truncate(title, 500),
		Description:  string(d.Description),
		Status:       strings.ToLower(strings.TrimSpace(string(d.Status))),
		Severity:     levels[strings.ToLower(strings.TrimSpace(string(d.Level)))],
		Author:       truncate(string(d.Author), 500),
		References:   []string(d.References),
		Content:      content,
		Path:         path,
		Meta:         map[string]any{},
	}
	var groups, software, others []string
	for _, tag := range d.Tags {
		v, kind := attackid.SigmaTag(tag)
		switch kind {
		case attackid.Technique:
			if !slices.Contains(r.Techniques, v) {
				r.Techniques = append(r.Techniques, v)
			}
		case attackid.Tactic:
			if !slices.Contains(r.Tactics, v) {
				r.Tactics = append(r.Tactics, v)
			}
		case attackid.Group:
			groups = append(groups, v)
		case attackid.Software:
			software = append(software, v)
		default:
			if strings.HasPrefix(strings.ToLower(tag), "attack.t") {
				// Looks like a technique but is not one: report it, don't drop it.
				r.BadTechniques = append(r.BadTechniques, tag)
			} else {
				others = append(others, tag)
			}
		}
	}
	ls := logSource{}
	if d.LogSource != nil {
		ls = *d.LogSource
	}
	r.LogSources = ls
	if p := strings.ToLower(string(ls.Product)); p != "" {
		r.Platforms = []string{p}
	}
	r.Meta["tags"] = nonNil([]string(d.Tags))
	if len(groups) > 0 {
		r.Meta["groups"] = groups
	}
	if len(software) > 0 {
		r.Meta["software"] = software
	}
	if len(others) > 0 {
		r.Meta["other_tags"] = others
	}
	if fp := []string(d.FalsePositives); len(fp) > 0 {
		r.Meta["falsepositives"] = fp
	}
	if d.Date != "" {
		r.Meta["date"] = normDate(string(d.Date))
	}
	if d.Modified != "" {
		r.Meta["modified"] = normDate(string(d.Modified))
	}
	if string(d.Level) != "" {
		r.Meta["level"] = string(d.Level)
	}
	if len(d.Related) > 0 {
		r.Meta["related"] = d.Related
	}
	return r, nil
}

// normDate turns Sigma's 2021/08/14 and 2021-08-14 into 2021-08-14; other
// values are kept as written.
func normDate(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006/01/02", "2006-01-02", "2006/1/2", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
