package atomic_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The corpus through the real source layer: the archive on disk, then the
// same archive served over HTTP (a re-import, so nothing changes).
func TestImportThroughSources(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t), "atomic-red-team-atomics.tar.gz")
	app := testutil.NewApp(t)
	ctx := context.Background()

	src, err := source.Open(path, source.Options{})
	require.NoError(t, err)
	rep, err := atomic.Import(ctx, app, src, importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 1145, rep.Created, "archive: created %d files %d errors %v", rep.Created, rep.Files, rep.FileErrors)
	require.EqualValuesf(t, 196, rep.Files, "archive: created %d files %d errors %v", rep.Created, rep.Files, rep.FileErrors)
	require.Lenf(t, rep.FileErrors, 0, "archive: created %d files %d errors %v", rep.Created, rep.Files, rep.FileErrors)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	}))
	defer srv.Close()
	src, err = source.Open(srv.URL+"/atomic-red-team-atomics.tar.gz", source.Options{})
	require.NoError(t, err)
	again, err := atomic.Import(ctx, app, src, importers.Options{})
	require.NoError(t, err)
	require.Truef(t, again.NoChange, "over HTTP: %+v", again)
	require.EqualValuesf(t, 1145, again.Unchanged, "over HTTP: %+v", again)
}

// A folder with good technique files next to malformed, bomb and oversized
// ones: the bad ones are named with their reason, the good ones import.
func TestImportFolderWithBadFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"T9001/T9001.yaml", "T9002.001/T9002.001.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata/atomics", f))
		require.NoError(t, err)
		write(t, filepath.Join(dir, "atomics", f), string(data))
	}
	bomb := "attack_technique: T9105\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		bomb += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
		prev = n
	}
	write(t, filepath.Join(dir, "atomics/T9105/T9105.yaml"), bomb)
	write(t, filepath.Join(dir, "atomics/T9106/T9106.yaml"), "attack_technique: T9106\natomic_tests: {not: a list}\n")
	write(t, filepath.Join(dir, "atomics/T9107/T9107.yaml"), "attack_technique: T9107\ndisplay_name: "+strings.Repeat("z", atomic.MaxFileSize)+"\n")
	write(t, filepath.Join(dir, "atomics/T9108/T9108.yaml"), "attack_technique: T9108\natomic_tests:\n- name: x\n  supported_platforms: [linux\n")
	write(t, filepath.Join(dir, "atomics/Indexes/index.yaml"), "not: a technique file\n")

	src, err := source.Open(dir, source.Options{})
	require.NoError(t, err)
	app := testutil.NewApp(t)
	rep, err := atomic.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err)
	got := map[string]string{}
	for _, fe := range rep.FileErrors {
		got[filepath.Base(fe.Path)] += fe.Error
	}
	for name, want := range map[string]string{
		"T9105.yaml": "alias expansion", "T9106.yaml": "cannot unmarshal", "T9107.yaml": "too large",
		"T9108.yaml": "yaml", "T9002.001.yaml": "missing auto_generated_guid",
	} {
		assert.Falsef(t, !strings.Contains(got[name], want), "%s: %q, want %q", name, got[name], want)
	}
	require.EqualValuesf(t, 3, rep.Created, "created %d files %d: %+v", rep.Created, rep.Files, rep.FileErrors)
	require.EqualValuesf(t, 6, rep.Files, "created %d files %d: %+v", rep.Created, rep.Files, rep.FileErrors)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}
