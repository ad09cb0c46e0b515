package source_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers/source"
	"github.com/stretchr/testify/require"
)

// taxiiServer serves n objects from one collection, in TAXII 2.1 envelopes
// with next tokens, or as TAXII 2.0 bundles paged with Range headers.
func taxiiServer(t *testing.T, n int, v20 bool) *httptest.Server {
	objects := make([]map[string]any, n)
	for i := range objects {
		objects[i] = map[string]any{"type": "attack-pattern", "id": fmt.Sprintf("attack-pattern--%04d", i)}
	}
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/taxii2/", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"title": "test", "default": srv.URL + "/api1/", "api_roots": []string{srv.URL + "/api1/"}})
	})
	mux.HandleFunc("/api1/collections/", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"collections": []map[string]any{
			{"id": "other", "title": "Other", "can_read": true},
			{"id": "enterprise", "title": "Enterprise ATT&CK", "can_read": true},
		}})
	})
	mux.HandleFunc("/api1/collections/enterprise/objects/", func(w http.ResponseWriter, r *http.Request) {
		if v20 {
			var start, end int
			fmt.Sscanf(r.Header.Get("Range"), "items %d-%d", &start, &end)
			if end >= n {
				end = n - 1
			}
			w.Header().Set("Content-Type", "application/vnd.oasis.stix+json; version=2.0")
			w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%d", start, end, n))
			w.WriteHeader(http.StatusPartialContent)
			json.NewEncoder(w).Encode(map[string]any{"type": "bundle", "id": "bundle--1", "objects": objects[start : end+1]})
			return
		}
		if !strings.Contains(r.Header.Get("Accept"), "application/taxii+json;version=2.1") {
			http.Error(w, "bad accept", http.StatusNotAcceptable)
			return
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		start, _ := strconv.Atoi(r.URL.Query().Get("next"))
		end := min(start+limit, n)
		out := map[string]any{"objects": objects[start:end], "more": end < n}
		if end < n {
			out["next"] = strconv.Itoa(end)
		}
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		json.NewEncoder(w).Encode(out)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestTAXIIPaging(t *testing.T) {
	for _, v20 := range []bool{false, true} {
		for _, merge := range []bool{false, true} {
			t.Run(fmt.Sprintf("v20=%v merge=%v", v20, merge), func(t *testing.T) {
				srv := taxiiServer(t, 25, v20)
				opts := source.Options{TAXII: source.TAXIIOptions{PageSize: 10, Merge: merge, Collection: "Enterprise ATT&CK"}}
				for _, spec := range []string{"taxii+" + srv.URL + "/taxii2/", "taxii+" + srv.URL + "/api1/collections/enterprise/"} {
					src, err := source.Open(spec, opts)
					require.NoError(t, err)
					got, order, err := collect(t, src)
					require.NoError(t, err)
					wantFiles := 3
					if merge {
						wantFiles = 1
					}
					require.Lenf(t, order, wantFiles, "%s: files %v", spec, order)
					ids := map[string]bool{}
					for _, body := range got {
						var b struct {
							Type    string `json:"type"`
							Objects []struct{ Id string }
						}
						err := json.Unmarshal([]byte(body), &b)
						require.NoErrorf(t, err, "page is not a bundle: %v %.80s", err, body)
						require.EqualValuesf(t, "bundle", b.Type, "page is not a bundle: %v %.80s", err, body)
						for _, o := range b.Objects {
							ids[o.Id] = true
						}
					}
					require.Lenf(t, ids, 25, "%s: got %d distinct objects", spec, len(ids))
				}
			})
		}
	}
}

func TestTAXIIUnknownCollection(t *testing.T) {
	srv := taxiiServer(t, 1, false)
	src, _ := source.Open("taxii+"+srv.URL+"/taxii2/", source.Options{TAXII: source.TAXIIOptions{Collection: "ics"}})
	_, _, err := collect(t, src)
	require.NotNil(t, err, "want error listing collections, got %v", err)
	require.False(t, !strings.Contains(err.Error(), "Enterprise ATT&CK (enterprise)"), "want error listing collections, got %v", err)
}
