package backup_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every way to ask for a backup ends in the same snapshot: data.db and
// auxiliary.db written by VACUUM INTO (never the live files, never their
// -wal/-shm), plus the storage files, and the result verifies.
func TestEveryBackupPathWritesASnapshot(t *testing.T) {
	app := testutil.NewApp(t)
	seed(t, app)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	ctx := context.Background()
	// A sparse file in the storage (an evidence disk image) is stored, not
	// deflated beyond the ratio a restore accepts, so the backup restores.
	os.MkdirAll(filepath.Join(app.DataDir(), "storage", "site"), 0o755)
	os.WriteFile(filepath.Join(app.DataDir(), "storage", "site", "sparse.img"), make([]byte, 4<<20), 0o600)
	// Import uploads in flight are scratch space, never archived.
	os.MkdirAll(filepath.Join(app.DataDir(), ".aegis_uploads"), 0o755)
	os.WriteFile(filepath.Join(app.DataDir(), ".aegis_uploads", "partial.json"), []byte("{"), 0o600)

	scenarios := []struct {
		name   string
		create func(t *testing.T) string // returns the backup name
	}{
		{"aegis API POST /api/aegis/backups", func(t *testing.T) string {
			res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups", users["admin"].Token, map[string]string{"name": "api.zip"})
			require.Equal(t, http.StatusOK, res.Status, "POST /api/aegis/backups: %d %s", res.Status, res.Body)
			require.Contains(t, string(res.Body), `"api.zip"`, "POST /api/aegis/backups: %d %s", res.Status, res.Body)
			return "api.zip"
		}},
		{"PocketBase API POST /api/backups (superuser)", func(t *testing.T) string {
			res := testutil.Do(t, http.MethodPost, srv.URL+"/api/backups", testutil.Superuser(t).Token, map[string]string{"name": "dashboard.zip"})
			require.Equal(t, http.StatusNoContent, res.Status, "POST /api/backups: %d %s", res.Status, res.Body)
			return "dashboard.zip"
		}},
		{"aegis backup (CLI) with a generated name", func(t *testing.T) string {
			name, err := backup.Create(ctx, app, "")
			require.NoError(t, err)
			return name
		}},
		{"daily backup job", func(t *testing.T) string {
			before, _ := backup.List(app)
			for _, j := range app.Cron().Jobs() {
				if j.Id() == "__pbAutoBackup__" {
					j.Run()
				}
			}
			after, _ := backup.List(app)
			for _, n := range after {
				if !slices.Contains(before, n) && strings.HasPrefix(n, "@auto_pb_backup_") {
					return n
				}
			}
			require.FailNow(t, "the daily job wrote no backup", "before %v, after %v", before, after)
			return ""
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			name := sc.create(t)
			zipPath := backup.LocalPath(app, name)
			entries := zipEntries(t, zipPath)
			for _, want := range []string{backup.DataDB, backup.AuxiliaryDB} {
				assert.Contains(t, entries, want, "%s lacks %s: %v", name, want, entries)
			}
			for _, e := range entries {
				assert.False(t, strings.HasPrefix(e, ".aegis_uploads/"), "%s holds %s: live database side files and backups are never archived", name, e)
				assert.False(t, strings.HasPrefix(e, "data.db-"), "%s holds %s: live database side files and backups are never archived", name, e)
				assert.False(t, strings.HasPrefix(e, "auxiliary.db-"), "%s holds %s: live database side files and backups are never archived", name, e)
				assert.False(t, strings.HasPrefix(e, core.LocalBackupsDirName+"/"), "%s holds %s: live database side files and backups are never archived", name, e)
				assert.False(t, strings.HasPrefix(e, core.LocalTempDirName+"/"), "%s holds %s: live database side files and backups are never archived", name, e)
			}
			assert.Contains(t, entries, "storage/site/sparse.img", "%s lacks the storage files: %v", name, entries)
			rep, err := backup.Verify(ctx, zipPath)
			require.NoError(t, err, "verify %s", name)
			require.Equal(t, 1, rep.EvidenceFiles, "%s: unexpected report %+v", name, rep)
			require.Equal(t, 1, rep.Counts[collections.Tests], "%s: unexpected report %+v", name, rep)
		})
	}
}

// A zip whose data.db is random bytes (and other unsound archives) is
// refused by every restore path, and the current data stays as it was.
func TestEveryRestorePathRefusesUnsoundArchives(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	seed(t, app)
	srv := testutil.Serve(t, app)
	admin := testutil.Users(t)["admin"].Token
	su := testutil.Superuser(t).Token

	good, err := backup.Create(ctx, app, "good.zip")
	require.NoError(t, err)
	random := make([]byte, 64<<10)
	rand.Read(random)
	archives := []struct {
		name  string
		files map[string][]byte
		limit func() func() // optional: tighten backup.Limits, returns the undo
		want  string
	}{
		{name: "random-db.zip", files: map[string][]byte{"data.db": random}, want: "not a database"},
		{name: "header-only-db.zip", files: map[string][]byte{"data.db": append([]byte("SQLite format 3\x00"), random[:4096]...)}, want: "integrity check"},
		{name: "no-db.zip", files: map[string][]byte{"readme.txt": []byte("hello")}, want: "data.db is missing"},
		{name: "future-migration.zip", files: withMigration(t, backup.LocalPath(app, good), "9999999999_from_the_future.go"), want: "unknown to this binary"},
		{name: "ratio-bomb.zip", files: map[string][]byte{"data.db": random, "storage/zeros.bin": make([]byte, 8<<20)}, want: "ratio allowed"},
		{name: "many-entries.zip", files: manyFiles(40), limit: func() func() {
			old := backup.Limits
			backup.Limits.MaxEntries = 20
			return func() { backup.Limits = old }
		}, want: "more than 20 files"},
		{name: "big-entry.zip", files: map[string][]byte{"data.db": random}, limit: func() func() {
			old := backup.Limits
			backup.Limits.MaxEntrySize = 1 << 10
			return func() { backup.Limits = old }
		}, want: "allowed per file"},
	}
	for _, a := range archives {
		writeZipBytes(t, backup.LocalPath(app, a.name), a.files)
	}

	paths := []struct {
		name    string
		restore func(t *testing.T, name string) string // returns the refusal text
	}{
		{"aegis restore FILE (CLI, server stopped)", func(t *testing.T, name string) string {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "data.db"), []byte("current database"), 0o600)
			_, err := backup.Restore(ctx, backup.LocalPath(app, name), dir)
			b, _ := os.ReadFile(filepath.Join(dir, "data.db"))
			require.Equal(t, "current database", string(b), "a refused CLI restore changed the data dir")
			require.Error(t, err, "the CLI restore accepted the archive")
			return err.Error()
		}},
		{"POST /api/aegis/backups/{name}/restore (admin)", func(t *testing.T, name string) string {
			res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups/"+name+"/restore", admin, nil)
			require.Equal(t, http.StatusBadRequest, res.Status, "status %d, want 400: %s", res.Status, res.Body)
			return string(res.Body)
		}},
		{"POST /api/backups/{key}/restore (PocketBase, superuser)", func(t *testing.T, name string) string {
			res := testutil.Do(t, http.MethodPost, srv.URL+"/api/backups/"+name+"/restore", su, nil)
			require.Equal(t, http.StatusBadRequest, res.Status, "status %d, want 400: %s", res.Status, res.Body)
			return string(res.Body)
		}},
		{"app.RestoreBackup (what both routes run)", func(t *testing.T, name string) string {
			err := app.RestoreBackup(ctx, name)
			require.Error(t, err, "app.RestoreBackup accepted the archive")
			return err.Error()
		}},
	}

	dbPath := filepath.Join(app.DataDir(), "data.db")
	before, err := os.Stat(dbPath)
	require.NoError(t, err)
	for _, p := range paths {
		for _, a := range archives {
			t.Run(p.name+"/"+a.name, func(t *testing.T) {
				if a.limit != nil {
					defer a.limit()()
				}
				assert.Contains(t, p.restore(t, a.name), a.want, "refusal does not say %q", a.want)
				after, err := os.Stat(dbPath)
				require.NoError(t, err, "the live data.db was replaced by a refused restore")
				require.True(t, os.SameFile(before, after), "the live data.db was replaced by a refused restore: %v", err)
				n, err := app.CountRecords(collections.Tests)
				require.NoError(t, err, "count tests after a refused restore")
				require.Equal(t, int64(1), n, "the current data is kept after a refused restore")
			})
		}
	}
	// The sound backup still verifies on both routes' verification.
	res := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/backups/good.zip/verify", admin, nil)
	require.Equal(t, http.StatusOK, res.Status, "verify the good backup: %d %s", res.Status, res.Body)
}

func zipEntries(t *testing.T, p string) []string {
	t.Helper()
	zr, err := zip.OpenReader(p)
	require.NoError(t, err)
	defer zr.Close()
	var out []string
	for _, f := range zr.File {
		out = append(out, f.Name)
	}
	return out
}

func writeZipBytes(t *testing.T, p string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, c := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		require.NoError(t, err)
		w.Write(c)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o600))
}

func manyFiles(n int) map[string][]byte {
	out := map[string][]byte{}
	for i := 0; i < n; i++ {
		out[fmt.Sprintf("storage/f%03d.txt", i)] = []byte("x")
	}
	return out
}

// withMigration returns the files of the backup at zipPath with one more
// applied migration recorded in its data.db.
func withMigration(t *testing.T, zipPath, file string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	dbPath := filepath.Join(t.TempDir(), "data.db")
	os.WriteFile(dbPath, out["data.db"], 0o600)
	db, err := sql.Open("sqlite", dbPath)
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO _migrations (file, applied) VALUES (?, 0)", file)
	require.NoError(t, err, "record the migration %s as applied", file)
	db.Close()
	out["data.db"], _ = os.ReadFile(dbPath)
	return out
}
