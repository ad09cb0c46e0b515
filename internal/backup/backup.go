// Package backup creates, verifies and restores Aegis backups. A backup is
// PocketBase's zip of the data dir (database, local evidence files); a
// restore is only carried out after the archive has been verified: SQLite
// integrity check, row counts and every local evidence file's sha256.
package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pocketbase/pocketbase/core"
)

// Create writes a backup named name (generated when empty) to the backups
// storage (pb_data/backups, or S3 when configured) and returns its name.
func Create(ctx context.Context, app core.App, name string) (string, error) {
	before := map[string]bool{}
	if names, err := List(app); err == nil {
		for _, n := range names {
			before[n] = true
		}
	}
	if err := app.CreateBackup(ctx, name); err != nil {
		return "", fmt.Errorf("create backup: %w", err)
	}
	if name != "" {
		return name, nil
	}
	names, err := List(app)
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if !before[n] {
			return n, nil
		}
	}
	return "", fmt.Errorf("create backup: the new backup was not found in the backups storage")
}

// List returns the names of the stored backups.
func List(app core.App) ([]string, error) {
	fsys, err := app.NewBackupsFilesystem()
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	objs, err := fsys.List("")
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out, nil
}

// LocalPath is where a backup named name lives when backups are stored locally.
func LocalPath(app core.App, name string) string {
	return filepath.Join(app.DataDir(), core.LocalBackupsDirName, filepath.Base(name))
}

// Restore verifies the backup zip at zipPath and, only when it is sound,
// replaces the content of dataDir with it. The previous content is moved to
// dataDir/.pb_temp_to_delete (removed on the next start). No process may
// have dataDir open while this runs.
func Restore(ctx context.Context, zipPath, dataDir string) (*Report, error) {
	tmp := filepath.Join(dataDir, core.LocalTempDirName)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	extracted, err := os.MkdirTemp(tmp, "restore_")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(extracted)

	rep, err := verifyInto(ctx, zipPath, extracted)
	if err != nil {
		return rep, err
	}
	old, err := os.MkdirTemp(tmp, "old_data_")
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := moveEntries(dataDir, old, keep); err != nil {
		return rep, fmt.Errorf("restore: move current data aside: %w", err)
	}
	if err := moveEntries(extracted, dataDir, keep); err != nil {
		// Put the previous data back rather than leave a half-restored dir.
		_ = moveEntries(dataDir, extracted, keep)
		_ = moveEntries(old, dataDir, keep)
		return rep, fmt.Errorf("restore: move backup into place (previous data put back): %w", err)
	}
	return rep, nil
}

// keep lists data-dir entries a restore never touches.
var keep = map[string]bool{core.LocalBackupsDirName: true, core.LocalTempDirName: true, core.LocalAutocertCacheDirName: true, "lost+found": true}

func moveEntries(from, to string, skip map[string]bool) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if skip[e.Name()] {
			continue
		}
		if err := os.Rename(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
