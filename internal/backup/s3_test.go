package backup_test

import (
	"context"
	"os"
	"path/filepath"
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
	require.NoError(t, err, "backup %s not listed on S3: %v", name, names)
	require.Contains(t, names, name, "backup %s not listed on S3: %v %v", name, names, err)
	// The object really is on the server, and it verifies.
	obj := filepath.Join(s3.Dir, s3.Bucket, name)
	st, err := os.Stat(obj)
	require.NoError(t, err, "the object is on the S3 server")
	require.NotZero(t, st.Size(), "the object on the S3 server is not empty")
	_, err = backup.Verify(context.Background(), obj)
	require.NoError(t, err, "verify the S3 copy")
	// Verification and restore read the archive from S3 too; a random-bytes
	// data.db uploaded next to it is refused and nothing local changes.
	rep, err := backup.VerifyStored(context.Background(), app, name)
	require.NoError(t, err, "verify the stored S3 backup")
	require.Equal(t, 1, rep.EvidenceFiles, "the stored S3 backup holds the evidence file: %+v", rep)
	random := make([]byte, 16<<10)
	for i := range random {
		random[i] = byte(i * 31)
	}
	writeZipBytes(t, filepath.Join(s3.Dir, s3.Bucket, "random.zip"), map[string][]byte{"data.db": random})
	before, _ := os.Stat(filepath.Join(app.DataDir(), "data.db"))
	require.ErrorContains(t, app.RestoreBackup(context.Background(), "random.zip"), "not a database", "restore of a random data.db from S3")
	after, err := os.Stat(filepath.Join(app.DataDir(), "data.db"))
	require.NoError(t, err, "data.db is still there after a refused S3 restore")
	require.True(t, os.SameFile(before, after), "a refused S3 restore does not replace data.db")
}
