package attack_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/stretchr/testify/require"
)

// FuzzParseBundle: any input gives a bundle or an error, never a panic or a
// hang. Seeds: the synthetic releases and small broken variants; the corpus
// in testdata/fuzz/FuzzParseBundle holds further cases.
func FuzzParseBundle(f *testing.F) {
	for _, p := range []string{"testdata/release-1.json", "testdata/release-2.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	for _, s := range []string{``, `{}`, `[]`, `"bundle"`, `{"type":"bundle","objects":[]}`,
		`{"type":"bundle","objects":[{"type":"x","id":"x--1"}],}`, `{"type":"bundle","objects":[{"id":"a\"--"}]}`,
		`{"objects":[[[[[[]]]]]],"type":"bundle"}`, `{"type":"bundle","objects":[1,"2",null,true]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := attack.ParseBundle(bytes.NewReader(data))
		require.False(t, err == nil && b == nil, "nil bundle without error")
		if err == nil {
			for _, o := range b.Objects {
				require.NotEmptyf(t, o.ID, "accepted object without id or type: %+v", o)
				require.NotEmptyf(t, o.Type, "accepted object without id or type: %+v", o)
			}
		}
	})
}
