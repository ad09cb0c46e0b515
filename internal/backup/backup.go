// Package backup creates, verifies and restores Aegis backups.
//
// A backup is a zip of the data dir in which data.db and auxiliary.db are
// consistent snapshots written by `VACUUM INTO` on the app's own
// connections: the live database files are never opened as plain files.
// (Opening and closing data.db from the server process would drop the
// process's POSIX locks on it; the next process to open the database would
// then checkpoint and unlink the WAL the server is still writing into, and
// acknowledged writes would vanish on the next crash.) Every backup path
// (the Aegis API, `aegis backup`, the daily job, PocketBase's /api/backups
// routes, local or S3 storage) goes through app.CreateBackup, whose default
// action Register replaces with this package's snapshot.
//
// A restore is only carried out after the archive has been verified:
// bounded extraction, SQLite integrity check, migrations known to this
// binary, row counts and every local evidence file's sha256.
package backup

import (
	"archive/zip"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/inflector"
)

// Database file names inside the data dir and inside a backup.
const (
	DataDB      = "data.db"
	AuxiliaryDB = "auxiliary.db"
)

// lastPriority makes Aegis's handlers the final action of the backup hooks,
// after every other handler (which may add exclusions) has run.
const lastPriority = 1 << 20

// Register routes every backup and restore of app through this package:
// app.CreateBackup writes a snapshot (never a copy of the live files) and
// app.RestoreBackup verifies before it swaps anything. PocketBase's own
// /api/backups routes call those two, so they take the same path; its
// restore route additionally answers 400 with the report when the archive
// does not verify (see bindRestoreRoute).
func Register(app core.App) {
	app.OnBackupCreate().Bind(&hook.Handler[*core.BackupEvent]{
		Id: "aegisSnapshotBackup", Priority: lastPriority,
		Func: func(e *core.BackupEvent) error { return snapshot(e) },
	})
	app.OnBackupRestore().Bind(&hook.Handler[*core.BackupEvent]{
		Id: "aegisVerifiedRestore", Priority: lastPriority,
		Func: func(e *core.BackupEvent) error { return restoreInPlace(e) },
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindRestoreRoute(se)
		return se.Next()
	})
}

// Create writes a backup named name (generated when empty) to the backups
// storage (pb_data/backups, or S3 when configured) and returns its name.
func Create(ctx context.Context, app core.App, name string) (string, error) {
	if name == "" {
		name = GenerateName(app, "pb_backup_")
	}
	if err := app.CreateBackup(ctx, name); err != nil {
		return "", fmt.Errorf("create backup: %w", err)
	}
	return name, nil
}

// GenerateName returns prefix + app name + UTC timestamp + ".zip", the same
// shape as PocketBase's generated names.
func GenerateName(app core.App, prefix string) string {
	appName := inflector.Snakecase(app.Settings().Meta.AppName)
	if len(appName) > 50 {
		appName = appName[:50]
	}
	return fmt.Sprintf("%s%s_%s.zip", prefix, appName, time.Now().UTC().Format("20060102150405"))
}

// List returns the names of the stored backups.
func List(app core.App) ([]string, error) {
	fsys, err := app.NewBackupsFilesystem()
	if err != nil {
		return nil, fmt.Errorf("backups storage: %w", err)
	}
	defer fsys.Close()
	objs, err := fsys.List("")
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
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

// liveDatabaseFile reports whether a top-level data-dir entry is one of the
// live SQLite files (database, WAL, shared memory, journal): those are never
// opened as plain files, their content comes from the snapshots.
func liveDatabaseFile(name string) bool {
	for _, db := range []string{DataDB, AuxiliaryDB} {
		if name == db || strings.HasPrefix(name, db+"-") {
			return true
		}
	}
	return false
}

// snapshot is the action of app.CreateBackup: VACUUM INTO copies of both
// databases, zipped with the rest of the data dir (storage files), then
// uploaded to the backups storage.
func snapshot(e *core.BackupEvent) error {
	app := e.App
	if e.Name == "" {
		e.Name = GenerateName(app, "pb_backup_")
	}
	ctx := e.Context
	if ctx == nil {
		ctx = context.Background()
	}
	tmpRoot := filepath.Join(app.DataDir(), core.LocalTempDirName)
	if err := os.MkdirAll(tmpRoot, 0o755); err != nil {
		return fmt.Errorf("backup: temp dir: %w", err)
	}
	work, err := os.MkdirTemp(tmpRoot, "aegis_backup_")
	if err != nil {
		return fmt.Errorf("backup: temp dir: %w", err)
	}
	defer os.RemoveAll(work)

	dataCopy := filepath.Join(work, DataDB)
	auxCopy := filepath.Join(work, AuxiliaryDB)
	if err := vacuumInto(ctx, app.DB(), dataCopy); err != nil {
		return fmt.Errorf("backup: snapshot %s: %w", DataDB, err)
	}
	if err := vacuumInto(ctx, app.AuxDB(), auxCopy); err != nil {
		return fmt.Errorf("backup: snapshot %s: %w", AuxiliaryDB, err)
	}

	zipPath := filepath.Join(work, "archive.zip")
	if err := writeArchive(ctx, zipPath, app.DataDir(), e.Exclude, map[string]string{DataDB: dataCopy, AuxiliaryDB: auxCopy}); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}

	fsys, err := app.NewBackupsFilesystem()
	if err != nil {
		return fmt.Errorf("backup: backups storage: %w", err)
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	file, err := filesystem.NewFileFromPath(zipPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	file.OriginalName, file.Name = e.Name, e.Name
	if err := fsys.UploadFile(file, e.Name); err != nil {
		return fmt.Errorf("backup: upload %s: %w", e.Name, err)
	}
	app.Logger().Info("backup written", "name", e.Name)
	return nil
}

// vacuumInto writes a transactionally consistent copy of db's main database
// to target through db's own connection.
func vacuumInto(ctx context.Context, db dbx.Builder, target string) error {
	_, err := db.NewQuery("VACUUM INTO {:target}").Bind(dbx.Params{"target": target}).WithContext(ctx).Execute()
	return err
}

// writeArchive zips the data dir into zipPath: the snapshots under their
// names, every other regular file as it is, minus the excluded top-level
// entries and the live database files. Symbolic links are not followed.
func writeArchive(ctx context.Context, zipPath, dataDir string, exclude []string, snapshots map[string]string) (err error) {
	out, err := os.OpenFile(zipPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(out)
	for _, name := range []string{DataDB, AuxiliaryDB} {
		if err := addFile(zw, snapshots[name], name); err != nil {
			return err
		}
	}
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, werr error) error {
		if werr != nil {
			return werr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil || rel == "." {
			return err
		}
		top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		if slices.Contains(exclude, top) || liveDatabaseFile(top) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return addFile(zw, p, filepath.ToSlash(rel))
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

func addFile(zw *zip.Writer, src, name string) error {
	f, err := os.Open(src)
	if err != nil {
		if os.IsNotExist(err) {
			return nil // removed since the walk listed it (a finished upload's temp file)
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h, err := zip.FileInfoHeader(st)
	if err != nil {
		return err
	}
	h.Name, h.Method = name, zip.Deflate
	if storeWhole(f, st.Size()) {
		// Deflated, it would exceed the ratio a restore accepts (a sparse
		// image as evidence): stored as is, so that the backup restores.
		h.Method = zip.Store
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// storeWhole reports whether a file of size bytes would deflate beyond the
// compression ratio that a restore refuses (Limits.MaxRatio), by
// compressing it once with the zip writer's settings.
func storeWhole(f *os.File, size int64) bool {
	if Limits.MaxRatio <= 0 || size < source.RatioFloor {
		return false
	}
	var n countingWriter
	fw, err := flate.NewWriter(&n, 5) // archive/zip's level
	if err != nil {
		return true
	}
	if _, err := io.Copy(fw, f); err != nil || fw.Close() != nil {
		return true
	}
	return size > Limits.MaxRatio*int64(n)
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
