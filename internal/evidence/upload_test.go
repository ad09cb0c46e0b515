package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// env is the package's test environment, its files stored on the local
// disk or, when s3, in a local S3 gateway.
type env struct {
	*testutil.Env
	s3 bool
}

func newEnv(t *testing.T, s3 bool) *env {
	e := &env{Env: testutil.NewEnv(t), s3: s3}
	if s3 {
		srv := testutil.StartS3(t)
		s := e.App.Settings()
		s.S3 = core.S3Config{Enabled: true, Bucket: srv.Bucket, Region: srv.Region, Endpoint: srv.Endpoint,
			AccessKey: srv.AccessKey, Secret: srv.Secret, ForcePathStyle: true}
		require.NoError(t, e.App.Save(s), "enable S3")
	}
	return e
}

// test creates a test in a campaign, assigned to the red operator.
func (e *env) test(blind bool) *core.Record {
	tech := e.Save(c.Techniques, map[string]any{"stix_id": "attack-pattern--" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"attack_id": "T1041", "name": "Exfiltration Over C2 Channel"})
	camp := e.Save(c.Campaigns, map[string]any{"name": "evidence", "blind": blind})
	return e.Save(c.Tests, map[string]any{"name": "exfil", "technique": tech.Id, "campaign": camp.Id,
		"red_assignee": e.Users[c.RoleRedOperator].Id})
}

// upload streams a multipart body built on the fly from content.
func (e *env) upload(testId string, role c.Role, filename string, content io.Reader, note string) testutil.Response {
	e.T.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		if note != "" {
			mw.WriteField("note", note)
		}
		fw, err := mw.CreateFormFile("file", filename)
		if err == nil {
			_, err = io.Copy(fw, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", e.URL+"/api/aegis/tests/"+testId+"/evidence", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if role != "" {
		req.Header.Set("Authorization", e.Users[role].Token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.T, err, "upload")
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	pr.CloseWithError(io.ErrClosedPipe)
	return testutil.Response{Status: res.StatusCode, Body: body, Header: res.Header}
}

type evidenceJSON struct {
	Id, Test, Team, File, Filename, Mime, Sha256, Note, Uploaded_by string
	Size                                                            int64
}

// download fetches an evidence file, with a fresh file token when withToken.
func (e *env) download(ev evidenceJSON, role c.Role, withToken bool) *http.Response {
	e.T.Helper()
	url := e.URL + "/api/files/evidence/" + ev.Id + "/" + ev.File
	if withToken {
		res := testutil.Do(e.T, "POST", e.URL+"/api/files/token", e.Users[role].Token, nil)
		var tok struct{ Token string }
		res.JSON(e.T, &tok)
		url += "?token=" + tok.Token
	}
	res, err := http.Get(url)
	require.NoError(e.T, err, "download the evidence")
	e.T.Cleanup(func() { res.Body.Close() })
	return res
}

// stored counts the objects under the evidence collection in storage.
// stored counts the evidence files in storage. Listing a bucket while the
// server deletes from it can fail on the S3 gateway used in tests (an object
// vanishes between its listing and its stat): storedNow reports that error,
// stored fails the calling test with it.
func (e *env) stored(t *testing.T) int {
	t.Helper()
	n, err := e.storedNow()
	require.NoError(t, err, "list the stored evidence")
	return n
}

func (e *env) storedNow() (int, error) {
	fsys, err := e.App.NewFilesystem()
	if err != nil {
		return 0, fmt.Errorf("open the storage: %w", err)
	}
	defer fsys.Close()
	col, err := e.App.FindCollectionByNameOrId(c.Evidence)
	if err != nil {
		return 0, fmt.Errorf("find the evidence collection: %w", err)
	}
	objs, err := fsys.List(col.Id + "/")
	if err != nil {
		return 0, fmt.Errorf("list %s/: %w", col.Id, err)
	}
	n := 0
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".attrs") {
			n++
		}
	}
	return n, nil
}

func (e *env) rows() int {
	n, _ := e.App.CountRecords(c.Evidence)
	return int(n)
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestEvidenceLocal(t *testing.T) { suite(t, newEnv(t, false)) }

func TestEvidenceS3(t *testing.T) { suite(t, newEnv(t, true)) }

func suite(t *testing.T, e *env) {
	test := e.test(false)
	t.Run("upload and download", func(t *testing.T) {
		body := []byte("2026-11-30T10:00:01Z powershell.exe -enc SQBFAFgA\n")
		res := e.upload(test.Id, c.RoleRedOperator, "console.log", bytes.NewReader(body), "operator console")
		require.Equal(t, 200, res.Status, "upload: %d %s", res.Status, res.Body)
		var ev evidenceJSON
		res.JSON(t, &ev)
		require.Equal(t, "red", ev.Team, "metadata: %s", res.Body)
		require.Equal(t, sum(body), ev.Sha256, "metadata: %s", res.Body)
		require.Equal(t, int64(len(body)), ev.Size, "metadata: %s", res.Body)
		require.Equal(t, "text/plain", ev.Mime, "metadata: %s", res.Body)
		require.Equal(t, "console.log", ev.Filename, "metadata: %s", res.Body)
		require.Equal(t, "operator console", ev.Note, "metadata: %s", res.Body)
		require.Equal(t, e.Users[c.RoleRedOperator].Id, ev.Uploaded_by, "metadata: %s", res.Body)
		assert.Equal(t, 404, e.download(ev, c.RoleViewer, false).StatusCode, "download without token")
		r := e.download(ev, c.RoleViewer, true)
		got, _ := io.ReadAll(r.Body)
		assert.Equal(t, 200, r.StatusCode, "download with token: %d %q", r.StatusCode, got)
		assert.True(t, bytes.Equal(got, body), "download with token: %d %q", r.StatusCode, got)
		// Only the note can change afterwards, by the uploader.
		patch := func(role c.Role, body map[string]any) int {
			return testutil.Do(t, "PATCH", e.URL+"/api/collections/evidence/records/"+ev.Id, e.Users[role].Token, body).Status
		}
		assert.Equal(t, 200, patch(c.RoleRedOperator, map[string]any{"note": "console, 10:00–10:05"}), "note edit")
		code := patch(c.RoleRedOperator, map[string]any{"sha256": strings.Repeat("0", 64)})
		assert.Contains(t, []int{403, 404}, code, "the hash cannot be edited")
		assert.Equal(t, 404, patch(c.RoleRedLead, map[string]any{"note": "not mine"}), "edit by another user")
		stored, _ := e.App.FindRecordById(c.Evidence, ev.Id)
		assert.Equal(t, sum(body), stored.GetString("sha256"), "after edits the hash is unchanged")
		assert.Equal(t, "console, 10:00–10:05", stored.GetString("note"), "after edits the uploader's note is kept")
		// Blue uploads are blue evidence.
		res = e.upload(test.Id, c.RoleBlueAnalyst, "alert.json", strings.NewReader(`{"rule":"ps-encoded","hits":1}`), "")
		res.JSON(t, &ev)
		assert.Equal(t, 200, res.Status, "blue upload: %d %s", res.Status, res.Body)
		assert.Equal(t, "blue", ev.Team, "blue upload: %d %s", res.Status, res.Body)
		assert.Equal(t, "application/json", ev.Mime, "blue upload: %d %s", res.Status, res.Body)
	})
	t.Run("active content downloads as attachment", func(t *testing.T) {
		for name, body := range map[string]string{
			"report.html": "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
			"diagram.svg": `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		} {
			t.Run(name, func(t *testing.T) {
				res := e.upload(test.Id, c.RoleRedLead, name, strings.NewReader(body), "")
				require.Equal(t, 200, res.Status, "%s: %d %s", name, res.Status, res.Body)
				var ev evidenceJSON
				res.JSON(t, &ev)
				r := e.download(ev, c.RoleBlueAnalyst, true)
				assert.Equal(t, 200, r.StatusCode, "%s (%s): %d Content-Disposition", name, ev.Mime, r.StatusCode)
				assert.True(t, strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment"), "%s (%s): %d Content-Disposition", name, ev.Mime, r.StatusCode)
				ct := r.Header.Get("Content-Type")
				assert.NotContains(t, ct, "html", "%s served as %s", name, ct)
				assert.NotContains(t, ct, "svg", "%s served as %s", name, ct)
			})
		}
	})
	t.Run("refusals store nothing", func(t *testing.T) {
		rows, objs := e.rows(), e.stored(t)
		elf := append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, bytes.Repeat([]byte{0}, 120)...)
		elf[16], elf[18] = 2, 0x3e // ET_EXEC, x86-64
		blind := e.test(true)
		cases := []struct {
			name string
			role c.Role
			test string
			body []byte
			want int
		}{
			{"disallowed type", c.RoleRedOperator, test.Id, elf, 415},
			{"viewer", c.RoleViewer, test.Id, []byte("x"), 403},
			{"anonymous", "", test.Id, []byte("x"), 401},
			{"blue on unrevealed test", c.RoleBlueAnalyst, blind.Id, []byte("x"), 404},
			{"unknown test", c.RoleRedLead, "nope", []byte("x"), 404},
			{"empty file", c.RoleRedOperator, test.Id, nil, 400},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := e.upload(tc.test, tc.role, "f.bin", bytes.NewReader(tc.body), "")
				assert.Equal(t, tc.want, res.Status, "upload refused with %d: %s", tc.want, res.Body)
			})
		}
		// An operator not assigned to the test.
		r, _ := e.App.FindRecordById(c.Tests, test.Id)
		r.Set("red_assignee", e.Users[c.RoleRedLead].Id)
		e.App.Save(r)
		assert.Equal(t, 403, e.upload(test.Id, c.RoleRedOperator, "f.txt", strings.NewReader("x"), "").Status, "unassigned operator")
		r.Set("red_assignee", e.Users[c.RoleRedOperator].Id)
		e.App.Save(r)
		// Oversize against a small limit from settings.
		set, _ := e.App.FindFirstRecordByData(c.Settings, "key", "default")
		pol := c.DefaultEvidencePolicy()
		pol.MaxBytes = 4096
		set.Set("evidence", pol)
		require.NoError(t, e.App.Save(set))
		big := e.upload(test.Id, c.RoleRedOperator, "big.txt", strings.NewReader(strings.Repeat("a", 5000)), "")
		assert.Equal(t, 413, big.Status, "an upload over the limit is refused: %s", big.Body)
		fits := e.upload(test.Id, c.RoleRedOperator, "fits.txt", strings.NewReader(strings.Repeat("a", 4096)), "")
		assert.Equal(t, 200, fits.Status, "an upload at the limit is stored: %s", fits.Body)
		pol.MaxBytes = 0
		set.Set("evidence", pol)
		e.App.Save(set)
		// CRUD creates would skip hashing and sniffing.
		res := testutil.Do(t, "POST", e.URL+"/api/collections/evidence/records", e.Users[c.RoleRedLead].Token,
			map[string]any{"test": test.Id, "team": "red", "filename": "x"})
		assert.Equal(t, 400, res.Status, "CRUD create: %d", res.Status)
		assert.Equal(t, rows+1, e.rows(), "rows %d→%d, stored %d→%d: refusals left something behind", rows, e.rows(), objs, e.stored(t))
		assert.Equal(t, objs+1, e.stored(t), "rows %d→%d, stored %d→%d: refusals left something behind", rows, e.rows(), objs, e.stored(t))
	})
	t.Run("large upload streams with bounded memory", func(t *testing.T) {
		size := int64(300 << 20)
		if testing.Short() {
			size = 40 << 20
		}
		h := sha256.New()
		content := io.TeeReader(io.LimitReader(&pcapStream{}, size), h)
		runtime.GC()
		debug.FreeOSMemory()
		base := rss(t)
		var peak atomic.Int64
		peak.Store(base)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if v := rss(t); v > peak.Load() {
						peak.Store(v)
					}
				}
			}
		}()
		start := time.Now()
		res := e.upload(test.Id, c.RoleRedOperator, "capture.pcap", content, "full capture")
		elapsed := time.Since(start)
		close(stop)
		<-done
		require.Equal(t, 200, res.Status, "large upload: %d %s", res.Status, res.Body)
		var ev evidenceJSON
		res.JSON(t, &ev)
		want := hex.EncodeToString(h.Sum(nil))
		require.Equal(t, want, ev.Sha256, "large metadata: %s (want sha %s)", res.Body, want)
		require.Equal(t, size, ev.Size, "large metadata: %s (want sha %s)", res.Body, want)
		require.Equal(t, "application/vnd.tcpdump.pcap", ev.Mime, "large metadata: %s (want sha %s)", res.Body, want)
		growth := peak.Load() - base
		t.Logf("%d MiB in %v (%.0f MiB/s), RSS growth %.1f MiB (s3=%v)", size>>20, elapsed.Round(time.Millisecond),
			float64(size>>20)/elapsed.Seconds(), float64(growth)/(1<<20), e.s3)
		// Bounded, not proportional: the spool is on disk; what remains is
		// copy buffers and, on S3, PocketBase's uploader (5 parallel 6 MiB
		// parts) plus garbage-collector headroom.
		assert.LessOrEqual(t, growth, int64(128<<20), "RSS grew by %d MiB for a %d MiB upload", growth>>20, size>>20)
		assert.False(t, !testing.Short() && growth > size/2, "RSS grew by %d MiB for a %d MiB upload", growth>>20, size>>20)
		// The stored bytes hash to the same value.
		r := e.download(ev, c.RoleRedLead, true)
		dh := sha256.New()
		n, _ := io.Copy(dh, r.Body)
		assert.Equal(t, 200, r.StatusCode, "stored copy: %d, %d bytes", r.StatusCode, n)
		assert.Equal(t, size, n, "stored copy: %d, %d bytes", r.StatusCode, n)
		assert.Equal(t, want, hex.EncodeToString(dh.Sum(nil)), "stored copy: %d, %d bytes", r.StatusCode, n)
	})
	t.Run("deleting the test deletes its evidence files", func(t *testing.T) {
		require.NotEqual(t, 0, e.stored(t), "nothing stored to delete")
		require.NotEqual(t, 0, e.rows(), "nothing stored to delete")
		res := testutil.Do(t, "DELETE", e.URL+"/api/collections/tests/records/"+test.Id, e.Users[c.RoleRedLead].Token, nil)
		require.Equal(t, 204, res.Status, "delete test: %d %s", res.Status, res.Body)
		n, _ := e.App.CountRecords(c.Evidence, nil)
		assert.Equal(t, int64(0), n, "%d evidence rows left", n)
		// The files go after the response, in the background: wait for them,
		// reading a failed listing (a file removed while listed) as "not yet".
		left, err := -1, error(nil)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if left, err = e.storedNow(); err == nil && left == 0 {
				break
			}
		}
		require.NoError(t, err, "list the stored evidence")
		assert.Equal(t, 0, left, "files left in storage")
	})
	if dir := e.App.DataDir() + "/evidence_spool"; true {
		left, _ := os.ReadDir(dir)
		assert.Empty(t, left, "%d spool files left", len(left))
	}
}

// pcapStream is a pcap header followed by endless pseudo-random bytes.
type pcapStream struct {
	n     int64
	state uint64
}

func (p *pcapStream) Read(b []byte) (int, error) {
	hdr := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
	i := 0
	for ; i < len(b) && p.n < int64(len(hdr)); i++ {
		b[i] = hdr[p.n]
		p.n++
	}
	if p.state == 0 {
		p.state = 0x9e3779b97f4a7c15
	}
	for ; i < len(b); i += 8 {
		p.state ^= p.state << 13
		p.state ^= p.state >> 7
		p.state ^= p.state << 17
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], p.state)
		copy(b[i:], w[:])
	}
	p.n += int64(len(b))
	return len(b), nil
}

// rss is the process's resident set size in bytes.
func rss(t *testing.T) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status: cannot measure RSS here")
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%d", &kb)
			return kb << 10
		}
	}
	require.FailNow(t, "no VmRSS line in /proc/self/status")
	return 0
}

func TestSweepRemovesOrphansOnly(t *testing.T) {
	e := newEnv(t, false)
	test := e.test(false)
	res := e.upload(test.Id, c.RoleRedLead, "kept.txt", strings.NewReader("kept"), "")
	require.Equal(t, 200, res.Status, "upload the kept file: %s", res.Body)
	// A crash between storing the bytes and inserting the row leaves this.
	col, _ := e.App.FindCollectionByNameOrId(c.Evidence)
	fsys, _ := e.App.NewFilesystem()
	require.NoError(t, fsys.Upload([]byte("orphan"), col.Id+"/"+core.GenerateDefaultRandomId()+"/orphan.txt"))
	fsys.Close()
	os.MkdirAll(evidence.SpoolDir(e.App), 0o700)
	os.WriteFile(filepath.Join(evidence.SpoolDir(e.App), "upload-stale"), []byte("x"), 0o600)
	require.Equal(t, 2, e.stored(t), "stored %d", e.stored(t))
	// Within the grace period nothing is touched (it could be in flight).
	st, err := evidence.Sweep(context.Background(), e.App, time.Now(), time.Hour)
	require.NoError(t, err, "sweep in grace")
	require.Zero(t, st.Orphans, "in grace no orphan is removed: %+v", st)
	require.Zero(t, st.Spool, "in grace no spool file is removed: %+v", st)
	st, err = evidence.Sweep(context.Background(), e.App, time.Now().Add(2*time.Hour), time.Hour)
	require.NoError(t, err, "sweep: %+v", st)
	require.Equal(t, 1, st.Orphans, "sweep: %+v %v", st, err)
	require.Equal(t, 1, st.Spool, "sweep: %+v %v", st, err)
	assert.Equal(t, 1, e.stored(t), "after sweep: %d stored, %d rows", e.stored(t), e.rows())
	assert.Equal(t, 1, e.rows(), "after sweep: %d stored, %d rows", e.stored(t), e.rows())
}
