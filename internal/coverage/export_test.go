package coverage_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/importers/vectr"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+SUM(A1)": "'+SUM(A1)", "-2": "'-2", "@cmd": "'@cmd", "\t=x": "'\t=x",
		"plain": "plain", "": "", "a=b": "a=b", "bad\xffutf8": "bad\uFFFDutf8",
	} {
		if got := coverage.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// seedTests writes n tests on one technique with raw SQL (fast), with
// hostile names and a long procedure so the export is megabytes.
func seedTests(t testing.TB, app core.App, n int) string {
	t.Helper()
	tech := core.GenerateDefaultRandomId()
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	err := app.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().NewQuery(`INSERT INTO techniques (id, stix_id, attack_id, name, domain, in_scope, created, updated)
			VALUES ({:id}, 'attack-pattern--x', 'T1059', 'Command and Scripting Interpreter', 'enterprise-attack', 1, {:now}, {:now})`).
			Bind(dbx.Params{"id": tech, "now": now}).Execute(); err != nil {
			return err
		}
		q := tx.DB().NewQuery(`INSERT INTO tests (id, name, technique, procedure, state, prevention, detection, validated_at, tags, created, updated)
			VALUES ({:id}, {:name}, {:tech}, {:proc}, 'validated', 'blocked', 'technique', {:now}, '["a","b"]', {:now}, {:now})`).Prepare()
		defer q.Close()
		proc := strings.Repeat("Invoke-Expression step; ", 20)
		names := []string{"=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ünïcødé \"quoted\", comma\nnew line", "normal"}
		for i := 0; i < n; i++ {
			if _, err := q.Bind(dbx.Params{"id": fmt.Sprintf("t%014d", i), "name": names[i%len(names)], "tech": tech,
				"proc": proc, "now": now}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	coverage.For(app).Invalidate()
	return tech
}

func TestCSVQuotingUTF8AndInjection(t *testing.T) {
	app := testutil.NewApp(t)
	seedTests(t, app, 6)
	var buf bytes.Buffer
	require.NoError(t, coverage.Export(context.Background(), app, "tests", "csv", url.Values{}, &buf, false))
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("missing UTF-8 byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	require.NoError(t, err, "CSV does not parse")
	if len(recs) != 7 || recs[0][1] != "name" {
		t.Fatalf("rows: %d header %v", len(recs), recs[0])
	}
	got := map[string]bool{}
	for _, r := range recs[1:] {
		got[r[1]] = true
		if r[2] != "T1059" || r[18] != "a;b" {
			t.Fatalf("row: %v", r)
		}
	}
	for _, want := range []string{"'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Ünïcødé \"quoted\", comma\nnew line", "normal"} {
		if !got[want] {
			t.Errorf("cell %q not found in %v", want, got)
		}
	}
	if !bytes.Contains(raw, []byte("\r\n")) {
		t.Error("CSV lines should end with CRLF")
	}
	// JSON: an array of objects, values not mangled by the CSV guard.
	buf.Reset()
	require.NoError(t, coverage.Export(context.Background(), app, "tests", "json", url.Values{"technique": {"t1059"}}, &buf, false))
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil || len(rows) != 6 {
		t.Fatalf("json rows %d: %v", len(rows), err)
	}
	if rows[0]["name"] != "=HYPERLINK(\"http://x\")" {
		t.Fatalf("json name %v", rows[0]["name"])
	}
	// VECTR test cases.
	buf.Reset()
	require.NoError(t, coverage.Export(context.Background(), app, "vectr", "csv", url.Values{"bom": {"0"}}, &buf, false))
	recs, err = csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 7 || strings.Join(recs[0], ",") != strings.Join(coverage.VectrColumns, ",") ||
		recs[1][7] != "Blocked" || recs[1][6] != "Completed" {
		t.Fatalf("vectr: %v %v", err, recs[:2])
	}
	if err := coverage.Export(context.Background(), app, "nope", "csv", url.Values{}, io.Discard, false); err == nil {
		t.Fatal("unknown dataset accepted")
	}
}

// sampler records the peak heap while the export writes, and the peak
// reached during the first tenth of the output.
type sampler struct {
	n, peak, early uint64
	ms             runtime.MemStats
}

func (s *sampler) Write(p []byte) (int, error) {
	before := s.n
	s.n += uint64(len(p))
	if s.n/(128<<10) != before/(128<<10) { // every 128 KiB
		runtime.ReadMemStats(&s.ms)
		if s.ms.HeapInuse > s.peak {
			s.peak = s.ms.HeapInuse
		}
		if s.n < 1_200_000 {
			s.early = s.peak
		}
	}
	return len(p), nil
}

func TestExportStreamsWithFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 20k tests")
	}
	app := testutil.NewApp(t)
	seedTests(t, app, 20000)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	s := &sampler{peak: base.HeapInuse}
	start := time.Now()
	require.NoError(t, coverage.Export(context.Background(), app, "tests", "csv", url.Values{}, s, false))
	growth := int64(s.peak) - int64(base.HeapInuse)
	early := int64(s.early) - int64(base.HeapInuse)
	t.Logf("20k-test CSV: %.1f MB written in %s; heap in use %.1f MB before, peak growth %.1f MB after the first 10%% of rows, %.1f MB over all rows",
		float64(s.n)/1e6, time.Since(start).Round(time.Millisecond), float64(base.HeapInuse)/1e6, float64(early)/1e6, float64(growth)/1e6)
	if s.n < 10_000_000 {
		t.Fatalf("export too small to measure: %d bytes", s.n)
	}
	// Flat: the heap after all 20k rows is no higher than after the first
	// 2k plus GC slack, and far below the size of the output (loading all
	// rows would hold more than the whole output).
	if growth > early+4<<20 || growth > int64(s.n)/2 {
		t.Fatalf("heap grew %d bytes (first tenth: %d) for a %d-byte export: not streaming", growth, early, s.n)
	}
}

func TestExportRoutes(t *testing.T) {
	app := testutil.NewApp(t)
	seedTests(t, app, 30)
	srv := testutil.Serve(t, app)
	tok := testutil.Users(t)["viewer"].Token
	res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv?state=validated", tok, nil)
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "aegis-tests.csv") {
		t.Fatalf("csv: %d %v", res.Status, res.Header)
	}
	if n := bytes.Count(res.Body, []byte("\r\nt0")); n != 30 {
		t.Fatalf("rows: %d", n)
	}
	// The seeded tests are unrevealed (blind): blue roles export none of them.
	blue := testutil.Users(t)["blue_analyst"].Token
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv", blue, nil)
	if n := bytes.Count(res.Body, []byte("\r\nt0")); res.Status != 200 || n != 0 {
		t.Fatalf("blue export of unrevealed tests: %d rows", n)
	}
	if _, err := app.DB().NewQuery("UPDATE tests SET revealed = 1 WHERE id < 't00000000000010'").Execute(); err != nil {
		t.Fatal(err)
	}
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv", blue, nil)
	if n := bytes.Count(res.Body, []byte("\r\nt0")); n != 10 {
		t.Fatalf("blue export after reveal: %d rows", n)
	}
	for path, want := range map[string]int{
		"/export/nope.csv": 404, "/export/tests.xml": 400, "/export/tests.csv?since=yesterday": 400,
		"/export/techniques.json": 200, "/export/audit.csv": 200, "/export/rules.json": 200, "/export/controls.csv": 200,
		"/export/actors.csv": 200, "/export/heatmap.svg": 200, "/export/heatmap.png": 200, "/reports/executive": 200,
		"/export/navigator?scope=bogus": 400, "/export/navigator?scope=actor:G9999": 404,
	} {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis"+path, tok, nil)
		if res.Status != want {
			t.Errorf("%s: %d, want %d: %s", path, res.Status, want, res.Body)
		}
	}
	if res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv", "", nil); res.Status != 401 {
		t.Fatalf("anonymous export: %d", res.Status)
	}
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/heatmap.png", tok, nil)
	if !bytes.HasPrefix(res.Body, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatal("heatmap.png is not a PNG")
	}
}

// The VECTR export reads back through the VECTR importer.
func TestVectrExportRoundTrip(t *testing.T) {
	from := testutil.NewApp(t)
	seedTests(t, from, 6)
	path := filepath.Join(t.TempDir(), "vectr.csv")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, coverage.Export(context.Background(), from, "vectr", "csv", url.Values{"bom": {"0"}}, f, false))
	f.Close()
	to := testutil.NewApp(t)
	seedTests(t, to, 0) // the catalogue: technique T1059
	src, err := source.Open(path, source.Options{})
	require.NoError(t, err)
	rep, err := vectr.Import(context.Background(), to, src, importers.Options{})
	require.NoError(t, err, "import our VECTR export")
	var n, blocked int
	require.NoError(t, to.DB().NewQuery("SELECT count(*) FROM tests").Row(&n))
	require.NoError(t, to.DB().NewQuery("SELECT count(*) FROM tests WHERE prevention = 'blocked'").Row(&blocked))
	if n != 6 || blocked != 6 {
		t.Fatalf("round trip: %d tests, %d blocked; report %+v", n, blocked, rep)
	}
}
