package evidence

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// SpoolDir is where uploads stream before they are stored.
func SpoolDir(app core.App) string { return filepath.Join(app.DataDir(), "evidence_spool") }

// SweepStats is what one sweep removed.
type SweepStats struct {
	Orphans int `json:"orphans"`
	Spool   int `json:"spool"`
}

// Sweep removes what a crash can leave behind: stored evidence files whose
// record was never inserted (the process died between the upload and the
// insert) and stale spool files. Only files older than grace are touched,
// so uploads in flight are safe. It belongs to the evidence retention job.
func Sweep(ctx context.Context, app core.App, now time.Time, grace time.Duration) (SweepStats, error) {
	var st SweepStats
	col, err := app.FindCachedCollectionByNameOrId(c.Evidence)
	if err != nil {
		return st, err
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return st, fmt.Errorf("evidence storage: %w", err)
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	objs, err := fsys.List(col.Id + "/")
	if err != nil {
		return st, fmt.Errorf("list evidence storage: %w", err)
	}
	byRecord := map[string][]string{}
	for _, o := range objs {
		if now.Sub(o.ModTime) < grace {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(o.Key, col.Id+"/"), "/")
		if len(parts) < 2 || parts[0] == "" {
			continue
		}
		byRecord[parts[0]] = append(byRecord[parts[0]], o.Key)
	}
	for id, keys := range byRecord {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		var n int
		if err := app.DB().Select("count(*)").From(c.Evidence).Where(dbx.HashExp{"id": id}).Row(&n); err != nil {
			return st, err
		}
		if n > 0 {
			continue
		}
		for _, k := range keys {
			if err := fsys.Delete(k); err != nil {
				app.Logger().Warn("evidence sweep: delete orphan", "key", k, "error", err)
				continue
			}
			if !strings.HasSuffix(k, ".attrs") {
				st.Orphans++
			}
		}
	}
	entries, _ := os.ReadDir(SpoolDir(app))
	for _, en := range entries {
		info, err := en.Info()
		if err != nil || now.Sub(info.ModTime()) < grace {
			continue
		}
		if os.Remove(filepath.Join(SpoolDir(app), en.Name())) == nil {
			st.Spool++
		}
	}
	return st, nil
}
