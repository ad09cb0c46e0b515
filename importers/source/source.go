// Package source opens any content source as a stream of named files: a
// local file or folder, an archive (zip, tar, tar.gz, tar.zst, gz), an HTTP(S)
// URL, a GitHub repository tarball (github:owner/repo@ref[/subdir]) or a
// TAXII 2.x collection. Archives are streamed, never unpacked to disk, and
// limits stop archive bombs and oversized downloads.
//
// It is public, unlike the rest of the importers' plumbing, because it is
// the one answer to "where does the data come from" for the whole
// application: the CLI, the sync jobs, backups and the upload API open
// sources with it before handing them to an importer.
package source

import (
	"context"
	"io"
)

// Entry is one file of a source. Body is valid only during the callback.
type Entry struct {
	Path string    // slash-separated path inside the source (the file name for a single file)
	Size int64     // -1 when unknown
	Body io.Reader // the file's bytes, capped at Limits.MaxEntrySize
}

// WalkFunc is called for every file in the source. Returning an error stops
// the walk and Walk returns it.
type WalkFunc func(e Entry) error

// Source is an opened content source.
type Source interface {
	// Walk calls fn for each file, in a stable order where the source has one.
	Walk(ctx context.Context, fn WalkFunc) error
	// String describes the source for reports and logs (no secrets).
	String() string
}
