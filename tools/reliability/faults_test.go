package reliability_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKillDuringAttackImport: SIGKILL while the ATT&CK Enterprise import
// job runs. The catalogue is all there or not there at all, the database is
// sound, and after a restart the interrupted run is no longer "running".
func TestKillDuringAttackImport(t *testing.T) {
	bundle := filepath.Join(testutil.SharedData(t), "attack", "enterprise-attack-18.1.json.gz")
	s := newServer(t)
	s.start()
	admin := s.token("admin@fault.local")

	runID := uploadImport(t, s, admin, "attack", bundle)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var run struct{ Status string }
		s.call(http.MethodGet, "/api/collections/job_runs/records/"+runID, admin, "", nil, &run)
		if run.Status == "running" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(400 * time.Millisecond) // into parsing or the write transaction
	s.kill()

	s.integrity()
	techniques := s.count("SELECT count(*) FROM techniques")
	releases := s.count("SELECT count(*) FROM attack_releases")
	require.Equal(t, releases == 0, techniques == 0, "half-written import: %d techniques but %d release records", techniques, releases)
	t.Logf("after kill: %d techniques, %d releases", techniques, releases)

	s.start()
	var run struct{ Status, Error string }
	s.call(http.MethodGet, "/api/collections/job_runs/records/"+runID, admin, "", nil, &run)
	require.False(t, run.Status == "running" && techniques > 0, "run %s still marked running after restart: %+v", runID, run)
	// Not yet marked: the start-up sweep must do it before serving.
	require.NotEqual(t, "running", run.Status, "interrupted run is marked at start-up: %+v\n%s", run, s.logs)
	t.Logf("interrupted run after restart: %s %q", run.Status, run.Error)
}

func uploadImport(t *testing.T, s *server, token, kind, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "open the file")
	defer f.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	io.Copy(fw, f)
	mw.Close()
	var out struct {
		JobRun struct{ Id string } `json:"job_run"`
	}
	code := s.call(http.MethodPost, "/api/aegis/import/"+kind, token, mw.FormDataContentType(), &buf, &out)
	require.Less(t, code, 300, "upload %s: status %d\n%s", kind, code, s.logs)
	require.NotEmpty(t, out.JobRun.Id, "upload %s: status %d\n%s", kind, code, s.logs)
	return out.JobRun.Id
}

// seedTests creates a technique (as admin) and n draft tests (as red lead).
func seedTests(t *testing.T, s *server, admin, red string, n int) []string {
	t.Helper()
	var tech struct{ Id string }
	code := s.call(http.MethodPost, "/api/collections/techniques/records", admin, "application/json",
		strings.NewReader(`{"stix_id":"attack-pattern--fault","attack_id":"T1059","name":"Command and Scripting Interpreter","in_scope":true}`), &tech)
	require.Equal(t, 200, code, "create technique: %d", code)
	ids := make([]string, n)
	for i := range ids {
		var test struct{ Id string }
		body := fmt.Sprintf(`{"name":"Fault test %d","technique":%q,"procedure":"run it"}`, i, tech.Id)
		code := s.call(http.MethodPost, "/api/collections/tests/records", red, "application/json", strings.NewReader(body), &test)
		require.Equal(t, 200, code, "create test: %d", code)
		ids[i] = test.Id
	}
	return ids
}

// TestKillDuringEvidenceUpload: SIGKILL halfway through streaming a large
// evidence file. Afterwards there is no evidence record and no stored file.
func TestKillDuringEvidenceUpload(t *testing.T) {
	s := newServer(t)
	s.start()
	admin, red := s.token("admin@fault.local"), s.token("red@fault.local")
	testID := seedTests(t, s, admin, red, 1)[0]

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	written := make(chan int64, 1)
	go func() {
		fw, _ := mw.CreateFormFile("file", "capture.pcap")
		chunk := bytes.Repeat([]byte{0xd4, 0xc3, 0xb2, 0xa1}, 256<<10) // 1 MiB
		var n int64
		for i := 0; i < 64; i++ {
			if _, err := fw.Write(chunk); err != nil {
				break
			}
			n += int64(len(chunk))
			if n == 24<<20 {
				written <- n
			}
		}
		mw.Close()
		pw.Close()
	}()
	done := make(chan int, 1)
	go func() {
		done <- s.call(http.MethodPost, "/api/aegis/tests/"+testID+"/evidence", red, mw.FormDataContentType(), pr, nil)
	}()
	select {
	case <-written:
	case <-time.After(60 * time.Second):
		require.FailNow(t, "upload did not progress within 60 s")
	}
	s.kill()
	pr.CloseWithError(io.ErrUnexpectedEOF)
	<-done

	s.integrity()
	n := s.count("SELECT count(*) FROM evidence")
	require.Equal(t, 0, n, "%d evidence records after an upload killed halfway", n)
	s.start() // start-up cleans the temp area
	var colID string
	s.db().QueryRow("SELECT id FROM _collections WHERE name = 'evidence'").Scan(&colID)
	files := 0
	filepath.Walk(filepath.Join(s.dir, "storage", colID), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files++
		}
		return nil
	})
	require.Equal(t, 0, files, "%d orphan evidence files after a killed upload", files)
}

// TestKillDuringTransitionBurst: SIGKILL while many transitions are in
// flight. Every acknowledged transition survives, and each test's revision
// equals its number of audited transitions: the change and its audit entry
// are never split.
func TestKillDuringTransitionBurst(t *testing.T) {
	s := newServer(t)
	s.start()
	admin, red, blue := s.token("admin@fault.local"), s.token("red@fault.local"), s.token("blue@fault.local")
	ids := seedTests(t, s, admin, red, 12)
	var me struct{ Record struct{ Id string } }
	s.call(http.MethodPost, "/api/collections/users/auth-with-password", "", "application/json",
		strings.NewReader(`{"identity":"red@fault.local","password":"fault-test-password"}`), &me)

	var mu sync.Mutex
	acked := map[string]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			steps := []struct {
				token, body string
			}{
				{red, `{"action":"approve","revision":%d,"red_assignee":"` + me.Record.Id + `"}`},
				{red, `{"action":"start","revision":%d}`},
				{red, `{"action":"submit","revision":%d,"red_result":"executed","executed_at":"` + time.Now().UTC().Format(time.RFC3339) + `"}`},
				{blue, `{"action":"record","revision":%d,"prevention":"not_blocked","detection":"technique"}`},
				{red, `{"action":"close","revision":%d}`},
			}
			rev := 0
			for _, st := range steps {
				select {
				case <-stop:
					return
				default:
				}
				var out struct{ Revision int }
				if code := s.call(http.MethodPost, "/api/aegis/tests/"+id+"/transition", st.token, "application/json",
					strings.NewReader(fmt.Sprintf(st.body, rev)), &out); code != 200 {
					return
				}
				rev = out.Revision
				mu.Lock()
				acked[id] = rev
				mu.Unlock()
			}
		}(id)
	}
	time.Sleep(300 * time.Millisecond)
	s.kill()
	close(stop)
	wg.Wait()

	s.integrity()
	total := 0
	for _, id := range ids {
		rev := s.count("SELECT revision FROM tests WHERE id = ?", id)
		audited := s.count("SELECT count(*) FROM audit_logs WHERE action = 'transition' AND record_id = ?", id)
		assert.GreaterOrEqual(t, rev, acked[id], "test %s: revision %d, but %d was acknowledged", id, rev, acked[id])
		assert.Equal(t, rev, audited, "test %s: revision %d but %d audited transitions", id, rev, audited)
		total += acked[id]
	}
	t.Logf("%d transitions acknowledged before the kill", total)
}

// TestKillDuringSigmaImport: SIGKILL during a Sigma corpus import. The rules
// are all there or none; after a restart the same import completes and
// yields exactly the rules a clean run does.
func TestKillDuringSigmaImport(t *testing.T) {
	archive := filepath.Join(testutil.SharedData(t), "sigma-rules.tar.gz")
	s := newServer(t)
	s.start()
	admin := s.token("admin@fault.local")
	runID := uploadImport(t, s, admin, "sigma", archive)
	waitStatus(t, s, admin, runID, 60*time.Second, "running")
	time.Sleep(300 * time.Millisecond)
	s.kill()

	s.integrity()
	afterKill := s.count("SELECT count(*) FROM detection_rules")

	s.start()
	admin = s.token("admin@fault.local")
	again := uploadImport(t, s, admin, "sigma", archive)
	st := waitStatus(t, s, admin, again, 5*time.Minute, "succeeded", "failed")
	require.Equal(t, "succeeded", st, "import after restart: %s\n%s", st, s.logs)
	complete := s.count("SELECT count(*) FROM detection_rules")
	dupes := s.count("SELECT count(*) FROM (SELECT source_rule_id FROM detection_rules GROUP BY source, source_rule_id HAVING count(*) > 1)")
	require.False(t, afterKill != 0 && afterKill != complete, "half-written import: %d rules after the kill, %d when complete", afterKill, complete)
	require.Equal(t, 0, dupes, "after recovery: %d rules, %d duplicated ids", complete, dupes)
	require.NotEqual(t, 0, complete, "after recovery: %d rules, %d duplicated ids", complete, dupes)
	t.Logf("rules after kill %d, after a completed re-run %d", afterKill, complete)
}

// waitStatus polls a job run until its status is one of want.
func waitStatus(t *testing.T, s *server, token, runID string, limit time.Duration, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		var run struct{ Status string }
		s.call(http.MethodGet, "/api/collections/job_runs/records/"+runID, token, "", nil, &run)
		last = run.Status
		for _, w := range want {
			if run.Status == w {
				return w
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.FailNow(t, "job run did not reach the wanted status", "job run %s still %q after %s", runID, last, limit)
	return ""
}

// TestDiskFullDuringUpload: the data dir sits on a small tmpfs and an
// evidence upload outgrows it. The client gets a clear error, no evidence
// record or partial file is left, and the server keeps working.
func TestDiskFullDuringUpload(t *testing.T) {
	s := newServer(t)
	mnt := filepath.Join(t.TempDir(), "small")
	os.MkdirAll(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	// Move the prepared data dir (users already created) onto the small disk.
	cpOut, err := exec.Command("cp", "-a", s.dir+"/.", mnt).CombinedOutput()
	require.NoError(t, err, "copy data dir: %s", cpOut)
	s.dir = mnt
	s.start()
	admin, red := s.token("admin@fault.local"), s.token("red@fault.local")
	testID := seedTests(t, s, admin, red, 1)[0]

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "huge.pcap")
	chunk := bytes.Repeat([]byte{0xd4, 0xc3, 0xb2, 0xa1}, 256<<10)
	for i := 0; i < 80; i++ { // 80 MiB onto a 48 MiB disk
		fw.Write(chunk)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/aegis/tests/"+testID+"/evidence", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", red)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "upload")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.GreaterOrEqual(t, res.StatusCode, 400, "an upload larger than the disk succeeded: %d %s", res.StatusCode, body)
	t.Logf("disk full answer: %d %s", res.StatusCode, body)
	assert.Equal(t, http.StatusInsufficientStorage, res.StatusCode, "the error does not say what went wrong: %s", body)
	assert.Contains(t, string(body), "out of disk space", "the error does not say what went wrong: %s", body)
	s.integrity()
	n := s.count("SELECT count(*) FROM evidence")
	require.Equal(t, 0, n, "%d evidence records after a failed upload", n)
	var colID string
	s.db().QueryRow("SELECT id FROM _collections WHERE name = 'evidence'").Scan(&colID)
	filepath.Walk(filepath.Join(s.dir, "storage", colID), func(p string, info os.FileInfo, err error) error {
		assert.False(t, err == nil && !info.IsDir(), "partial evidence file left: %s", p)
		return nil
	})
	// Still serving, and a small upload fits.
	var small bytes.Buffer
	mw = multipart.NewWriter(&small)
	fw, _ = mw.CreateFormFile("file", "note.txt")
	fw.Write([]byte("fits on the disk"))
	mw.Close()
	code := s.call(http.MethodPost, "/api/aegis/tests/"+testID+"/evidence", red, mw.FormDataContentType(), &small, nil)
	require.Equal(t, http.StatusOK, code, "small upload after a full disk: %d\n%s", code, s.logs)
}
