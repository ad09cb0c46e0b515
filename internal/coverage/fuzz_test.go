package coverage_test

import (
	"testing"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/stretchr/testify/require"
)

// FuzzDecodeVector feeds hostile snapshot vectors (a snapshot record can be
// edited by a superuser or restored from an old backup): decoding must
// return an error or points, never panic, and what decodes re-encodes.
func FuzzDecodeVector(f *testing.F) {
	good, _ := coverage.EncodeVector([]coverage.TechniquePoint{{AttackID: "T1059", Score: 42.5, Level: "partial"}})
	for _, s := range []string{good, "", "not base64!", "KLUv/QBYAQAA", "W10="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := coverage.DecodeVector(s)
		if err != nil {
			return
		}
		again, err := coverage.EncodeVector(pts)
		require.NoError(t, err, "re-encode")
		back, err := coverage.DecodeVector(again)
		require.NoError(t, err, "round trip")
		require.Len(t, back, len(pts), "round trip")
	})
}

// FuzzCoverageFilterKey builds the matrix for arbitrary actor and platform filters.
func FuzzCoverageFilterKey(f *testing.F) {
	for _, s := range []string{"coverage", "actor:G0016", "campaign:abc", "actor:", ":", "x:y:z"} {
		f.Add(s)
	}
	d := fixture()
	r := coverage.Compute(d, coverage.Options{})
	f.Fuzz(func(t *testing.T, actor string) {
		m := r.Matrix(coverage.Filter{Actor: actor, Platform: actor})
		require.NotNil(t, m, "matrix for %q", actor)
		require.Len(t, m.Tactics, 1, "matrix for %q", actor)
	})
}
