package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

// Backups can live on S3-compatible storage: tested against a real server.
func TestBackupToS3(t *testing.T) {
	s3 := testutil.StartS3(t)
	app := testutil.NewApp(t)
	seed(t, app)
	s := app.Settings()
	s.Backups.S3 = core.S3Config{Enabled: true, Bucket: s3.Bucket, Region: s3.Region, Endpoint: s3.Endpoint,
		AccessKey: s3.AccessKey, Secret: s3.Secret, ForcePathStyle: true}
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	name, err := backup.Create(context.Background(), app, "offsite.zip")
	if err != nil {
		t.Fatal(err)
	}
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
}
