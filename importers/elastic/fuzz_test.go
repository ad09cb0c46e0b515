package elastic_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/importers/elastic"
	"github.com/stretchr/testify/require"
)

// FuzzParseElastic: any input either parses into a rule with an id, a name
// and content, or fails with an error; it never panics.
func FuzzParseElastic(f *testing.F) {
	f.Add([]byte(ruleA))
	f.Add([]byte("[metadata]\nintegration = \"aws\"\n[rule]\nrule_id = \"x\"\nname = \"n\"\n"))
	f.Add([]byte("[rule]\nrule_id = 1\n"))
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "seeds", "*.toml"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := elastic.Parse("fuzz.toml", data)
		if err != nil {
			return
		}
		require.NotEmpty(t, r.SourceRuleID, "accepted rule without id, name or content: %+v", r)
		require.NotEmpty(t, r.Title, "accepted rule without id, name or content: %+v", r)
		require.NotEmpty(t, r.Content, "accepted rule without id, name or content: %+v", r)
	})
}
