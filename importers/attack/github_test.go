package attack_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestGitHubRepositoryLayout imports a repository snapshot laid out like
// mitre/cti: one single-object bundle per file plus the domain bundle that
// repeats every object, served by a fake GitHub tarball API.
func TestGitHubRepositoryLayout(t *testing.T) {
	raw, err := os.ReadFile("testdata/release-1.json")
	require.NoError(t, err)
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	json.Unmarshal(raw, &b)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	add := func(name string, body []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
	}
	add("mitre-cti-421deac/README.md", []byte("# CTI"))
	add("mitre-cti-421deac/enterprise-attack/enterprise-attack.json", raw)
	for _, o := range b.Objects {
		var head struct{ Type, ID string }
		json.Unmarshal(o, &head)
		one, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + strings.SplitN(head.ID, "--", 2)[1], "spec_version": "2.0", "objects": []json.RawMessage{o}})
		add("mitre-cti-421deac/enterprise-attack/"+head.Type+"/"+head.ID+".json", one)
	}
	add("mitre-cti-421deac/mobile-attack/mobile-attack.json", []byte(`{"type":"bundle","objects":[]}`))
	tw.Close()
	gz.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos/mitre/cti/tarball/ATT&CK-v1.0" {
			http.NotFound(w, r)
			return
		}
		w.Write(buf.Bytes())
	}))
	defer srv.Close()

	app := testutil.NewApp(t)
	rep, err := importSpec(t, app, "github:mitre/cti@ATT&CK-v1.0/enterprise-attack", source.Options{GitHubBaseURL: srv.URL})
	require.NoError(t, err)
	require.EqualValuesf(t, 11, rep.Created, "report %+v", rep)
	require.Falsef(t, rep.Files != len(b.Objects)+1, "report %+v", rep)
	require.EqualValuesf(t, "1.0", rep.Version, "report %+v", rep)
	n := count(t, app, "SELECT count(*) FROM techniques")
	require.EqualValuesf(t, 4, n, "%d techniques", n)
}
