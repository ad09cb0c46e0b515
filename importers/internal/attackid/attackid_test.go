package attackid_test

import (
	"testing"

	"github.com/aegis-sec/aegis/importers/internal/attackid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		in   string
		want string
		kind attackid.Kind
	}{
		{"attack.t1059.001", "T1059.001", attackid.Technique},
		{" T1105 ", "T1105", attackid.Technique},
		{"T1218/011", "T1218.011", attackid.Technique},
		{"t1003", "T1003", attackid.Technique},
		{"TA0002", "TA0002", attackid.Tactic},
		{"attack.g0016", "G0016", attackid.Group},
		{"attack.s0154", "S0154", attackid.Software},
		{"M1036", "M1036", attackid.Mitigation},
		{"T1078.00", "T1078.00", attackid.Invalid},
		{"N/A", "N/A", attackid.Invalid},
		{"B0019", "B0019", attackid.Invalid},
		{"E1059", "E1059", attackid.Invalid},
		{"", "", attackid.Invalid},
		{"T10599", "T10599", attackid.Invalid},
	}
	for _, c := range cases {
		got, k := attackid.Normalize(c.in)
		assert.EqualValuesf(t, c.want, got, "Normalize(%q) = %q,%v want %q,%v", c.in, got, k, c.want, c.kind)
		assert.EqualValuesf(t, c.kind, k, "Normalize(%q) = %q,%v want %q,%v", c.in, got, k, c.want, c.kind)
	}
}

func TestTechniques(t *testing.T) {
	ids, bad := attackid.Techniques("T1072; T1505; T1203")
	require.Equalf(t, []string{"T1072", "T1505", "T1203"}, ids, "got %v %v", ids, bad)
	require.Lenf(t, bad, 0, "got %v %v", ids, bad)
	ids, bad = attackid.Techniques("B0030.002")
	require.Lenf(t, ids, 0, "got %v %v", ids, bad)
	require.Equalf(t, []string{"B0030.002"}, bad, "got %v %v", ids, bad)
}

func TestMentions(t *testing.T) {
	got := attackid.Mentions("used T1059.001 and T1218/011, again t1059.001 (T1059.001), not XT12345 or T10")
	require.Equalf(t, []string{"T1059.001", "T1218.011"}, got, "got %v", got)
}

func TestSigmaTag(t *testing.T) {
	cases := map[string]struct {
		id   string
		kind attackid.Kind
	}{
		"attack.t1059.001":           {"T1059.001", attackid.Technique},
		"attack.execution":           {"execution", attackid.Tactic},
		"attack.command_and_control": {"command-and-control", attackid.Tactic},
		"attack.g0016":               {"G0016", attackid.Group},
		"cve.2021-44228":             {"", attackid.Invalid},
		"attack.t1":                  {"t1", attackid.Invalid},
	}
	for in, c := range cases {
		id, k := attackid.SigmaTag(in)
		assert.EqualValuesf(t, c.id, id, "SigmaTag(%q) = %q,%v want %q,%v", in, id, k, c.id, c.kind)
		assert.EqualValuesf(t, c.kind, k, "SigmaTag(%q) = %q,%v want %q,%v", in, id, k, c.id, c.kind)
	}
}
