package backup_test

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// seed writes a technique, a test and one evidence file; it returns the
// evidence content's sha256.
func seed(t *testing.T, app core.App) string {
	t.Helper()
	techCol, _ := app.FindCollectionByNameOrId(collections.Techniques)
	tech := core.NewRecord(techCol)
	tech.Set("stix_id", "attack-pattern--1")
	tech.Set("attack_id", "T1059")
	tech.Set("name", "Command and Scripting Interpreter")
	tech.Set("in_scope", true)
	require.NoError(t, app.Save(tech))
	testCol, _ := app.FindCollectionByNameOrId(collections.Tests)
	tr := core.NewRecord(testCol)
	tr.Set("name", "PowerShell download cradle")
	tr.Set("technique", tech.Id)
	tr.Set("state", collections.StateDraft)
	require.NoError(t, app.Save(tr))
	content := []byte("timestamp,event\n2026-11-30T10:00:00Z,powershell.exe -enc ...\n")
	sum := sha256.Sum256(content)
	evCol, _ := app.FindCollectionByNameOrId(collections.Evidence)
	ev := core.NewRecord(evCol)
	f, _ := filesystem.NewFileFromBytes(content, "edr-log.csv")
	ev.Set("test", tr.Id)
	ev.Set("team", "blue")
	ev.Set("file", f)
	ev.Set("filename", "edr-log.csv")
	ev.Set("sha256", hex.EncodeToString(sum[:]))
	ev.Set("size", len(content))
	require.NoError(t, app.Save(ev))
	return hex.EncodeToString(sum[:])
}

func TestBackupWipeRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	wantHash := seed(t, app)

	name, err := backup.Create(ctx, app, "roundtrip.zip")
	require.NoError(t, err)
	zipPath := filepath.Join(t.TempDir(), name)
	copyFile(t, backup.LocalPath(app, name), zipPath)

	want, err := backup.Verify(ctx, zipPath)
	require.NoError(t, err, "verify fresh backup")
	require.Equal(t, 1, want.Counts[collections.Evidence], "unexpected backup report %+v", want)
	require.Equal(t, 1, want.EvidenceFiles, "unexpected backup report %+v", want)
	require.Equal(t, len(collections.Roles), want.Counts[collections.Users], "unexpected backup report %+v", want)

	// Wipe: restore into an empty data dir.
	target := t.TempDir()
	got, err := backup.Restore(ctx, zipPath, target)
	require.NoError(t, err, "restore")
	for col, n := range want.Counts {
		assert.Equal(t, n, got.Counts[col], "%s: restored %d rows, backup had %d", col, got.Counts[col], n)
	}

	restored, err := tests.NewTestApp(target)
	require.NoError(t, err)
	defer restored.Cleanup()
	evs, err := restored.FindAllRecords(collections.Evidence)
	require.NoError(t, err, "restored evidence: %d", len(evs))
	require.Len(t, evs, 1, "restored evidence: %v %d", err, len(evs))
	fsys, err := restored.NewFilesystem()
	require.NoError(t, err)
	defer fsys.Close()
	r, err := fsys.GetReader(evs[0].BaseFilesPath() + "/" + evs[0].GetString("file"))
	require.NoError(t, err, "restored evidence file")
	defer r.Close()
	h := sha256.New()
	io.Copy(h, r)
	require.Equal(t, wantHash, hex.EncodeToString(h.Sum(nil)), "evidence hash after restore, want %s", wantHash)
}

func TestRestoreRefusesBadArchivesAndKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sentinel := filepath.Join(dir, "data.db")
	os.WriteFile(sentinel, []byte("current database"), 0o600)

	notZip := filepath.Join(t.TempDir(), "bad.zip")
	os.WriteFile(notZip, []byte("this is not a zip"), 0o600)

	noDB := filepath.Join(t.TempDir(), "nodb.zip")
	writeZip(t, noDB, map[string]string{"readme.txt": "hello"})

	corrupt := filepath.Join(t.TempDir(), "corrupt.zip")
	writeZip(t, corrupt, map[string]string{"data.db": "SQLite format 3\x00 but then garbage"})

	slip := filepath.Join(t.TempDir(), "slip.zip")
	writeZip(t, slip, map[string]string{"../../aegis-zip-slip.txt": "escaped", "data.db": "x"})

	for name, p := range map[string]string{"not a zip": notZip, "no data.db": noDB, "corrupt db": corrupt, "zip slip": slip} {
		t.Run(name, func(t *testing.T) {
			_, err := backup.Restore(ctx, p, dir)
			require.Error(t, err, "restore accepted a bad archive")
			_, err = os.Stat(filepath.Join(dir, "aegis-zip-slip.txt"))
			require.Error(t, err, "an archive entry was written outside the restore folder")
			b, _ := os.ReadFile(sentinel)
			require.Equal(t, "current database", string(b), "a refused restore changed the data dir")
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o600))
}

func writeZip(t *testing.T, p string, files map[string]string) {
	t.Helper()
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for n, c := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(c))
	}
	zw.Close()
	f.Close()
}
