package sigma_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/stretchr/testify/require"
)

// FuzzParseSigma: any input either parses into rules with an id, a title
// and content, or fails with an error; it never panics or hangs.
func FuzzParseSigma(f *testing.F) {
	f.Add([]byte(ruleA))
	f.Add([]byte(multiDoc))
	f.Add([]byte("a: &a [1]\nb: [*a, *a]\n"))
	f.Add([]byte("action: global\nid: x\n---\n---\n"))
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "seeds", "*.yml"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := sigma.Parse("fuzz.yml", data)
		if err != nil {
			return
		}
		for _, r := range rules {
			require.NotEmpty(t, r.SourceRuleID, "accepted rule without id, title or content: %+v", r)
			require.NotEmpty(t, r.Title, "accepted rule without id, title or content: %+v", r)
			require.NotEmpty(t, r.Content, "accepted rule without id, title or content: %+v", r)
			require.Falsef(t, r.Severity != "" && r.Severity != "informational" && r.Severity != "low" && r.Severity != "medium" && r.Severity != "high" && r.Severity != "critical", "severity %q outside the select values", r.Severity)
		}
	})
}
