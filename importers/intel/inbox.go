package intel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// InboxEnv overrides the inbox folder (default: intel-inbox in the data dir).
const InboxEnv = "AEGIS_INTEL_INBOX"

// InboxDir is the folder the intel scan watches: STIX report bundles
// copied there (by hand, from removable media) are imported by the next
// scan and moved to processed/ (or failed/ with a .error note).
func InboxDir(app core.App) string {
	if d := strings.TrimSpace(os.Getenv(InboxEnv)); d != "" {
		return d
	}
	return filepath.Join(app.DataDir(), "intel-inbox")
}

// InboxResult lists what one pass over the inbox did.
type InboxResult struct {
	Dir      string   `json:"dir"`
	Imported []string `json:"imported"`
	Failed   []string `json:"failed"`
	Reports  int      `json:"reports"` // reports created or updated
}

// ImportInbox imports every file directly in dir (not in its processed/
// and failed/ folders), one import per file, and moves each out of the
// way. A missing folder is created (so operators see where to drop files)
// and is otherwise not an error.
func ImportInbox(ctx context.Context, app core.App, dir string) (*InboxResult, error) {
	res := &InboxResult{Dir: dir, Imported: []string{}, Failed: []string{}}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		app.Logger().Warn("intel inbox not available", "dir", dir, "error", err)
		return res, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("intel inbox %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		path := filepath.Join(dir, name)
		rep, err := importFile(ctx, app, path)
		sub := "processed"
		if err != nil {
			sub = "failed"
			res.Failed = append(res.Failed, name)
			app.Logger().Warn("intel inbox: import failed", "file", path, "error", err)
		} else {
			res.Imported = append(res.Imported, name)
			res.Reports += rep.Created + rep.Updated
		}
		if err := moveTo(dir, sub, name, err); err != nil {
			return res, err
		}
	}
	return res, nil
}

func importFile(ctx context.Context, app core.App, path string) (*importers.Report, error) {
	src, err := source.Open(path, source.Options{})
	if err != nil {
		return nil, err
	}
	rep, err := Import(ctx, app, src, importers.Options{})
	if err != nil {
		return nil, err
	}
	if rep.Files > 0 && len(rep.FileErrors) == rep.Files {
		return rep, fmt.Errorf("%s", rep.FileErrors[0].Error)
	}
	return rep, nil
}

// moveTo moves dir/name to dir/sub/, never overwriting an earlier file of
// the same name, with a .error note for a failure.
func moveTo(dir, sub, name string, failure error) error {
	target := filepath.Join(dir, sub)
	if err := os.MkdirAll(target, 0o750); err != nil {
		return fmt.Errorf("intel inbox: %w", err)
	}
	dst := filepath.Join(target, name)
	if _, err := os.Stat(dst); err == nil {
		dst = filepath.Join(target, time.Now().UTC().Format("20060102T150405.000000000")+"-"+name)
	}
	if err := os.Rename(filepath.Join(dir, name), dst); err != nil {
		return fmt.Errorf("intel inbox: %w", err)
	}
	if failure != nil {
		_ = os.WriteFile(dst+".error", []byte(failure.Error()+"\n"), 0o640)
	}
	return nil
}
