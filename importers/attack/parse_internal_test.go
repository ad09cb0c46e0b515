package attack

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The scanner must give the same objects however the input is cut into
// reads: tiny first chunks put a window boundary inside keys, strings,
// escapes and literals.
func TestParseAcrossReadBoundaries(t *testing.T) {
	data, err := os.ReadFile("testdata/release-2.json")
	require.NoError(t, err)
	tricky := []byte(`{"objects":[{"type":"x-mitre-tactic","id":"x-mitre-tactic--1","name":"a \"quoted\" \\ name","x_mitre_deprecated":true,"revoked":false}],"spec_version":"2.1","type":"bundle"}`)
	for _, in := range [][]byte{data, tricky} {
		want, err := ParseBundle(bytes.NewReader(in))
		require.NoError(t, err)
		old := firstChunk
		for _, c := range []int{1, 2, 3, 7, 64} {
			firstChunk = c
			got, err := ParseBundle(bytes.NewReader(in))
			require.NoError(t, err, "chunk %d", c)
			require.Falsef(t, !reflect.DeepEqual(got, want), "chunk %d: different result", c)
		}
		firstChunk = old
	}
	b, _ := ParseBundle(bytes.NewReader(tricky))
	require.Falsef(t, b.Objects[0].Name != `a "quoted" \ name`, "parsed %+v", b.Objects[0])
	require.Falsef(t, !b.Objects[0].Deprecated, "parsed %+v", b.Objects[0])
	require.EqualValuesf(t, "2.1", b.SpecVersion, "parsed %+v", b.Objects[0])
	// Truncation anywhere is an error, never a partial bundle.
	for cut := 0; cut < len(tricky); cut++ {
		if _, err := ParseBundle(bytes.NewReader(tricky[:cut])); err == nil {
			t.Fatalf("accepted a bundle cut at %d: %q", cut, tricky[:cut])
		} else if cut > 0 && !strings.Contains(err.Error(), "truncated") && !strings.Contains(err.Error(), "not a STIX bundle") {
			t.Fatalf("cut at %d: %v", cut, err)
		}
	}
}

// FuzzParseChunked is differential: cutting the input into 3-byte reads
// must not change the outcome (same objects, or an error both ways).
func FuzzParseChunked(f *testing.F) {
	if data, err := os.ReadFile("testdata/release-1.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"a","id":"a--\"\\"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := ParseBundle(bytes.NewReader(data))
		old := firstChunk
		firstChunk = 3
		got, gerr := ParseBundle(bytes.NewReader(data))
		firstChunk = old
		require.Falsef(t, (werr == nil) != (gerr == nil), "errors differ: %v vs %v", werr, gerr)
		require.False(t, werr == nil && !reflect.DeepEqual(want, got), "objects differ with small reads")
	})
}
