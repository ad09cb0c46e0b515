// Package importers holds what every content importer shares: the report of
// an import run (NewReport, Finish) and progress callbacks.
//
// One sub-package per source format (attack, sigma, elastic, atomic,
// caldera, d3fend, compliance, navigator, intel, vectr, vectrbundle,
// atomiclog, dettect) parses its format; none imports another. They write
// only through importers/internal/store: the upsert by natural key with a
// content hash, the technique index (ATT&CK id → technique record, the
// active technique winning, revoked ids following their successor), the
// rule and template writers, and the import transaction with its one audit
// entry. The rest of the plumbing lives beside it under importers/internal
// (attackref: references waiting for an id and moved off revoked
// techniques; attackid; filewalk; vectrtests). importers/registry maps a
// kind to its importer and is the public door to reference resolution;
// importers/source opens files, folders, archives, URLs, GitHub tarballs and
// TAXII collections. A test in registry keeps the layering true.
package importers

import (
	"context"
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Report is what an import run says about itself. It is stored as a job
// run's stats, printed by the CLI (or as JSON with --json) and returned by
// the upload API.
type Report struct {
	Kind       string         `json:"kind"`
	Source     string         `json:"source"`
	Version    string         `json:"version,omitempty"` // e.g. the ATT&CK release
	Created    int            `json:"created"`
	Updated    int            `json:"updated"`
	Unchanged  int            `json:"unchanged"`
	Removed    int            `json:"removed"` // deleted or marked removed upstream
	Revoked    int            `json:"revoked,omitempty"`
	Deprecated int            `json:"deprecated,omitempty"`
	Skipped    []Skip         `json:"skipped"`
	Files      int            `json:"files"`
	FileErrors []FileError    `json:"file_errors"`
	Counts     map[string]int `json:"counts,omitempty"` // per object type
	Duration   time.Duration  `json:"duration_ns"`
	Seconds    float64        `json:"seconds"`
	NoChange   bool           `json:"no_change"` // true when the run wrote nothing
}

// Skip is an object that was not imported, with the reason.
type Skip struct {
	Id     string `json:"id"`
	Reason string `json:"reason"`
}

// FileError names a file of a multi-file source that failed and why; the
// rest of the source still imports.
type FileError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Progress reports work done: stage is a short label ("parse", "write"),
// done and total are counts (total 0 when unknown).
type Progress func(stage string, done, total int)

// Options are the knobs every importer takes.
type Options struct {
	Progress Progress
	Actor    string // user id that started the import, for the audit entry; empty = system
}

// Func imports everything in src into app. It commits whole or leaves the
// database untouched, except that per-file errors are reported while the
// rest of a multi-file source imports.
type Func func(ctx context.Context, app core.App, src source.Source, opts Options) (*Report, error)

// FileFailed records that the file at path could not be imported and why;
// the rest of a multi-file source goes on.
func (r *Report) FileFailed(path string, err error) {
	r.FileErrors = append(r.FileErrors, FileError{Path: path, Error: err.Error()})
}

// NewReport starts the report of an import of kind from src: every list
// and map empty rather than nil, so the JSON form always has them.
func NewReport(kind string, src fmt.Stringer) *Report {
	return &Report{Kind: kind, Source: src.String(), Skipped: []Skip{}, FileErrors: []FileError{},
		Counts: map[string]int{}}
}

// Finish stamps the run's duration from start.
func (r *Report) Finish(start time.Time) *Report {
	r.Duration = time.Since(start)
	r.Seconds = r.Duration.Seconds()
	return r
}
