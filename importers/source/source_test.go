package source_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers/source"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type file struct{ name, body string }

// collect walks src and returns path → content.
func collect(t *testing.T, src source.Source) (map[string]string, []string, error) {
	t.Helper()
	got := map[string]string{}
	var order []string
	err := src.Walk(context.Background(), func(e source.Entry) error {
		b, err := io.ReadAll(e.Body)
		if err != nil {
			return err
		}
		got[e.Path] = string(b)
		order = append(order, e.Path)
		return nil
	})
	return got, order, err
}

func tarBytes(t *testing.T, files ...file) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}))
		tw.Write([]byte(f.body))
	}
	tw.Close()
	return b.Bytes()
}

func zipBytes(t *testing.T, files ...file) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f.name)
		require.NoError(t, err)
		w.Write([]byte(f.body))
	}
	zw.Close()
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func zst(t *testing.T, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	return enc.EncodeAll(b, nil)
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

var sample = []file{{"rules/a.yml", "title: a"}, {"rules/sub/b.yml", "title: b"}, {"README.md", "readme"}}

func TestOpenLocalKinds(t *testing.T) {
	dir := t.TempDir()
	tarb := tarBytes(t, sample...)
	cases := []struct {
		name string
		data []byte
		want map[string]string
	}{
		{"plain.json", []byte(`{"a":1}`), map[string]string{"plain.json": `{"a":1}`}},
		{"single.json.gz", gz([]byte(`{"g":1}`)), map[string]string{"single.json": `{"g":1}`}},
		{"single.json.zst", zst(t, []byte(`{"z":1}`)), map[string]string{"single.json": `{"z":1}`}},
		{"a.tar", tarb, nil},
		{"a.tar.gz", gz(tarb), nil},
		{"a.tgz", gz(tarb), nil},
		{"a.tar.zst", zst(t, tarb), nil},
		{"a.zip", zipBytes(t, sample...), nil},
		// Content decides, not the name: a zip called .json is a zip.
		{"misnamed.json", zipBytes(t, sample...), nil},
	}
	all := map[string]string{}
	for _, f := range sample {
		all[f.name] = f.body
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(t, dir, c.name, c.data)
			src, err := source.Open(p, source.Options{})
			require.NoError(t, err)
			got, _, err := collect(t, src)
			require.NoError(t, err)
			want := c.want
			if want == nil {
				want = all
			}
			require.EqualValuesf(t, fmt.Sprint(want), fmt.Sprint(got), "got %v, want %v", got, want)
		})
	}
}

func TestFolderSortedWithNestedArchiveAndInclude(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "z.yml", []byte("z"))
	write(t, dir, "a/b.yml", []byte("b"))
	write(t, dir, "a/c.txt", []byte("c"))
	write(t, dir, "m/pack.tar.gz", gz(tarBytes(t, file{"x/1.yml", "one"}, file{"x/2.txt", "two"})))
	src, err := source.Open(dir, source.Options{Include: func(p string) bool { return strings.HasSuffix(p, ".yml") }})
	require.NoError(t, err)
	got, order, err := collect(t, src)
	require.NoError(t, err)
	wantOrder := []string{"a/b.yml", "m/pack.tar.gz/x/1.yml", "z.yml"}
	require.EqualValuesf(t, fmt.Sprint(wantOrder), fmt.Sprint(order), "order %v, want %v", order, wantOrder)
	require.Falsef(t, got["m/pack.tar.gz/x/1.yml"] != "one", "nested content %q", got["m/pack.tar.gz/x/1.yml"])
}

func TestNestedArchiveDepth(t *testing.T) {
	dir := t.TempDir()
	inner := zipBytes(t, file{"deep.txt", "deep"})
	middle := zipBytes(t, file{"inner.zip", string(inner)})
	outer := zipBytes(t, file{"middle.zip", string(middle)})

	ok := write(t, dir, "two.zip", middle)
	src, _ := source.Open(ok, source.Options{})
	got, _, err := collect(t, src)
	require.NoErrorf(t, err, "two levels: %v %v", got, err)
	require.Falsef(t, got["inner.zip/deep.txt"] != "deep", "two levels: %v %v", got, err)

	p := write(t, dir, "three.zip", outer)
	src, _ = source.Open(p, source.Options{})
	_, _, err = collect(t, src)
	require.True(t, errors.Is(err, source.ErrLimit), "want nesting limit error, got %v", err)
	require.False(t, !strings.Contains(err.Error(), "nested deeper than 2"), "want nesting limit error, got %v", err)
}

func TestBombsAndLimits(t *testing.T) {
	dir := t.TempDir()
	// 64 MiB of zeros compresses to ~64 KiB: a classic zip bomb member.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("zeros.bin")
	chunk := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		w.Write(chunk)
	}
	zw.Close()
	bombPath := write(t, dir, "bomb.zip", bomb.Bytes())

	gzBomb := write(t, dir, "bomb.json.gz", gz(bytes.Repeat([]byte{' '}, 8<<20)))

	many := make([]file, 50)
	for i := range many {
		many[i] = file{fmt.Sprintf("f%02d.txt", i), "x"}
	}
	manyPath := write(t, dir, "many.tar", tarBytes(t, many...))

	total := write(t, dir, "total.tar", tarBytes(t, file{"a", strings.Repeat("a", 600)}, file{"b", strings.Repeat("b", 600)}))

	cases := []struct {
		name string
		path string
		lim  source.Limits
		want string
	}{
		{"zip bomb by declared size", bombPath, source.Limits{MaxEntrySize: 1 << 20}, "zeros.bin: 67108864 bytes, more than the 1048576 allowed"},
		{"gzip bomb while streaming", gzBomb, source.Limits{MaxEntrySize: 1 << 20}, "more than the 1048576 bytes allowed per file"},
		{"too many entries", manyPath, source.Limits{MaxEntries: 10}, "more than 10 files"},
		{"too large in total", total, source.Limits{MaxTotalSize: 1000}, "larger than the 1000 bytes allowed in total"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := source.Open(c.path, source.Options{Limits: c.lim})
			require.NoError(t, err)
			_, _, err = collect(t, src)
			require.Truef(t, errors.Is(err, source.ErrLimit), "got %v, want %q", err, c.want)
			require.Falsef(t, !strings.Contains(err.Error(), c.want), "got %v, want %q", err, c.want)
		})
	}
}

func TestTraversalRejected(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"../x", "a/../../x", "..\\evil"} {
		p := write(t, dir, "t.tar", tarBytes(t, file{name, "bad"}))
		src, _ := source.Open(p, source.Options{})
		_, _, err := collect(t, src)
		require.Falsef(t, !errors.Is(err, source.ErrUnsafePath), "%q: want unsafe path error, got %v", name, err)
	}
	// Absolute and dotted names are made relative instead.
	p := write(t, dir, "abs.zip", zipBytes(t, file{"/etc/x", "1"}, file{"./a/./b", "2"}))
	src, _ := source.Open(p, source.Options{})
	got, _, err := collect(t, src)
	require.NoErrorf(t, err, "normalised: %v %v", got, err)
	require.Falsef(t, got["etc/x"] != "1", "normalised: %v %v", got, err)
	require.Falsef(t, got["a/b"] != "2", "normalised: %v %v", got, err)
}

func TestOpenErrors(t *testing.T) {
	for _, spec := range []string{"", "/no/such/file", "github:onlyowner", "github:o/r@", "github:o/r@main/../x", "taxii+ftp://x/"} {
		t.Run(spec, func(t *testing.T) {
			_, err := source.Open(spec, source.Options{})
			assert.Error(t, err, "an invalid spec opens")
		})
	}
}

func sharedFile(t *testing.T, name string) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(here), "..", "..", "..", "shared", "data", name)
	if _, err := os.Stat(p); err != nil {
		require.NotEqualValuesf(t, "true", os.Getenv("CI"), "shared data %s missing (CI=true requires it)", p)
		t.Skipf("shared data %s not present", p)
	}
	return p
}

func TestHTTPServesRealFile(t *testing.T) {
	p := sharedFile(t, "attack/mobile-attack-18.1.json.gz")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, p)
	}))
	defer srv.Close()
	src, err := source.Open(srv.URL+"/mobile-attack-18.1.json.gz?token=secret", source.Options{})
	require.NoError(t, err)
	require.Falsef(t, strings.Contains(src.String(), "secret"), "String leaks the query: %s", src)
	got, _, err := collect(t, src)
	require.NoError(t, err)
	body := got["mobile-attack-18.1.json"]
	require.Lenf(t, body, 4350338, "got %d bytes: %.40q (entries %d)", len(body), body, len(got))
	require.Truef(t, strings.Contains(body[:40], `"bundle"`), "got %d bytes: %.40q (entries %d)", len(body), body, len(got))

	// Download limit.
	src, _ = source.Open(srv.URL+"/x.json.gz", source.Options{Limits: source.Limits{MaxDownload: 1000}})
	_, _, err = collect(t, src)
	require.True(t, errors.Is(err, source.ErrLimit), "want download limit, got %v", err)
}

func TestHTTPErrorsAndStalls(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.Error(w, "nope", http.StatusNotFound)
		case "/hang":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/trickle":
			w.Header().Set("Content-Length", "100")
			w.Write([]byte(`{"type":`))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	opts := source.Options{StallTimeout: 300 * time.Millisecond}

	src, _ := source.Open(srv.URL+"/missing", opts)
	_, _, err := collect(t, src)
	require.NotNil(t, err, "want 404, got %v", err)
	require.Contains(t, err.Error(), "HTTP 404", "want 404, got %v", err)
	for _, p := range []string{"/hang", "/trickle"} {
		start := time.Now()
		src, _ := source.Open(srv.URL+p, opts)
		_, _, err := collect(t, src)
		require.Falsef(t, !errors.Is(err, source.ErrStalled), "%s: want stall error, got %v", p, err)
		d := time.Since(start)
		require.Falsef(t, d > 5*time.Second, "%s: took %s", p, d)
	}
}

func TestGitHubTarball(t *testing.T) {
	archive := gz(tarBytes(t,
		file{"mitre-cti-421deac/README.md", "readme"},
		file{"mitre-cti-421deac/enterprise-attack/a.json", "A"},
		file{"mitre-cti-421deac/enterprise-attack/sub/b.json", "B"},
		file{"mitre-cti-421deac/mobile-attack/m.json", "M"},
	))
	var gotAuth, gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
		w.Write(archive)
	}))
	defer srv.Close()
	t.Setenv("AEGIS_GITHUB_TOKEN", "tok123")
	src, err := source.Open("github:mitre/cti@ATT&CK-v18.1/enterprise-attack", source.Options{GitHubBaseURL: srv.URL})
	require.NoError(t, err)
	got, order, err := collect(t, src)
	require.NoError(t, err)
	require.Falsef(t, gotAuth != "Bearer tok123", "request auth %q path %q", gotAuth, gotPath)
	require.EqualValuesf(t, "/repos/mitre/cti/tarball/ATT&CK-v18.1", gotPath, "request auth %q path %q", gotAuth, gotPath)
	require.Falsef(t, fmt.Sprint(order) != "[enterprise-attack/a.json enterprise-attack/sub/b.json]", "entries %v", order)
	require.Falsef(t, got["enterprise-attack/sub/b.json"] != "B", "entries %v", order)
}

func TestHTTPSVerifiesCertificates(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	src, _ := source.Open(srv.URL+"/x.json", source.Options{})
	_, _, err := collect(t, src)
	require.NotNilf(t, err, "self-signed certificate accepted: %v", err)
	require.Containsf(t, err.Error(), "certificate", "self-signed certificate accepted: %v", err)
	// A client that trusts the test CA (as a site with its own CA would configure) works.
	src, _ = source.Open(srv.URL+"/x.json", source.Options{Client: srv.Client()})
	got, _, err := collect(t, src)
	require.NoErrorf(t, err, "trusted client: %v %v", got, err)
	require.EqualValuesf(t, "{}", got["x.json"], "trusted client: %v %v", got, err)
}

// Raw delivers an archive's members as stored (a backup's evidence file
// that is itself a zip stays a zip); MaxRatio refuses a member that
// inflates beyond the ratio.
func TestRawMembersAndRatioLimit(t *testing.T) {
	inner := zipBytes(t, file{"a.json", `{"x":1}`})
	outer := zipBytes(t, file{"storage/evidence.zip", string(inner)}, file{"data.db", "db"})
	p := filepath.Join(t.TempDir(), "backup.zip")
	os.WriteFile(p, outer, 0o600)

	for _, c := range []struct {
		name string
		opts source.Options
		want map[string]string
	}{
		{"expanded by default", source.Options{}, map[string]string{"storage/evidence.zip/a.json": `{"x":1}`, "data.db": "db"}},
		{"raw keeps members whole", source.Options{Raw: true}, map[string]string{"storage/evidence.zip": string(inner), "data.db": "db"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, err := source.Open(p, c.opts)
			require.NoError(t, err)
			got, _, err := collect(t, src)
			require.NoError(t, err)
			require.EqualValuesf(t, len(c.want), len(got), "got %v, want %v", keys(got), keys(c.want))
			for k, v := range c.want {
				assert.EqualValuesf(t, v, got[k], "%s: %q, want %q", k, got[k], v)
			}
		})
	}

	bomb := filepath.Join(t.TempDir(), "ratio.zip")
	os.WriteFile(bomb, zipBytes(t, file{"zeros.bin", strings.Repeat("\x00", 4<<20)}), 0o600)
	for _, c := range []struct {
		name    string
		ratio   int64
		wantErr bool
	}{{"no ratio limit", 0, false}, {"ratio 100:1", 100, true}} {
		t.Run(c.name, func(t *testing.T) {
			src, _ := source.Open(bomb, source.Options{Raw: true, Limits: source.Limits{MaxRatio: c.ratio}})
			_, _, err := collect(t, src)
			require.Falsef(t, c.wantErr != (err != nil), "err %v, want error: %v", err, c.wantErr)
			require.Falsef(t, (err != nil && (!errors.Is(err, source.ErrLimit) || !strings.Contains(err.Error(), "ratio"))), "err %v, want error: %v", err, c.wantErr)
		})
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
