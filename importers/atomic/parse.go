// Package atomic imports Atomic Red Team technique files
// (atomics/T*/T*.yaml) into the test library: every atomic test becomes a
// test_templates record keyed by its auto_generated_guid. The commands in
// these files are data shown to operators; nothing here executes them.
package atomic

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/yamlsafe"
)

// MaxFileSize bounds one technique file (the largest upstream is ~200 KiB).
const MaxFileSize = 4 << 20

var (
	techniqueRe = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	guidRe      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// File is one parsed technique file: the valid tests as templates, and a
// problem per test that could not be used (the file's other tests still
// import).
type File struct {
	Technique   string
	DisplayName string
	Templates   []store.Template
	Problems    []string
}

type rawFile struct {
	AttackTechnique any       `yaml:"attack_technique"`
	DisplayName     string    `yaml:"display_name"`
	AtomicTests     []rawTest `yaml:"atomic_tests"`
}

type rawTest struct {
	Name                   string         `yaml:"name"`
	GUID                   string         `yaml:"auto_generated_guid"`
	Description            string         `yaml:"description"`
	SupportedPlatforms     []string       `yaml:"supported_platforms"`
	InputArguments         map[string]any `yaml:"input_arguments"`
	DependencyExecutorName string         `yaml:"dependency_executor_name"`
	Dependencies           []rawDep       `yaml:"dependencies"`
	Executor               *rawExecutor   `yaml:"executor"`
}

type rawDep struct {
	Description      string `yaml:"description" json:"description"`
	PrereqCommand    string `yaml:"prereq_command" json:"prereq_command"`
	GetPrereqCommand string `yaml:"get_prereq_command" json:"get_prereq_command"`
}

type rawExecutor struct {
	Name              string `yaml:"name"`
	Command           string `yaml:"command"`
	CleanupCommand    string `yaml:"cleanup_command"`
	ElevationRequired any    `yaml:"elevation_required"`
	Steps             string `yaml:"steps"`
}

// Parse reads one Atomic Red Team technique file. path is stored on each
// template. A file that is not valid YAML or not a technique file is an
// error; a single bad test is a Problem.
func Parse(path string, data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", yamlsafe.ErrTooLarge, len(data), MaxFileSize)
	}
	var raw rawFile
	if err := yamlsafe.DecodeBytes(data, &raw, yamlsafe.Limits{MaxBytes: MaxFileSize}); err != nil {
		return nil, err
	}
	tech, ok := raw.AttackTechnique.(string)
	tech = strings.ToUpper(strings.TrimSpace(tech))
	if !ok || !techniqueRe.MatchString(tech) {
		return nil, fmt.Errorf("attack_technique %v is not an ATT&CK technique id", raw.AttackTechnique)
	}
	if len(raw.AtomicTests) == 0 {
		return nil, errors.New("no atomic_tests")
	}
	f := &File{Technique: tech, DisplayName: raw.DisplayName}
	for i, t := range raw.AtomicTests {
		tpl, err := convert(tech, path, t)
		if err != nil {
			f.Problems = append(f.Problems, fmt.Sprintf("test %d (%q): %v", i+1, t.Name, err))
			continue
		}
		f.Templates = append(f.Templates, tpl)
	}
	return f, nil
}

func convert(tech, path string, t rawTest) (store.Template, error) {
	name := strings.TrimSpace(t.Name)
	guid := strings.ToLower(strings.TrimSpace(t.GUID))
	switch {
	case name == "":
		return store.Template{}, errors.New("missing name")
	case guid == "":
		return store.Template{}, errors.New("missing auto_generated_guid")
	case !guidRe.MatchString(guid):
		return store.Template{}, fmt.Errorf("auto_generated_guid %q is not a GUID", t.GUID)
	case t.Executor == nil || strings.TrimSpace(t.Executor.Name) == "":
		return store.Template{}, errors.New("missing executor name")
	case len(t.SupportedPlatforms) == 0:
		return store.Template{}, errors.New("missing supported_platforms")
	}
	elevated, err := asBool(t.Executor.ElevationRequired)
	if err != nil {
		return store.Template{}, fmt.Errorf("elevation_required: %w", err)
	}
	platforms := make([]string, 0, len(t.SupportedPlatforms))
	for _, p := range t.SupportedPlatforms {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			platforms = append(platforms, p)
		}
	}
	tpl := store.Template{
		Source: "atomic", SourceID: guid, TechniqueID: tech, Name: name,
		Description: strings.TrimSpace(t.Description), Platforms: platforms,
		Executor: store.Executor{
			Name: strings.TrimSpace(t.Executor.Name), Command: t.Executor.Command,
			CleanupCommand: t.Executor.CleanupCommand, ElevationRequired: elevated, Steps: t.Executor.Steps,
		},
		InputArguments: t.InputArguments,
		Path:           path,
	}
	if len(t.Dependencies) > 0 {
		tpl.Dependencies = map[string]any{"executor": t.DependencyExecutorName, "items": t.Dependencies}
	}
	return tpl, nil
}

// asBool accepts YAML booleans and the strings "true"/"false" some files use.
func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes":
			return true, nil
		case "false", "no", "":
			return false, nil
		}
	}
	return false, fmt.Errorf("%v is not a boolean", v)
}

// IsTechniqueFile reports whether a source path looks like an Atomic Red
// Team technique file (…/T1059.001.yaml).
func IsTechniqueFile(path string) bool {
	base := path[strings.LastIndex(path, "/")+1:]
	lower := strings.ToLower(base)
	var stem string
	switch {
	case strings.HasSuffix(lower, ".yaml"):
		stem = base[:len(base)-5]
	case strings.HasSuffix(lower, ".yml"):
		stem = base[:len(base)-4]
	default:
		return false
	}
	return techniqueRe.MatchString(stem)
}

// trimBOM drops a UTF-8 byte order mark some editors add.
func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }
