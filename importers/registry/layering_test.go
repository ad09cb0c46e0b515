package registry_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/aegis-sec/aegis/importers/"

// shared are the packages under importers/ that are not formats: the
// aggregator (registry), the public "where does the data come from"
// package (source) and the plumbing under internal.
func shared(rel string) bool {
	return rel == "registry" || rel == "source" || rel == "internal" || strings.HasPrefix(rel, "internal/")
}

// rawWrite is SQL that writes a table; format packages write through
// importers/internal/store instead.
var rawWrite = regexp.MustCompile(`INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\{\{|DELETE\s+FROM`)

// formatPackages lists the format packages (folders of importers/ with Go
// files, relative path → directory).
func formatPackages(t *testing.T) map[string]string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	out := map[string]string{}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if rel == "." || shared(rel) {
			return nil
		}
		if files, _ := filepath.Glob(filepath.Join(p, "*.go")); len(files) > 0 {
			out[rel] = p
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

// TestFormatsStandAlone: a format package imports no other format package
// (shared code lives under importers/internal), and writes no raw SQL (the
// store does, with the content hash and the counts every import reports).
func TestFormatsStandAlone(t *testing.T) {
	for rel, dir := range formatPackages(t) {
		t.Run(rel, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(dir, "*.go"))
			require.NoError(t, err)
			for _, f := range files {
				src, err := os.ReadFile(f)
				require.NoError(t, err)
				parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
				require.NoError(t, err)
				for _, imp := range parsed.Imports {
					path, _ := strconv.Unquote(imp.Path.Value)
					other, ok := strings.CutPrefix(path, module)
					if !ok || other == rel || shared(other) {
						continue
					}
					assert.Failf(t, "format imports another format", "%s imports %s", filepath.Base(f), path)
				}
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				assert.Falsef(t, rawWrite.Match(src), "%s writes raw SQL (%s): write through importers/internal/store",
					filepath.Base(f), rawWrite.Find(src))
			}
		})
	}
}
