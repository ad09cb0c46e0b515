package vectrbundle_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers/vectrbundle"
	"github.com/stretchr/testify/require"
)

// FuzzParse: any input either parses into a bundle whose objects are all
// accounted for, or fails with ErrNotBundle or ErrLimit; it never panics,
// hangs, or accepts what its limits forbid. The seeds in testdata/seeds are
// small synthetic bundles (groups, phases, metadata, escapes, wrong types).
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "seeds", "*.json"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":"bundle","objects":[]}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	lim := vectrbundle.Limits{MaxBytes: 1 << 20, MaxDepth: 8, MaxString: 256, MaxObjects: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := vectrbundle.Parse(bytes.NewReader(data), lim)
		if err != nil {
			require.Falsef(t, !strings.Contains(err.Error(), "VECTR bundle"), "error does not say what failed: %v", err)
			return
		}
		total := 0
		for _, n := range b.Counts {
			total += n
		}
		require.Falsef(t, total > lim.MaxObjects, "objects unaccounted for: %d counted, %+v", total, b.Counts)
		require.Falsef(t, len(b.TestCases)+len(b.Campaigns)+len(b.Groups) > total, "objects unaccounted for: %d counted, %+v", total, b.Counts)
		for _, tc := range b.TestCases {
			require.NotEmptyf(t, tc.VectrID, "test case beyond the limits accepted: %+v", tc)
			require.Falsef(t, len(tc.RedTeam.Variant) > lim.MaxString, "test case beyond the limits accepted: %+v", tc)
		}
	})
}
