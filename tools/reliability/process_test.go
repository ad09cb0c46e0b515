package reliability_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// The fault tests run the real aegis binary as a child process, so that it
// can be killed with SIGKILL exactly as an operator's bad day would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func aegisBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("fault tests build and run the real binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aegis_bin_")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "aegis")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr, "build the aegis binary")
	return binPath
}

// server is one aegis process on a data dir.
type server struct {
	t    *testing.T
	bin  string
	dir  string
	url  string
	cmd  *exec.Cmd
	logs *bytes.Buffer
}

func newServer(t *testing.T) *server {
	s := &server{t: t, bin: aegisBinary(t), dir: t.TempDir()}
	s.run("user", "create", "admin@fault.local", "fault-test-password", "--role", "admin")
	s.run("user", "create", "red@fault.local", "fault-test-password", "--role", "red_lead")
	s.run("user", "create", "blue@fault.local", "fault-test-password", "--role", "blue_lead")
	return s
}

// run executes a CLI command on the data dir.
func (s *server) run(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.bin, append(args, "--dir", s.dir)...)
	out, err := cmd.CombinedOutput()
	require.NoError(s.t, err, "aegis %s: %v\n%s", strings.Join(args, " "), err, out)
	return string(out)
}

func (s *server) start() {
	s.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(s.t, err, "pick a free port")
	addr := l.Addr().String()
	l.Close()
	s.logs = &bytes.Buffer{}
	s.cmd = exec.Command(s.bin, "serve", "--http", addr, "--dir", s.dir)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	require.NoError(s.t, s.cmd.Start(), "start aegis serve")
	s.url = "http://" + addr
	s.t.Cleanup(func() {
		if s.cmd != nil && s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.url + "/api/health"); err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.FailNow(s.t, "server did not start", "%s", s.logs)
}

// kill sends SIGKILL: no shutdown hooks, no flushes.
func (s *server) kill() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func (s *server) token(email string) string {
	s.t.Helper()
	var out struct{ Token string }
	s.call(http.MethodPost, "/api/collections/users/auth-with-password", "", "application/json",
		strings.NewReader(`{"identity":"`+email+`","password":"fault-test-password"}`), &out)
	return out.Token
}

func (s *server) call(method, path, token, contentType string, body io.Reader, out any) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		require.NoError(s.t, json.Unmarshal(raw, out), "%s %s: decode %s", method, path, raw)
	}
	return res.StatusCode
}

// db opens the data dir's database read-only, as a second process would.
func (s *server) db() *sql.DB {
	s.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.dir, "data.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	require.NoError(s.t, err, "open the database read-only")
	s.t.Cleanup(func() { db.Close() })
	return db
}

func (s *server) integrity() {
	s.t.Helper()
	var res string
	err := s.db().QueryRow("PRAGMA integrity_check").Scan(&res)
	require.NoError(s.t, err, "integrity_check after kill: %q", res)
	require.Equal(s.t, "ok", res, "integrity_check after kill: %q %v", res, err)
}

func (s *server) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	require.NoError(s.t, s.db().QueryRow(query, args...).Scan(&n), "%s", query)
	return n
}
