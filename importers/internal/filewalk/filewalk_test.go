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
	require.EqualValuesf(t, 4, rep.Files, "report %+v", rep)
	require.Lenf(t, rep.FileErrors, 1, "report %+v", rep)
	require.EqualValuesf(t, "b.yml", rep.FileErrors[0].Path, "report %+v", rep)
	require.Truef(t, strings.Contains(rep.FileErrors[0].Error, "too large"), "report %+v", rep)
	require.Lenf(t, out, 3, "outcomes must keep walk order: %+v", out)
	require.EqualValuesf(t, "ok-a", out[0].Value, "outcomes must keep walk order: %+v", out)
	require.NotNilf(t, out[1].Err, "outcomes must keep walk order: %+v", out)
	require.EqualValuesf(t, "ok-d", out[2].Value, "outcomes must keep walk order: %+v", out)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := filewalk.ParseAll(ctx, src, nil, 50, &importers.Report{}, nil,
		func(string, []byte) (int, error) { return 0, nil }); err == nil {
		t.Fatal("a cancelled walk must fail")
	}
}
