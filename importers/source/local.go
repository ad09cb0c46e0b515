package source

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// fileSource is one local file: plain, compressed or an archive.
type fileSource struct {
	path string
	opts Options
}

func (s *fileSource) String() string { return s.path }

func (s *fileSource) Walk(ctx context.Context, fn WalkFunc) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", s.path, err)
	}
	w := newWalker(ctx, s.opts, fn)
	return w.stream(f, filepath.Base(s.path), st.Size(), f, 0, 0, "")
}

// dirSource is a local folder, walked in sorted order so that imports and
// reports are reproducible. Symbolic links are not followed: a content
// folder should not reach outside itself.
type dirSource struct {
	root string
	opts Options
}

func (s *dirSource) String() string { return s.root }

func (s *dirSource) Walk(ctx context.Context, fn WalkFunc) error {
	var files []string
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk %s: %w", s.root, err)
	}
	sort.Strings(files)
	w := newWalker(ctx, s.opts, fn)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if err := w.countEntry(s.root); err != nil {
			return err
		}
		if err := s.walkFile(w, p, rel); err != nil {
			return err
		}
	}
	return nil
}

func (s *dirSource) walkFile(w *walker, p, rel string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", p, err)
	}
	return w.stream(f, rel, st.Size(), f, 0, 0, rel)
}
