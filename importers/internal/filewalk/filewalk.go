// Package filewalk reads the files of a source one at a time for the
// content importers, bounding each file's size and turning a bad file into
// a named per-file error in the report while the rest of the source goes on.
package filewalk

import (
	"context"
	"fmt"
	"io"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/source"
)

// Ext returns a matcher for file names ending in one of exts (".yml").
func Ext(exts ...string) func(string) bool {
	return func(p string) bool {
		e := strings.ToLower(path.Ext(p))
		for _, x := range exts {
			if e == x {
				return true
			}
		}
		return false
	}
}

// Each calls fn with the bytes of every file of src that match accepts.
// A file over max bytes, one that fails to read and one fn rejects is
// recorded in rep.FileErrors and skipped; rep.Files counts matched files.
// An error of the source itself (unreadable archive, network) or a
// cancelled ctx stops the walk and is returned.
func Each(ctx context.Context, src source.Source, match func(string) bool, max int64,
	rep *importers.Report, progress importers.Progress, stage string, fn func(path string, data []byte) error) error {
	return src.Walk(ctx, func(e source.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if match != nil && !match(e.Path) {
			return nil
		}
		rep.Files++
		if progress != nil {
			progress(stage, rep.Files, 0)
		}
		if e.Size > max {
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path,
				Error: fmt.Sprintf("file too large: %d bytes (limit %d)", e.Size, max)})
			return nil
		}
		data, err := io.ReadAll(io.LimitReader(e.Body, max+1))
		if err != nil {
			// A read error inside an archive is a source failure, not a file's.
			return fmt.Errorf("read %s: %w", e.Path, err)
		}
		if int64(len(data)) > max {
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path,
				Error: fmt.Sprintf("file too large: more than %d bytes", max)})
			return nil
		}
		if err := fn(e.Path, data); err != nil {
			rep.FileFailed(e.Path, err)
		}
		return nil
	})
}

// Parsed is the outcome of parsing one file.
type Parsed[T any] struct {
	Path  string
	Value T
	Err   error
}

// ParseAll reads the matching files of src like Each and parses them on
// every available core, returning the outcomes in walk order (so "first
// wins" rules stay deterministic). Unreadable and oversized files are
// already in rep.FileErrors; parse errors are left to the caller.
func ParseAll[T any](ctx context.Context, src source.Source, match func(string) bool, max int64,
	rep *importers.Report, progress importers.Progress, parse func(path string, data []byte) (T, error)) ([]Parsed[T], error) {
	type job struct {
		i    int
		path string
		data []byte
	}
	var out []Parsed[T]
	var mu sync.Mutex
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	if workers < 1 {
		workers = 1
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				v, err := parse(j.path, j.data)
				mu.Lock()
				out[j.i] = Parsed[T]{Path: j.path, Value: v, Err: err}
				mu.Unlock()
			}
		}()
	}
	err := Each(ctx, src, match, max, rep, progress, "parse", func(p string, data []byte) error {
		mu.Lock()
		out = append(out, Parsed[T]{Path: p})
		i := len(out) - 1
		mu.Unlock()
		jobs <- job{i, p, data}
		return nil
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return out, nil
}
