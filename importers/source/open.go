package source

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// Open opens spec as a Source. spec is one of:
//
//	/path/to/file.json, file.json.gz, archive.zip|.tar|.tar.gz|.tgz|.tar.zst
//	/path/to/folder
//	https://host/file (or http://)
//	github:owner/repo[@ref][/subdir]
//	taxii+https://host/api-root/collections/ID/ (or a discovery / API root URL)
//
// Nothing is read until Walk; Open only checks that a local path exists and
// that the spec is well formed.
func Open(spec string, opts Options) (Source, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return nil, fmt.Errorf("open source: empty source: give a file, folder, URL, github:owner/repo@ref or taxii+https://… URL")
	case strings.HasPrefix(spec, "github:"):
		return newGitHubSource(spec, opts)
	case strings.HasPrefix(spec, "taxii+http://"), strings.HasPrefix(spec, "taxii+https://"),
		strings.HasPrefix(spec, "taxii:"):
		return newTAXIISource(spec, opts)
	case strings.HasPrefix(spec, "https://"), strings.HasPrefix(spec, "http://"):
		return newHTTPSource(spec, opts)
	}
	st, err := os.Stat(spec)
	if err != nil {
		return nil, fmt.Errorf("open source %s: %w", spec, err)
	}
	if st.IsDir() {
		return &dirSource{root: spec, opts: opts}, nil
	}
	return &fileSource{path: spec, opts: opts}, nil
}

// Reader wraps an already-open stream (an uploaded file) as a Source; name
// is used for the entry path and format hints. The stream is read once.
func Reader(r io.Reader, name string, opts Options) Source {
	return &readerSource{r: r, name: name, opts: opts}
}

type readerSource struct {
	r    io.Reader
	name string
	opts Options
	used bool
}

func (s *readerSource) String() string { return s.name }

func (s *readerSource) Walk(ctx context.Context, fn WalkFunc) error {
	if s.used {
		return fmt.Errorf("source %s: a stream can be walked only once", s.name)
	}
	s.used = true
	w := newWalker(ctx, s.opts, fn)
	ra, size := io.ReaderAt(nil), int64(-1)
	if f, ok := s.r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			ra, size = f, st.Size()
		}
	}
	return w.stream(s.r, s.name, size, ra, 0, 0, "")
}
