package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
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

// ImportTimeout bounds one uploaded import.
var ImportTimeout = 30 * time.Minute

// StartImport imports the uploaded file at path with the importer of kind,
// in the background, as a run of job "import:<kind>". name is the file's
// original name (for the report and format detection). The file is deleted
// when the run ends, or at once when the run cannot start.
func StartImport(app core.App, kind, path, name string, opts Options) (*core.Record, error) {
	imp, ok := registry.Lookup(kind)
	if !ok {
		os.Remove(path)
		return nil, fmt.Errorf("no importer for kind %q (have: %s)", kind, strings.Join(registry.Kinds(), ", "))
	}
	job := Job{
		Name:    ImportJobName(kind),
		Title:   "Import " + kind + " upload " + name,
		Timeout: ImportTimeout,
		Run: func(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
			defer os.Remove(path)
			f, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("open upload %s: %w", name, err)
			}
			defer f.Close()
			run.Logf("import %s from uploaded file %s", kind, name)
			src := source.Reader(f, name, source.Options{})
			report, err := imp(ctx, app, src, importOptions(run))
			if err != nil {
				return reportStats(report), nameSource(err, kind, name)
			}
			logReport(run, reportStats(report))
			return reportStats(report), nil
		},
	}
	rec, err := Start(app, job, opts)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return rec, nil
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
