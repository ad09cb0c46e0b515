// Package testsrc gives importer tests small source.Source values without
// going through source.Open: in-memory files and a streamed .tar.gz. It is
// for tests only; production code opens sources with source.Open.
package testsrc

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"sort"

	"github.com/aegis-sec/aegis/importers/source"
)

// Files is an in-memory source: path → content, walked in path order.
type Files map[string]string

func (f Files) String() string { return "memory" }

// Walk calls fn for each file in path order.
func (f Files) Walk(ctx context.Context, fn source.WalkFunc) error {
	paths := make([]string, 0, len(f))
	for p := range f {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(source.Entry{Path: p, Size: int64(len(f[p])), Body: bytes.NewReader([]byte(f[p]))}); err != nil {
			return err
		}
	}
	return nil
}

// TarGz is a .tar.gz file on disk, streamed member by member.
type TarGz string

func (t TarGz) String() string { return string(t) }

// Walk calls fn for each regular file of the archive.
func (t TarGz) Walk(ctx context.Context, fn source.WalkFunc) error {
	f, err := os.Open(string(t))
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := fn(source.Entry{Path: h.Name, Size: h.Size, Body: tr}); err != nil {
			return err
		}
	}
}
