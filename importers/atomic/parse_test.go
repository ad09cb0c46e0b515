package atomic_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/internal/yamlsafe"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	good, err := os.ReadFile("testdata/atomics/T9001/T9001.yaml")
	require.NoError(t, err)
	tests := []struct {
		name      string
		in        string
		wantErr   string
		templates int
		problems  int
	}{
		{name: "two tests", in: string(good), templates: 2},
		{name: "not yaml", in: "attack_technique: [T1\n", wantErr: "yaml"},
		{name: "bad technique id", in: "attack_technique: X1\natomic_tests: [{name: a}]", wantErr: "not an ATT&CK technique id"},
		{name: "technique is a list", in: "attack_technique: [T1001]\natomic_tests: [{name: a}]", wantErr: "not an ATT&CK technique id"},
		{name: "no tests", in: "attack_technique: T1001\n", wantErr: "no atomic_tests"},
		{name: "bad guid is a problem, not an error", in: "attack_technique: T1001\natomic_tests:\n- name: a\n  auto_generated_guid: nope\n  supported_platforms: [linux]\n  executor: {name: sh}\n", problems: 1},
		{name: "missing executor", in: "attack_technique: T1001\natomic_tests:\n- name: a\n  auto_generated_guid: 11111111-2222-4333-8444-555555555501\n  supported_platforms: [linux]\n", problems: 1},
		{name: "bad elevation", in: "attack_technique: T1001\natomic_tests:\n- name: a\n  auto_generated_guid: 11111111-2222-4333-8444-555555555501\n  supported_platforms: [linux]\n  executor: {name: sh, elevation_required: [1]}\n", problems: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := atomic.Parse("x.yaml", []byte(tc.in))
			if tc.wantErr != "" {
				require.NotNilf(t, err, "err = %v, want %q", err, tc.wantErr)
				require.Falsef(t, !strings.Contains(err.Error(), tc.wantErr), "err = %v, want %q", err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Lenf(t, f.Templates, tc.templates, "templates %d problems %v", len(f.Templates), f.Problems)
			require.Lenf(t, f.Problems, tc.problems, "templates %d problems %v", len(f.Templates), f.Problems)
		})
	}
}

func TestParseFields(t *testing.T) {
	data, _ := os.ReadFile("testdata/atomics/T9001/T9001.yaml")
	f, err := atomic.Parse("atomics/T9001/T9001.yaml", data)
	require.NoError(t, err)
	a, m := f.Templates[0], f.Templates[1]
	require.EqualValuesf(t, "11111111-2222-4333-8444-555555555501", a.SourceID, "first template: %+v", a)
	require.EqualValuesf(t, "T9001", a.TechniqueID, "first template: %+v", a)
	require.EqualValuesf(t, "sh", a.Executor.Name, "first template: %+v", a)
	require.Containsf(t, a.Executor.Command, "#{marker}", "first template: %+v", a)
	require.Falsef(t, strings.TrimSpace(a.Executor.CleanupCommand) != "echo done", "first template: %+v", a)
	require.Falsef(t, a.Executor.ElevationRequired, "first template: %+v", a)
	require.Falsef(t, strings.Join(a.Platforms, ",") != "windows,linux", "first template: %+v", a)
	require.NotNilf(t, a.InputArguments["count"], "first template: %+v", a)
	require.EqualValuesf(t, "manual", m.Executor.Name, "manual template: %+v", m)
	require.Containsf(t, m.Executor.Steps, "Open the settings", "manual template: %+v", m)
	require.Truef(t, m.Executor.ElevationRequired, "manual template: %+v", m)
	require.NotNilf(t, m.Dependencies, "manual template: %+v", m)
	require.EqualValuesf(t, "atomics/T9001/T9001.yaml", m.Path, "manual template: %+v", m)
}

func TestParseRefusesBombsAndHugeFiles(t *testing.T) {
	bomb := "attack_technique: T1001\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		bomb += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
		prev = n
	}
	_, err := atomic.Parse("bomb.yaml", []byte(bomb))
	require.Truef(t, errors.Is(err, yamlsafe.ErrAliasBomb), "bomb: %v", err)
	huge := "attack_technique: T1001\ndisplay_name: " + strings.Repeat("x", atomic.MaxFileSize) + "\n"
	_, err = atomic.Parse("huge.yaml", []byte(huge))
	require.Truef(t, errors.Is(err, yamlsafe.ErrTooLarge), "huge: %v", err)
}

func TestIsTechniqueFile(t *testing.T) {
	for path, want := range map[string]bool{
		"atomics/T1003/T1003.yaml":                  true,
		"repo-abc/atomics/T1003.001/T1003.001.yaml": true,
		"atomics/T1003/T1003.yml":                   true,
		"atomics/Indexes/index.yaml":                false,
		"atomics/T1003/src/readme.md":               false,
		"T1003.md":                                  false,
	} {
		t.Run(path, func(t *testing.T) {
			assert.Equal(t, want, atomic.IsTechniqueFile(path))
		})
	}
}

func FuzzParseAtomic(f *testing.F) {
	if data, err := os.ReadFile("testdata/atomics/T9001/T9001.yaml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := atomic.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, tpl := range file.Templates {
			require.NotEmptyf(t, tpl.SourceID, "invalid template accepted: %+v", tpl)
			require.NotEmptyf(t, tpl.Name, "invalid template accepted: %+v", tpl)
			require.NotEmptyf(t, tpl.Executor.Name, "invalid template accepted: %+v", tpl)
			require.NotEmptyf(t, tpl.TechniqueID, "invalid template accepted: %+v", tpl)
		}
	})
}
