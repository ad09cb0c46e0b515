package reliability_test

import (
	"archive/zip"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackupThenSecondProcessLosesNothing is the seam between a backup and
// the next process that opens the database. A backup through the API, then
// a second process on the data dir (`aegis doctor`, optionally with a
// Litestream replica running), then an acknowledged PATCH, then SIGKILL:
// after a restart the PATCH is there and the database is sound. (Before
// backups were snapshots, the backup dropped the server's POSIX locks on
// data.db, the second process unlinked the WAL the server kept writing to,
// and the PATCH vanished with the kill.)
func TestBackupThenSecondProcessLosesNothing(t *testing.T) {
	scenarios := []struct {
		name           string
		second         []string // the second process's command
		withLitestream bool
	}{
		{"API backup, then aegis doctor", []string{"doctor"}, false},
		{"API backup, then aegis backup (CLI)", []string{"backup", "cli.zip"}, false},
		{"API backup, then aegis doctor, Litestream replicating", []string{"doctor"}, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := newServer(t)
			var repl *replica
			if sc.withLitestream {
				repl = startReplica(t, s.dir)
			}
			s.start()
			admin := s.token("admin@fault.local")
			techID := createTechnique(t, s, admin, "T1059", "Before the backup")

			code := s.call(http.MethodPost, "/api/aegis/backups", admin, "application/json", strings.NewReader(`{"name":"seam.zip"}`), nil)
			require.Equal(t, http.StatusOK, code, "backup through the API: %d", code)

			// A second process opens and closes the database.
			out, err := exec.Command(s.bin, append(sc.second, "--dir", s.dir)...).CombinedOutput()
			require.False(t, !strings.Contains(string(out), "database") && !strings.Contains(string(out), "written"), "aegis %s did not run: %v\n%s", sc.second[0], err, out)

			// Acknowledged writes after the second process has come and gone.
			for i := 0; i < 5; i++ {
				code := s.call(http.MethodPatch, "/api/collections/techniques/records/"+techID, admin,
					"application/json", strings.NewReader(fmt.Sprintf(`{"name":"After the backup %d"}`, i)), nil)
				require.Equal(t, http.StatusOK, code, "PATCH %d: %d", i, code)
			}
			later := createTechnique(t, s, admin, "T1003", "Created after the backup")
			gone := deletedDatabaseFiles(t, s.cmd.Process.Pid)
			assert.Empty(t, gone, "the server writes into unlinked database files: %v", gone)

			s.kill()
			s.start()
			var rec struct{ Name string }
			code = s.call(http.MethodGet, "/api/collections/techniques/records/"+techID, admin, "", nil, &rec)
			assert.Equal(t, http.StatusOK, code, "the last acknowledged PATCH was lost with SIGKILL: %d %q", code, rec.Name)
			assert.Equal(t, "After the backup 4", rec.Name, "the last acknowledged PATCH was lost with SIGKILL: %d %q", code, rec.Name)
			code = s.call(http.MethodGet, "/api/collections/techniques/records/"+later, admin, "", nil, nil)
			assert.Equal(t, http.StatusOK, code, "the technique created after the backup was lost with SIGKILL: %d", code)
			s.integrity()

			if repl != nil {
				// The replica has every acknowledged write too.
				restored := repl.restore(t)
				db, err := sql.Open("sqlite", "file:"+restored+"?mode=ro")
				require.NoError(t, err, "open the restored replica")
				defer db.Close()
				var got, integrity string
				require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&integrity), "replica integrity_check: %q", integrity)
				require.Equal(t, "ok", integrity, "replica integrity_check: %q", integrity)
				require.NoError(t, db.QueryRow("SELECT name FROM techniques WHERE id = ?", techID).Scan(&got), "the replica lacks the last acknowledged PATCH: %q", got)
				require.Equal(t, "After the backup 4", got, "the replica lacks the last acknowledged PATCH: %q", got)
			}
		})
	}
}

func createTechnique(t *testing.T, s *server, token, attackID, name string) string {
	t.Helper()
	var rec struct{ Id string }
	body := fmt.Sprintf(`{"stix_id":"attack-pattern--%s","attack_id":%q,"name":%q,"in_scope":true}`, attackID, attackID, name)
	code := s.call(http.MethodPost, "/api/collections/techniques/records", token, "application/json", strings.NewReader(body), &rec)
	require.Equal(t, http.StatusOK, code, "create technique %s: %d", attackID, code)
	return rec.Id
}

// deletedDatabaseFiles lists the server's open descriptors on database
// files that no longer exist on disk (Linux only).
func deletedDatabaseFiles(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Logf("cannot list the server's descriptors: %v", err)
		return nil
	}
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.Contains(target, ".db") && strings.HasSuffix(target, "(deleted)") {
			out = append(out, target)
		}
	}
	return out
}

// replica is a `litestream replicate` process on a data dir, shipping
// data.db to a file replica every second.
type replica struct {
	cmd    *exec.Cmd
	env    []string
	config string
	dir    string
	log    string
}

func startReplica(t *testing.T, dataDir string) *replica {
	t.Helper()
	bin := testutil.Binary(t, "litestream")
	work := t.TempDir()
	config := filepath.Join(work, "litestream.yml")
	yml := fmt.Sprintf("dbs:\n  - path: %s\n    replica:\n      type: file\n      path: %s\n      sync-interval: 1s\n",
		filepath.Join(dataDir, "data.db"), filepath.Join(work, "replica"))
	require.NoError(t, os.WriteFile(config, []byte(yml), 0o600), "write the litestream config")
	env := []string{}
	for _, kv := range os.Environ() {
		// A CA bundle set for other tools breaks Litestream's client set-up.
		if !strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	r := &replica{env: env, config: config, dir: dataDir, log: filepath.Join(work, "litestream.log")}
	logf, err := os.Create(r.log)
	require.NoError(t, err, "create the litestream log")
	r.cmd = exec.Command(bin, "replicate", "-config", config)
	r.cmd.Env, r.cmd.Stdout, r.cmd.Stderr = env, logf, logf
	require.NoError(t, r.cmd.Start(), "start litestream replicate")
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Kill()
			r.cmd.Wait()
		}
		logf.Close()
	})
	return r
}

// restore stops replication cleanly (Litestream syncs on exit) and restores
// the replica into a new file, returning its path.
func (r *replica) restore(t *testing.T) string {
	t.Helper()
	time.Sleep(3 * time.Second) // past the 1 s sync interval
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		r.cmd.Process.Kill()
		require.FailNow(t, "litestream did not stop within 20 s")
	}
	out := filepath.Join(t.TempDir(), "restored.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.cmd.Path, "restore", "-config", r.config, "-o", out, filepath.Join(r.dir, "data.db"))
	cmd.Env = r.env
	b, err := cmd.CombinedOutput()
	replLog, _ := os.ReadFile(r.log)
	require.NoError(t, err, "litestream restore: %s\nreplicate log:\n%s", b, replLog)
	return out
}

// TestRestoreRoutesOnARealServer restores through both HTTP routes on the
// real binary (the process re-executes itself on the restored data), and
// refuses an archive whose data.db is random bytes with the server left
// running on its current data.
func TestRestoreRoutesOnARealServer(t *testing.T) {
	s := newServer(t)
	s.run("superuser", "upsert", "root@fault.local", "fault-test-password")
	s.start()
	admin := s.token("admin@fault.local")
	kept := createTechnique(t, s, admin, "T1059", "In the backup")
	code := s.call(http.MethodPost, "/api/aegis/backups", admin, "application/json", strings.NewReader(`{"name":"good.zip"}`), nil)
	require.Equal(t, http.StatusOK, code, "backup: %d", code)
	random := make([]byte, 32<<10)
	for i := range random {
		random[i] = byte(i*7 + i/13)
	}
	writeZip(t, filepath.Join(s.dir, "backups", "random.zip"), map[string][]byte{"data.db": random})

	var su struct{ Token string }
	s.call(http.MethodPost, "/api/collections/_superusers/auth-with-password", "", "application/json",
		strings.NewReader(`{"identity":"root@fault.local","password":"fault-test-password"}`), &su)

	routes := []struct {
		name  string
		url   string
		token string
		ok    int
	}{
		{"POST /api/aegis/backups/{name}/restore (admin)", "/api/aegis/backups/%s/restore", admin, http.StatusAccepted},
		{"POST /api/backups/{key}/restore (superuser)", "/api/backups/%s/restore", su.Token, http.StatusNoContent},
	}
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			code := s.call(http.MethodPost, fmt.Sprintf(r.url, "random.zip"), r.token, "", nil, nil)
			require.Equal(t, http.StatusBadRequest, code, "random data.db: %d, want 400", code)
			extra := createTechnique(t, s, admin, "T1003", "Not in the backup")
			code = s.call(http.MethodPost, fmt.Sprintf(r.url, "good.zip"), r.token, "", nil, nil)
			require.Equal(t, r.ok, code, "restore good.zip: %d, want %d\n%s", code, r.ok, s.logs)
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				time.Sleep(300 * time.Millisecond)
				if s.call(http.MethodGet, "/api/collections/techniques/records/"+extra, admin, "", nil, nil) == http.StatusNotFound {
					break
				}
			}
			code = s.call(http.MethodGet, "/api/collections/techniques/records/"+extra, admin, "", nil, nil)
			require.Equal(t, http.StatusNotFound, code, "the record written after the backup is still there after the restore: %d\n%s", code, s.logs)
			code = s.call(http.MethodGet, "/api/collections/techniques/records/"+kept, admin, "", nil, nil)
			require.Equal(t, http.StatusOK, code, "the record in the backup is missing after the restore: %d", code)
			s.integrity()
		})
	}

	t.Run("aegis restore FILE (CLI, server stopped)", func(t *testing.T) {
		extra := createTechnique(t, s, admin, "T1005", "Not in the backup either")
		s.kill()
		out, err := exec.Command(s.bin, "restore", "random.zip", "--dir", s.dir).CombinedOutput()
		require.Error(t, err, "aegis restore of a random data.db: %v\n%s", err, out)
		require.Contains(t, string(out), "not a database", "aegis restore of a random data.db: %v\n%s", err, out)
		s.start()
		code := s.call(http.MethodGet, "/api/collections/techniques/records/"+extra, admin, "", nil, nil)
		require.Equal(t, http.StatusOK, code, "a refused CLI restore changed the data: %d", code)
		s.kill()
		out, err = exec.Command(s.bin, "restore", "good.zip", "--dir", s.dir).CombinedOutput()
		require.NoError(t, err, "aegis restore good.zip: %s", out)
		s.start()
		code = s.call(http.MethodGet, "/api/collections/techniques/records/"+extra, admin, "", nil, nil)
		require.Equal(t, http.StatusNotFound, code, "the record written after the backup survived the CLI restore: %d", code)
		code = s.call(http.MethodGet, "/api/collections/techniques/records/"+kept, admin, "", nil, nil)
		require.Equal(t, http.StatusOK, code, "the record in the backup is missing after the CLI restore: %d", code)
		s.integrity()
	})
}

func writeZip(t *testing.T, p string, files map[string][]byte) {
	t.Helper()
	f, err := os.Create(p)
	require.NoError(t, err, "create the zip")
	zw := zip.NewWriter(f)
	for n, c := range files {
		w, err := zw.Create(n)
		require.NoError(t, err, "add a file to the zip")
		w.Write(c)
	}
	require.NoError(t, zw.Close(), "close the zip")
	f.Close()
}
