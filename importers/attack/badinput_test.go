package attack_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// snapshot fingerprints everything an import could touch.
func snapshot(t *testing.T, app core.App) string {
	t.Helper()
	var out strings.Builder
	for _, c := range []string{"tactics", "techniques", "data_components", "mitigations", "detection_strategies",
		"threat_actors", "actor_techniques", "software", "attack_releases", "audit_logs", "tests"} {
		var n int
		var max string
		require.NoError(t, app.DB().NewQuery("SELECT count(*), coalesce(max(updated),'') FROM "+c).Row(&n, &max))
		fmt.Fprintf(&out, "%s=%d@%s ", c, n, max)
	}
	return out.String()
}

// endless is a syntactically plausible bundle that goes on for size bytes.
type endless struct{ left, n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	var chunk []byte
	if e.n == 0 {
		chunk = []byte(`{"type":"bundle","id":"bundle--1","objects":[`)
	} else {
		chunk = fmt.Appendf(nil, `{"type":"x-mitre-tactic","id":"x-mitre-tactic--%036d","name":"t"},`, e.n)
	}
	e.n++
	n := copy(p, chunk)
	e.left -= int64(n)
	return n, nil
}

func TestBadInputLeavesDatabaseUnchanged(t *testing.T) {
	app := testutil.NewApp(t)
	mustImport(t, app, "testdata/release-1.json")
	before := snapshot(t, app)
	good, _ := os.ReadFile("testdata/release-1.json")
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	obj := func(s string) string { return `{"type":"bundle","id":"bundle--1","objects":[` + s + `]}` }

	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("enterprise-attack.json")
	zeros := make([]byte, 1<<20)
	for i := 0; i < 80; i++ {
		w.Write(zeros)
	}
	zw.Close()

	hang := make(chan struct{})
	defer close(hang)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"type":"bundle","objects":[`))
		w.(http.Flusher).Flush()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()

	old := attack.MaxBundleSize
	attack.MaxBundleSize = 16 << 20 // keep the endless-stream case light on memory
	defer func() { attack.MaxBundleSize = old }()

	cases := []struct {
		name string
		src  func() source.Source
		want string
	}{
		{"truncated JSON", func() source.Source { return open(t, file("t.json", string(good[:len(good)/2]))) }, "truncated JSON"},
		{"not JSON", func() source.Source { return open(t, file("x.json", "\x00\x01binary")) }, "expected a JSON object"},
		{"not a bundle", func() source.Source {
			return open(t, file("c.json", `{"type":"campaign","id":"campaign--1"}`))
		}, "not a STIX bundle: type is \"campaign\""},
		{"array", func() source.Source { return open(t, file("a.json", `[1,2]`)) }, "not a STIX bundle"},
		{"objects not an array", func() source.Source {
			return open(t, file("o.json", `{"type":"bundle","objects":{}}`))
		}, "\"objects\" is not an array"},
		{"object missing id", func() source.Source {
			return open(t, file("m.json", obj(`{"type":"attack-pattern","name":"No Id"}`)))
		}, `missing "id"`},
		{"id of another type", func() source.Source {
			return open(t, file("w.json", obj(`{"type":"attack-pattern","id":"malware--1"}`)))
		}, "does not match its type"},
		{"wrong field type", func() source.Source {
			return open(t, file("r.json", obj(`{"type":"attack-pattern","id":"attack-pattern--1","revoked":"yes"}`)))
		}, `field "revoked" has a string where bool is expected`},
		{"object not an object", func() source.Source { return open(t, file("n.json", obj(`42`))) }, "object #1"},
		{"duplicate ids", func() source.Source {
			return open(t, file("d.json", strings.Replace(string(good), `"name": "Doomed Technique"`, `"name": "Doomed Technique"},{"type":"attack-pattern","id":"attack-pattern--00000002-0000-4000-8000-000000000000","name":"Other","modified":"2024-01-01T00:00:00.000Z"`, 1)))
		}, "duplicate id attack-pattern--00000002"},
		{"dangling relationship", func() source.Source {
			return open(t, file("g.json", strings.Replace(string(good), `"target_ref": "attack-pattern--00000002-0000-4000-8000-000000000000"`, `"target_ref": "attack-pattern--99999999-0000-4000-8000-000000000000"`, 1)))
		}, "attack-pattern--99999999-0000-4000-8000-000000000000"},
		{"zip bomb", func() source.Source {
			return source.Reader(bytes.NewReader(bomb.Bytes()), "upload.zip", source.Options{Limits: source.Limits{MaxEntrySize: 32 << 20}})
		}, "more than the 33554432 allowed"},
		{"2 GB stream", func() source.Source {
			return source.Reader(&endless{left: 2 << 30}, "huge.json", source.Options{})
		}, "bundle too large"},
		{"hanging URL", func() source.Source {
			src, err := source.Open(srv.URL+"/enterprise-attack.json", source.Options{StallTimeout: 300 * time.Millisecond})
			require.NoError(t, err)
			return src
		}, "download stalled"},
		{"no bundle in a folder", func() source.Source {
			sub := filepath.Join(dir, "empty")
			os.MkdirAll(sub, 0o755)
			os.WriteFile(filepath.Join(sub, "README.md"), []byte("hi"), 0o644)
			return open(t, sub)
		}, "no JSON file in the source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			rep, err := attack.Import(context.Background(), app, c.src(), importers.Options{})
			require.Errorf(t, err, "imported: %+v", rep)
			require.Falsef(t, !strings.Contains(err.Error(), c.want), "error %q does not say %q", err, c.want)
			d := time.Since(start)
			require.Falsef(t, d > 20*time.Second, "took %s", d)
			after := snapshot(t, app)
			require.EqualValuesf(t, before, after, "database changed:\nbefore %s\nafter  %s", before, after)
		})
	}
}

func open(t *testing.T, spec string) source.Source {
	t.Helper()
	src, err := source.Open(spec, source.Options{})
	require.NoError(t, err)
	return src
}

// A failure after the catalogue rows were written (here: recording the
// release fails) rolls everything back.
func TestFailureMidTransactionRollsBack(t *testing.T) {
	app := testutil.NewApp(t)
	app.OnRecordCreate("attack_releases").BindFunc(func(e *core.RecordEvent) error {
		return fmt.Errorf("disk full (simulated)")
	})
	_, err := importSpec(t, app, "testdata/release-1.json", source.Options{})
	require.NotNil(t, err, "want simulated failure, got %v", err)
	require.False(t, !strings.Contains(err.Error(), "disk full"), "want simulated failure, got %v", err)
	n := count(t, app, "SELECT count(*) FROM techniques")
	require.EqualValuesf(t, 0, n, "%d techniques left after a failed import", n)
}
