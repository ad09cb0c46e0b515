package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// Backups can live on S3-compatible storage: tested against a real server.
func TestBackupToS3(t *testing.T) {
	s3 := testutil.StartS3(t)
	app := testutil.NewApp(t)
	seed(t, app)
	s := app.Settings()
	s.Backups.S3 = core.S3Config{Enabled: true, Bucket: s3.Bucket, Region: s3.Region, Endpoint: s3.Endpoint,
		AccessKey: s3.AccessKey, Secret: s3.Secret, ForcePathStyle: true}
	require.NoError(t, app.Save(s))
	name, err := backup.Create(context.Background(), app, "offsite.zip")
	require.NoError(t, err)
	names, err := backup.List(app)
	if err != nil || !slices.Contains(names, name) {
		t.Fatalf("backup %s not listed on S3: %v %v", name, names, err)
	}
	// The object really is on the server, and it verifies.
	obj := filepath.Join(s3.Dir, s3.Bucket, name)
	if st, err := os.Stat(obj); err != nil || st.Size() == 0 {
		t.Fatalf("object on the S3 server: %v", err)
	}
	if _, err := backup.Verify(context.Background(), obj); err != nil {
		t.Fatalf("verify the S3 copy: %v", err)
	}
	// Verification and restore read the archive from S3 too; a random-bytes
	// data.db uploaded next to it is refused and nothing local changes.
	if rep, err := backup.VerifyStored(context.Background(), app, name); err != nil || rep.EvidenceFiles != 1 {
		t.Fatalf("verify the stored S3 backup: %+v %v", rep, err)
	}
	random := make([]byte, 16<<10)
	for i := range random {
		random[i] = byte(i * 31)
	}
	writeZipBytes(t, filepath.Join(s3.Dir, s3.Bucket, "random.zip"), map[string][]byte{"data.db": random})
	before, _ := os.Stat(filepath.Join(app.DataDir(), "data.db"))
	if err := app.RestoreBackup(context.Background(), "random.zip"); err == nil || !strings.Contains(err.Error(), "not a database") {
		t.Fatalf("restore of a random data.db from S3: %v", err)
	}
	if after, err := os.Stat(filepath.Join(app.DataDir(), "data.db")); err != nil || !os.SameFile(before, after) {
		t.Fatalf("a refused S3 restore replaced data.db: %v", err)
	}
}
