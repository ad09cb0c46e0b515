package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Restore verifies the backup zip at zipPath and, only when it is sound,
// replaces the content of dataDir with it. The previous content is moved to
// dataDir/.pb_temp_to_delete (removed on the next start). No process may
// have dataDir open while this runs (`aegis restore`; the server restores
// through app.RestoreBackup instead).
func Restore(ctx context.Context, zipPath, dataDir string) (*Report, error) {
	extracted, cleanup, err := extractDir(dataDir)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rep, err := verifyInto(ctx, zipPath, extracted)
	if err != nil {
		return rep, err
	}
	if _, err := swap(dataDir, extracted); err != nil {
		return rep, err
	}
	return rep, nil
}

// extractDir makes an empty folder inside dataDir's temp dir (same device,
// so the swap is a rename).
func extractDir(dataDir string) (string, func(), error) {
	tmp := filepath.Join(dataDir, core.LocalTempDirName)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", nil, fmt.Errorf("restore: %w", err)
	}
	extracted, err := os.MkdirTemp(tmp, "restore_")
	if err != nil {
		return "", nil, fmt.Errorf("restore: %w", err)
	}
	return extracted, func() { os.RemoveAll(extracted) }, nil
}

// swap moves the current content of dataDir aside and the extracted backup
// into place; on failure the previous content is put back. It returns the
// folder holding the previous content.
func swap(dataDir, extracted string) (string, error) {
	old, err := os.MkdirTemp(filepath.Join(dataDir, core.LocalTempDirName), "old_data_")
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := moveEntries(dataDir, old, keep); err != nil {
		_ = moveEntries(old, dataDir, keep)
		return "", fmt.Errorf("restore: move current data aside (put back): %w", err)
	}
	if err := moveEntries(extracted, dataDir, keep); err != nil {
		// Put the previous data back rather than leave a half-restored dir.
		_ = moveEntries(dataDir, extracted, keep)
		_ = moveEntries(old, dataDir, keep)
		return "", fmt.Errorf("restore: move backup into place (previous data put back): %w", err)
	}
	return old, nil
}

// unswap undoes swap.
func unswap(dataDir, extracted, old string) error {
	if err := moveEntries(dataDir, extracted, keep); err != nil {
		return err
	}
	return moveEntries(old, dataDir, keep)
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

// fetch copies the stored backup name (local or S3) into a temp file inside
// the data dir and returns its path. The copy is bounded by the archive limit.
func fetch(ctx context.Context, app core.App, name string) (string, func(), error) {
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return "", nil, fmt.Errorf("invalid backup name %q", name)
	}
	tmp := filepath.Join(app.DataDir(), core.LocalTempDirName)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", nil, fmt.Errorf("backup %s: %w", name, err)
	}
	fsys, err := app.NewBackupsFilesystem()
	if err != nil {
		return "", nil, fmt.Errorf("backups storage: %w", err)
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	r, err := fsys.GetReader(name)
	if err != nil {
		return "", nil, fmt.Errorf("backup %s: %w", name, ErrNotFound)
	}
	defer r.Close()
	f, err := os.CreateTemp(tmp, "restore_zip_")
	if err != nil {
		return "", nil, fmt.Errorf("backup %s: %w", name, err)
	}
	cleanup := func() { os.Remove(f.Name()) }
	lim := Limits
	n, err := io.Copy(f, io.LimitReader(r, lim.MaxDownload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > lim.MaxDownload {
		err = fmt.Errorf("larger than %d bytes", lim.MaxDownload)
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("backup %s: fetch: %w", name, err)
	}
	return f.Name(), cleanup, nil
}

// ErrNotFound is wrapped when a named backup is not in the backups storage.
var ErrNotFound = errors.New("no such backup in the backups storage")

// VerifyStored verifies the stored backup name (local or S3) without
// touching the data dir.
func VerifyStored(ctx context.Context, app core.App, name string) (*Report, error) {
	zipPath, cleanup, err := fetch(ctx, app, name)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return Verify(ctx, zipPath)
}

// restoreInPlace is the action of app.RestoreBackup: fetch, verify into a
// folder of the data dir, swap while both databases' writers are held, then
// restart the process on the restored data. A backup that does not verify
// is refused before anything of the data dir has moved.
func restoreInPlace(e *core.BackupEvent) error {
	app := e.App
	ctx := e.Context
	if ctx == nil {
		ctx = context.Background()
	}
	zipPath, cleanupZip, err := fetch(ctx, app, e.Name)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer cleanupZip()
	extracted, cleanup, err := extractDir(app.DataDir())
	if err != nil {
		return err
	}
	defer cleanup()
	if _, err := verifyInto(ctx, zipPath, extracted); err != nil {
		app.Logger().Error("restore refused: the backup does not verify", "backup", e.Name, "error", err)
		return fmt.Errorf("restore refused, current data kept: %w", err)
	}
	cleanupZip()

	var old string
	err = app.RunInTransaction(func(tx core.App) error {
		return tx.AuxRunInTransaction(func(tx core.App) error {
			var serr error
			old, serr = swap(tx.DataDir(), extracted)
			return serr
		})
	})
	if err != nil {
		return err
	}
	app.Logger().Warn("backup restored, restarting", "backup", e.Name)
	if err := app.Restart(); err != nil {
		if uerr := unswap(app.DataDir(), extracted, old); uerr != nil {
			return fmt.Errorf("restore: restart failed (%v) and the previous data could not be put back from %s: %w", err, old, uerr)
		}
		return fmt.Errorf("restore: restart failed, previous data put back: %w", err)
	}
	return nil
}

// bindRestoreRoute makes PocketBase's POST /api/backups/{key}/restore verify
// before it answers: an archive that does not verify gets 400 with the
// report instead of PocketBase's 204 followed by a failed restore in the
// background. (The restore itself is app.RestoreBackup, which verifies
// again.)
func bindRestoreRoute(se *core.ServeEvent) {
	se.Router.BindFunc(func(e *core.RequestEvent) error {
		p := e.Request.URL.Path
		if e.Request.Method != http.MethodPost || !strings.HasPrefix(p, "/api/backups/") || !strings.HasSuffix(p, "/restore") {
			return e.Next()
		}
		if !e.HasSuperuserAuth() {
			return e.Next() // PocketBase answers 401/403
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "/api/backups/"), "/restore")
		rep, err := VerifyStored(e.Request.Context(), e.App, name)
		if errors.Is(err, ErrNotFound) {
			return e.BadRequestError("Missing or invalid backup file.", nil)
		}
		if err != nil {
			var data any
			if rep != nil {
				data = map[string]any{"report": rep}
			}
			return e.BadRequestError("Restore refused, current data kept: "+err.Error(), data)
		}
		return e.Next()
	})
}
