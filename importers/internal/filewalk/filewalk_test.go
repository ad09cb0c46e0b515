package filewalk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/stretchr/testify/require"
)

func TestParseAll(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"a.yml": "ok-a", "b.yml": strings.Repeat("x", 100), "c.yml": "bad", "d.yml": "ok-d", "e.txt": "ignored"}
	for n, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(b), 0o644))
	}
	src, err := source.Open(dir, source.Options{})
	require.NoError(t, err)
	rep := &importers.Report{}
	out, err := filewalk.ParseAll(context.Background(), src, filewalk.Ext(".yml"), 50, rep, nil,
		func(p string, data []byte) (string, error) {
			if string(data) == "bad" {
				return "", errors.New("bad content")
			}
			return string(data), nil
		})
	require.NoError(t, err)
	if rep.Files != 4 || len(rep.FileErrors) != 1 || rep.FileErrors[0].Path != "b.yml" || !strings.Contains(rep.FileErrors[0].Error, "too large") {
		t.Fatalf("report %+v", rep)
	}
	if len(out) != 3 || out[0].Value != "ok-a" || out[1].Err == nil || out[2].Value != "ok-d" {
		t.Fatalf("outcomes must keep walk order: %+v", out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := filewalk.ParseAll(ctx, src, nil, 50, &importers.Report{}, nil,
		func(string, []byte) (int, error) { return 0, nil }); err == nil {
		t.Fatal("a cancelled walk must fail")
	}
}
