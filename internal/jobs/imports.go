package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/pocketbase/core"
)

// UploadsDir is where uploaded import files wait for their job, under the
// data dir (same disk as the database, excluded from backups). Each file is
// deleted when its run ends; start-up removes any a crash left behind.
func UploadsDir(app core.App) string {
	return filepath.Join(app.DataDir(), ".aegis_uploads")
}

// ImportJobName is the job name of uploads of kind.
func ImportJobName(kind string) string { return "import:" + kind }

// ImportTimeout bounds one import run unless its Import says otherwise.
var ImportTimeout = 30 * time.Minute

// Import is one run of an importer: an upload through the API or
// `aegis import` on the command line. Both start it with StartImport (or
// RunImport), so both leave a job_runs record, take the lease of job
// "import:<kind>" and report progress through the run.
type Import struct {
	Kind string
	// Name is the source as the run's title and log name it (a file name,
	// a redacted URL).
	Name string
	// Open opens the source inside the run, under the lease. Its error is
	// the run's error as is, so it should say what failed to open.
	Open func() (source.Source, error)
	// Timeout bounds the run; zero means ImportTimeout.
	Timeout time.Duration
	// Progress, when set, also receives the progress the importer reports
	// to the run (the terminal's progress bar).
	Progress importers.Progress
	// Done, when set, is called in the run with the importer's report and
	// error, as the importer returned them (the CLI prints them).
	Done func(*importers.Report, error)
	// Cleanup, when set, is called once when the run ends or cannot start
	// (the API deletes the uploaded file).
	Cleanup func()
}

// ImportJob is the job that runs imp: no schedule and no retries (someone
// is waiting for the outcome and can start it again), a coverage snapshot
// after a change, the import report as the run's stats.
func ImportJob(imp Import) (Job, error) {
	fn, ok := registry.Lookup(imp.Kind)
	if !ok {
		return Job{}, fmt.Errorf("no importer for kind %q (have: %s)", imp.Kind, strings.Join(registry.Kinds(), ", "))
	}
	timeout := imp.Timeout
	if timeout <= 0 {
		timeout = ImportTimeout
	}
	kind := imp.Kind
	return Job{
		Name:    ImportJobName(kind),
		Title:   "Import " + kind + " from " + imp.Name,
		Timeout: timeout,
		Run: func(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
			if imp.Cleanup != nil {
				defer imp.Cleanup()
			}
			run.Logf("import %s from %s", kind, imp.Name)
			src, err := imp.Open()
			if err != nil {
				if imp.Done != nil {
					imp.Done(nil, err)
				}
				return nil, Permanent(err)
			}
			opts := importOptions(run)
			if imp.Progress != nil {
				opts.Progress = func(stage string, done, total int) {
					run.Progress(stage, done, total)
					imp.Progress(stage, done, total)
				}
			}
			report, err := fn(ctx, app, src, opts)
			if imp.Done != nil {
				imp.Done(report, err)
			}
			if err != nil {
				return reportStats(report), nameSource(err, kind, src.String())
			}
			logReport(run, reportStats(report))
			snapshotAfter(app, run, kind, report)
			return reportStats(report), nil
		},
	}, nil
}

// StartImport starts imp in the background as a run of job
// "import:<kind>" and returns its record. When the run cannot start (an
// unknown kind, an import of the same kind holding the lease) Cleanup is
// called at once and the error returned (*AlreadyRunningError for the
// lease).
func StartImport(app core.App, imp Import, opts Options) (*core.Record, error) {
	job, err := ImportJob(imp)
	if err == nil {
		var rec *core.Record
		if rec, err = Start(app, job, opts); err == nil {
			return rec, nil
		}
	}
	if imp.Cleanup != nil {
		imp.Cleanup()
	}
	return nil, err
}

// RunImport starts imp (StartImport) and waits for its run to finish: the
// CLI's way in. It returns the finished job_runs record.
func RunImport(ctx context.Context, app core.App, imp Import, opts Options) (*core.Record, error) {
	rec, err := StartImport(app, imp, opts)
	if err != nil {
		return nil, err
	}
	return Wait(ctx, app, rec.Id)
}

// StartUpload imports the uploaded file at path with the importer of kind
// (StartImport). name is the file's original name (for the report and
// format detection). The file is deleted when the run ends, or at once
// when the run cannot start.
func StartUpload(app core.App, kind, path, name string, opts Options) (*core.Record, error) {
	var f *os.File
	return StartImport(app, Import{
		Kind: kind,
		Name: "uploaded file " + name,
		Open: func() (source.Source, error) {
			var err error
			if f, err = os.Open(path); err != nil {
				return nil, fmt.Errorf("open upload %s: %w", name, err)
			}
			return source.Reader(f, name, source.Options{}), nil
		},
		Cleanup: func() {
			if f != nil {
				f.Close()
			}
			os.Remove(path)
		},
	}, opts)
}

// cleanUploads removes upload files left by a process that died before its
// imports ran. Called at start-up, before the server accepts uploads.
func cleanUploads(app core.App) {
	dir := UploadsDir(app)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			app.Logger().Warn("remove leftover upload", "file", e.Name(), "error", err)
		}
	}
}

// snapshotAfter takes the coverage snapshot that the trend promises after an
// import or sync that changed something.
func snapshotAfter(app core.App, run *Run, kind string, report *importers.Report) {
	if report == nil || report.NoChange {
		return
	}
	if snap := coverage.AfterImport(app, kind, true); snap != nil && run != nil {
		run.Logf("coverage snapshot %s taken: overall %.1f", snap.ID, snap.Totals.Score)
	}
}
