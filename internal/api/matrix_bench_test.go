package api_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// BenchmarkMatrixRequest is one cached matrix request through the whole
// server (auth token, middlewares, handler) on loopback: the per-request
// cost on top of the bytes (go test -bench MatrixRequest -cpuprofile).
func BenchmarkMatrixRequest(b *testing.B) {
	app := testutil.NewApp(b)
	srv := testutil.Serve(b, app)
	token := testutil.Users(b)["admin"].Token
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	get := func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/aegis/coverage/matrix", nil)
		req.Header.Set("Authorization", token)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := client.Do(req)
		require.NoError(b, err, "GET the matrix")
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		require.Equal(b, http.StatusOK, res.StatusCode, res.Status)
	}
	get()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			get()
		}
	})
}
