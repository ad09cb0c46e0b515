package deploy_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// TestLitestreamReplicateLoseRestore runs the shipped config: Aegis writes
// into a real data dir while Litestream replicates it to a real
// S3-compatible server; the database is then deleted and restored from the
// replica, and every row must be back.
func TestLitestreamReplicateLoseRestore(t *testing.T) {
	litestream := testutil.Binary(t, "litestream")
	s3 := testutil.StartS3(t)

	app := testutil.NewApp(t)
	dataDir := app.DataDir()
	env := litestreamEnv(dataDir, s3)
	config, _ := filepath.Abs("litestream.yml")

	repl := exec.Command(litestream, "replicate", "-config", config)
	repl.Env = env
	logPath := filepath.Join(t.TempDir(), "litestream.log")
	logf, _ := os.Create(logPath)
	repl.Stdout, repl.Stderr = logf, logf
	require.NoError(t, repl.Start(), "start litestream replicate")
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			repl.Process.Kill()
			repl.Wait()
		}
	})

	// Acknowledged writes while replication runs.
	techCol, _ := app.FindCollectionByNameOrId(collections.Techniques)
	for i := 0; i < 200; i++ {
		r := core.NewRecord(techCol)
		r.Set("stix_id", fmt.Sprintf("attack-pattern--%04d", i))
		r.Set("attack_id", fmt.Sprintf("T9%03d", i))
		r.Set("name", fmt.Sprintf("Technique %d", i))
		r.Set("in_scope", true)
		require.NoError(t, app.Save(r), "save a technique")
	}
	want := counts(t, app)

	// Let Litestream see the last commit, then stop it cleanly (it syncs on exit).
	time.Sleep(3 * time.Second)
	repl.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- repl.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		repl.Process.Kill()
		require.FailNow(t, "litestream did not stop within 20 s")
	}
	stopped = true
	logf.Close()

	// Lose the database.
	app.ResetBootstrapState()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dataDir, "data.db"+suffix))
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	restore := exec.CommandContext(ctx, litestream, "restore", "-config", config,
		"-o", filepath.Join(dataDir, "data.db"), filepath.Join(dataDir, "data.db"))
	restore.Env = env
	out, err := restore.CombinedOutput()
	replLog, _ := os.ReadFile(logPath)
	require.NoError(t, err, "litestream restore: %s\nreplicate log:\n%s", out, replLog)

	restored, err := tests.NewTestApp(dataDir)
	require.NoError(t, err, "open the restored data dir")
	defer restored.Cleanup()
	var integrity string
	require.NoError(t, restored.DB().NewQuery("PRAGMA integrity_check").Row(&integrity), "restored database integrity: %q", integrity)
	require.Equal(t, "ok", integrity, "restored database integrity: %q", integrity)
	got := counts(t, restored)
	for name, n := range want {
		assert.Equal(t, n, got[name], "%s: %d rows after restore, %d before", name, got[name], n)
	}
	var last string
	restored.DB().Select("name").From(collections.Techniques).Where(dbx.HashExp{"attack_id": "T9199"}).Row(&last)
	require.Equal(t, "Technique 199", last, "last acknowledged write missing after restore: %q", last)
}

func litestreamEnv(dataDir string, s3 *testutil.S3Server) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		// A CA bundle set for other tools breaks plain-HTTP loopback S3.
		if strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"AEGIS_DATA_DIR="+dataDir,
		"LITESTREAM_BUCKET="+s3.Bucket,
		"LITESTREAM_PATH=aegis/data.db",
		"LITESTREAM_ENDPOINT="+s3.Endpoint,
		"LITESTREAM_REGION="+s3.Region,
		"LITESTREAM_ACCESS_KEY_ID="+s3.AccessKey,
		"LITESTREAM_SECRET_ACCESS_KEY="+s3.Secret,
	)
}

func counts(t *testing.T, app core.App) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, name := range collections.All {
		var n int
		require.NoError(t, app.DB().Select("count(*)").From(name).Row(&n), "count %s", name)
		out[name] = n
	}
	return out
}
