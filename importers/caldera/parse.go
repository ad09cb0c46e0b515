// Package caldera imports MITRE CALDERA abilities (data/abilities/**.yml,
// each a YAML list of abilities) into the test library, one test_templates
// record per ability id. Both schemas found in mitre/stockpile are read:
// technique {attack_id, name} with platforms {os: {executor: {...}}}, and
// the newer flat technique_id/technique_name with an executors list.
// Adversary profiles are counted in the report, not stored. Commands are
// data shown to operators; nothing here executes them.
package caldera

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/yamlsafe"
)

// MaxFileSize bounds one ability or adversary file.
const MaxFileSize = 4 << 20

var (
	techniqueRe = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	idRe        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
)

// Ability is a parsed ability file: its templates, and one problem per
// ability that could not be used.
type Ability struct {
	Templates []store.Template
	Problems  []string
}

// Adversary is an adversary profile: an ordered list of ability ids.
type Adversary struct {
	ID        string   `yaml:"id"`
	LegacyID  string   `yaml:"adversary_id"` // older profiles
	Name      string   `yaml:"name"`
	Ordering  []string `yaml:"atomic_ordering"`
	Objective string   `yaml:"objective"`
}

type rawAbility struct {
	ID            string                          `yaml:"id"`
	Name          string                          `yaml:"name"`
	Description   string                          `yaml:"description"`
	Tactic        string                          `yaml:"tactic"`
	Technique     *rawTechnique                   `yaml:"technique"`
	TechniqueID   string                          `yaml:"technique_id"`
	TechniqueName string                          `yaml:"technique_name"`
	Platforms     map[string]map[string]rawOldExe `yaml:"platforms"`
	Executors     []rawNewExe                     `yaml:"executors"`
	Privilege     string                          `yaml:"privilege"`
	Requirements  any                             `yaml:"requirements"`
}

type rawTechnique struct {
	AttackID string `yaml:"attack_id"`
	Name     string `yaml:"name"`
}

type rawOldExe struct {
	Command  string   `yaml:"command"`
	Cleanup  any      `yaml:"cleanup"`
	Payloads []string `yaml:"payloads"`
	Timeout  int      `yaml:"timeout"`
}

type rawNewExe struct {
	Name     string   `yaml:"name"`
	Platform string   `yaml:"platform"`
	Command  string   `yaml:"command"`
	Cleanup  any      `yaml:"cleanup"`
	Payloads []string `yaml:"payloads"`
	Timeout  int      `yaml:"timeout"`
}

// ParseAbilities reads one ability file (a YAML list; a single mapping is
// accepted too). A file that is not YAML or holds no abilities is an error;
// a bad ability is a Problem and the file's others still import.
func ParseAbilities(path string, data []byte) (*Ability, error) {
	var list []rawAbility
	if err := yamlsafe.DecodeBytes(data, &list, yamlsafe.Limits{MaxBytes: MaxFileSize}); err != nil {
		var one rawAbility
		if err2 := yamlsafe.DecodeBytes(data, &one, yamlsafe.Limits{MaxBytes: MaxFileSize}); err2 != nil || one.ID == "" {
			return nil, err
		}
		list = []rawAbility{one}
	}
	if len(list) == 0 {
		return nil, errors.New("no abilities")
	}
	out := &Ability{}
	for i, a := range list {
		tpl, err := convert(path, a)
		if err != nil {
			out.Problems = append(out.Problems, fmt.Sprintf("ability %d (%q): %v", i+1, a.ID, err))
			continue
		}
		out.Templates = append(out.Templates, tpl)
	}
	return out, nil
}

// ParseAdversary reads one adversary profile.
func ParseAdversary(data []byte) (*Adversary, error) {
	var a Adversary
	if err := yamlsafe.DecodeBytes(data, &a, yamlsafe.Limits{MaxBytes: MaxFileSize}); err != nil {
		return nil, err
	}
	if strings.TrimSpace(a.ID) == "" {
		a.ID = a.LegacyID
	}
	if strings.TrimSpace(a.ID) == "" {
		return nil, errors.New("adversary without id or adversary_id")
	}
	return &a, nil
}

func convert(path string, a rawAbility) (store.Template, error) {
	id := strings.TrimSpace(a.ID)
	name := strings.TrimSpace(a.Name)
	if !idRe.MatchString(id) {
		return store.Template{}, fmt.Errorf("id %q is missing or not an identifier", a.ID)
	}
	if name == "" {
		return store.Template{}, errors.New("missing name")
	}
	tech := strings.TrimSpace(a.TechniqueID)
	if a.Technique != nil && strings.TrimSpace(a.Technique.AttackID) != "" {
		tech = strings.TrimSpace(a.Technique.AttackID)
	}
	tech = strings.ToUpper(tech)
	if tech != "" && !techniqueRe.MatchString(tech) {
		return store.Template{}, fmt.Errorf("technique %q is not an ATT&CK technique id", tech)
	}

	var variants []store.Variant
	// Old schema: platforms {os[,os]: {executor[,executor]: {...}}}.
	for _, osKeys := range sortedKeys(a.Platforms) {
		for _, exeKeys := range sortedKeys(a.Platforms[osKeys]) {
			e := a.Platforms[osKeys][exeKeys]
			for _, p := range splitKeys(osKeys) {
				for _, x := range splitKeys(exeKeys) {
					variants = append(variants, store.Variant{Platform: normalisePlatform(p), Name: x,
						Command: e.Command, Cleanup: cleanupText(e.Cleanup), Payloads: e.Payloads, Timeout: e.Timeout})
				}
			}
		}
	}
	// New schema: executors [{platform, name, command, cleanup: [...]}].
	for _, e := range a.Executors {
		for _, p := range splitKeys(e.Platform) {
			for _, x := range splitKeys(e.Name) {
				variants = append(variants, store.Variant{Platform: normalisePlatform(p), Name: x,
					Command: e.Command, Cleanup: cleanupText(e.Cleanup), Payloads: e.Payloads, Timeout: e.Timeout})
			}
		}
	}
	if len(variants) == 0 {
		return store.Template{}, errors.New("no executors")
	}
	platforms := []string{}
	seen := map[string]bool{}
	for _, v := range variants {
		if !seen[v.Platform] {
			seen[v.Platform] = true
			platforms = append(platforms, v.Platform)
		}
	}
	sort.Strings(platforms)
	first := variants[0]
	tpl := store.Template{
		Source: "caldera", SourceID: id, TechniqueID: tech, Name: name,
		Description: strings.TrimSpace(a.Description), Platforms: platforms,
		Executor: store.Executor{Name: first.Name, Command: first.Command, CleanupCommand: first.Cleanup,
			ElevationRequired: strings.EqualFold(strings.TrimSpace(a.Privilege), "elevated"),
			Tactic:            strings.TrimSpace(a.Tactic), Variants: variants},
		Path: path,
	}
	if req, ok := a.Requirements.([]any); ok && len(req) > 0 {
		tpl.Dependencies = map[string]any{"requirements": req}
	}
	return tpl, nil
}

// splitKeys splits comma-joined keys ("linux,darwin", "sh,bash").
func splitKeys(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// normalisePlatform maps CALDERA's OS names onto the library's (Atomic Red
// Team's) names, so templates of both sources filter alike.
func normalisePlatform(p string) string {
	if p == "darwin" {
		return "macos"
	}
	return p
}

// cleanupText accepts cleanup as a string or a list of strings.
func cleanupText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			if s, ok := p.(string); ok && strings.TrimSpace(s) != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
