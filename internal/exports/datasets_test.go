package exports_test

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
	"github.com/aegis-sec/aegis/internal/exports"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+SUM(A1)": "'+SUM(A1)", "-2": "'-2", "@cmd": "'@cmd", "\t=x": "'\t=x",
		"plain": "plain", "": "", "a=b": "a=b", "bad\xffutf8": "bad\uFFFDutf8",
	} {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			assert.Equal(t, want, exports.SafeCell(in), "SafeCell(%q), want %q", in, want)
		})
	}
}

func TestCSVQuotingUTF8AndInjection(t *testing.T) {
	app := testutil.NewApp(t)
	seedTests(t, app, 6)
	var buf bytes.Buffer
	require.NoError(t, exports.Export(context.Background(), app, "tests", "csv", url.Values{}, &buf, false))
	raw := buf.Bytes()
	require.True(t, bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")), "missing UTF-8 byte-order mark")
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	require.NoError(t, err, "CSV does not parse")
	require.Len(t, recs, 7, "rows: %d header %v", len(recs), recs[0])
	require.Equal(t, "name", recs[0][1], "rows: %d header %v", len(recs), recs[0])
	got := map[string]bool{}
	for _, r := range recs[1:] {
		got[r[1]] = true
		require.Equal(t, "T1059", r[2], "row: %v", r)
		require.Equal(t, "a;b", r[18], "row: %v", r)
	}
	for _, want := range []string{"'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Ünïcødé \"quoted\", comma\nnew line", "normal"} {
		assert.True(t, got[want], "cell %q not found in %v", want, got)
	}
	assert.True(t, bytes.Contains(raw, []byte("\r\n")), "CSV lines should end with CRLF")
	// JSON: an array of objects, values not mangled by the CSV guard.
	buf.Reset()
	require.NoError(t, exports.Export(context.Background(), app, "tests", "json", url.Values{"technique": {"t1059"}}, &buf, false))
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rows), "json rows %d", len(rows))
	require.Len(t, rows, 6, "json rows %d", len(rows))
	require.False(t, rows[0]["name"] != "=HYPERLINK(\"http://x\")", "json name %v", rows[0]["name"])
	// VECTR test cases.
	buf.Reset()
	require.NoError(t, exports.Export(context.Background(), app, "vectr", "csv", url.Values{"bom": {"0"}}, &buf, false))
	recs, err = csv.NewReader(&buf).ReadAll()
	require.NoError(t, err, "read the VECTR CSV")
	require.Len(t, recs, 7, "VECTR CSV rows")
	require.Equal(t, strings.Join(exports.VectrColumns, ","), strings.Join(recs[0], ","), "VECTR CSV: %v", recs[:2])
	require.Equal(t, "Blocked", recs[1][7], "VECTR CSV: %v", recs[:2])
	require.Equal(t, "Completed", recs[1][6], "VECTR CSV: %v", recs[:2])
	require.Error(t, exports.Export(context.Background(), app, "nope", "csv", url.Values{}, io.Discard, false), "unknown dataset accepted")
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
	require.NoError(t, exports.Export(context.Background(), app, "tests", "csv", url.Values{}, s, false))
	growth := int64(s.peak) - int64(base.HeapInuse)
	early := int64(s.early) - int64(base.HeapInuse)
	t.Logf("20k-test CSV: %.1f MB written in %s; heap in use %.1f MB before, peak growth %.1f MB after the first 10%% of rows, %.1f MB over all rows",
		float64(s.n)/1e6, time.Since(start).Round(time.Millisecond), float64(base.HeapInuse)/1e6, float64(early)/1e6, float64(growth)/1e6)
	require.GreaterOrEqual(t, s.n, uint64(10_000_000), "export too small to measure: %d bytes", s.n)
	// Flat: the heap after all 20k rows is no higher than after the first
	// 2k plus GC slack, and far below the size of the output (loading all
	// rows would hold more than the whole output).
	require.LessOrEqual(t, growth, early+4<<20, "heap grew %d bytes (first tenth: %d) for a %d-byte export: not streaming", growth, early, s.n)
	require.LessOrEqual(t, growth, int64(s.n)/2, "heap grew %d bytes (first tenth: %d) for a %d-byte export: not streaming", growth, early, s.n)
}

func TestExportRoutes(t *testing.T) {
	app := testutil.NewApp(t)
	seedTests(t, app, 30)
	srv := testutil.Serve(t, app)
	tok := testutil.Users(t)["viewer"].Token
	res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv?state=validated", tok, nil)
	require.Equal(t, 200, res.Status, "csv: %d %v", res.Status, res.Header)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv"), "csv: %d %v", res.Status, res.Header)
	require.Contains(t, res.Header.Get("Content-Disposition"), "aegis-tests.csv", "csv: %d %v", res.Status, res.Header)
	require.Equal(t, 30, bytes.Count(res.Body, []byte("\r\nt0")), "rows")
	// The seeded tests are unrevealed (blind): blue roles export none of them.
	blue := testutil.Users(t)["blue_analyst"].Token
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv", blue, nil)
	require.Equal(t, 200, res.Status, "blue export of unrevealed tests: rows")
	require.Equal(t, 0, bytes.Count(res.Body, []byte("\r\nt0")), "blue export of unrevealed tests: rows")
	_, err := app.DB().NewQuery("UPDATE tests SET revealed = 1 WHERE id < 't00000000000010'").Execute()
	require.NoError(t, err, "reveal the first tests")
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv", blue, nil)
	require.Equal(t, 10, bytes.Count(res.Body, []byte("\r\nt0")), "blue export after reveal: rows")
	for path, want := range map[string]int{
		"/export/nope.csv": 404, "/export/tests.xml": 400, "/export/tests.csv?since=yesterday": 400,
		"/export/techniques.json": 200, "/export/audit.csv": 200, "/export/rules.json": 200, "/export/controls.csv": 200,
		"/export/actors.csv": 200, "/export/heatmap.svg": 200, "/export/heatmap.png": 200, "/reports/executive": 200,
		"/export/navigator?scope=bogus": 400, "/export/navigator?scope=actor:G9999": 404,
	} {
		t.Run("GET "+path, func(t *testing.T) {
			res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis"+path, tok, nil)
			assert.Equal(t, want, res.Status, "status of GET %s: %.300s", path, res.Body)
		})
	}
	require.Equal(t, 401, testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/tests.csv", "", nil).Status, "anonymous export")
	res = testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/export/heatmap.png", tok, nil)
	require.True(t, bytes.HasPrefix(res.Body, []byte("\x89PNG\r\n\x1a\n")), "heatmap.png is not a PNG")
}

// The VECTR export reads back through the VECTR importer.
func TestVectrExportRoundTrip(t *testing.T) {
	from := testutil.NewApp(t)
	seedTests(t, from, 6)
	path := filepath.Join(t.TempDir(), "vectr.csv")
	f, err := os.Create(path)
	require.NoError(t, err, "create the VECTR CSV file")
	require.NoError(t, exports.Export(context.Background(), from, "vectr", "csv", url.Values{"bom": {"0"}}, f, false))
	f.Close()
	to := testutil.NewApp(t)
	seedTests(t, to, 0) // the catalogue: technique T1059
	src, err := source.Open(path, source.Options{})
	require.NoError(t, err, "open the VECTR CSV as a source")
	rep, err := vectr.Import(context.Background(), to, src, importers.Options{})
	require.NoError(t, err, "import our VECTR export")
	var n, blocked int
	require.NoError(t, to.DB().NewQuery("SELECT count(*) FROM tests").Row(&n))
	require.NoError(t, to.DB().NewQuery("SELECT count(*) FROM tests WHERE prevention = 'blocked'").Row(&blocked))
	require.Equal(t, 6, n, "round trip: %d tests, %d blocked; report %+v", n, blocked, rep)
	require.Equal(t, 6, blocked, "round trip: %d tests, %d blocked; report %+v", n, blocked, rep)
}
