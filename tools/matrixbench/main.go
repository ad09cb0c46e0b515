// Command matrixbench measures the coverage matrix at many concurrent
// clients against the limit of the machine: a bare net/http handler serving
// the same gzip bytes with the same headers, on loopback, in the same run,
// under the same load (alternating rounds). It prints requests a second,
// p50 and p99 of each, and Aegis's share of the bare handler's throughput.
//
//	go run ./tools/matrixbench -url http://127.0.0.1:8090 -email admin1@demo.aegis.local -password aegis-demo-password
//
// Keep runs short on a shared machine: -d is per round, two rounds each.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

type stats struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
}

func load(client *http.Client, url, token string, clients int, d time.Duration) stats {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1024)
			bad := 0
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				if token != "" {
					req.Header.Set("Authorization", token)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					bad++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	return stats{rps: float64(len(lat)) / el.Seconds(), p50: q(0.5), p99: q(0.99), errors: errs}
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8090", "Aegis base URL")
	path := flag.String("path", "/api/aegis/coverage/matrix", "the view to load")
	email := flag.String("email", "admin1@demo.aegis.local", "user to sign in as")
	password := flag.String("password", "aegis-demo-password", "its password")
	clients := flag.Int("c", 50, "concurrent clients")
	d := flag.Duration("d", 4*time.Second, "length of each round (two rounds per target)")
	flag.Parse()

	tr := &http.Transport{MaxIdleConns: *clients * 2, MaxIdleConnsPerHost: *clients * 2, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"identity": *email, "password": *password})
	res, err := client.Post(*base+"/api/collections/users/auth-with-password", "application/json", bytes.NewReader(body))
	if err != nil {
		fail(err)
	}
	var auth struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(res.Body).Decode(&auth)
	res.Body.Close()
	if err != nil || auth.Token == "" {
		fail(fmt.Errorf("sign in: %s %v", res.Status, err))
	}
	req, _ := http.NewRequest(http.MethodGet, *base+*path, nil)
	req.Header.Set("Authorization", auth.Token)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = client.Do(req)
	if err != nil {
		fail(err)
	}
	payload, _ := io.ReadAll(res.Body)
	res.Body.Close()
	hdr := res.Header.Clone()
	if res.StatusCode != http.StatusOK {
		fail(fmt.Errorf("GET %s: %s", *path, res.Status))
	}

	// The bare handler: same bytes, same headers, nothing else.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range hdr {
			if k != "Date" && k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(payload)
	})}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	bare := "http://" + l.Addr().String() + "/"

	fmt.Fprintf(os.Stderr, "payload %d bytes (%s), %d clients, rounds of %s\n", len(payload), hdr.Get("Content-Encoding"), *clients, *d)
	var a, b []stats
	for i := 0; i < 2; i++ {
		a = append(a, load(client, *base+*path, auth.Token, *clients, *d))
		b = append(b, load(client, bare, "", *clients, *d))
	}
	fmt.Println("| round | Aegis req/s | p50 ms | p99 ms | bare req/s | p50 ms | p99 ms | Aegis ÷ bare |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i := range a {
		fmt.Printf("| %d | %.0f | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f %% |\n", i+1, a[i].rps, ms(a[i].p50), ms(a[i].p99),
			b[i].rps, ms(b[i].p50), ms(b[i].p99), 100*a[i].rps/b[i].rps)
		if a[i].errors+b[i].errors > 0 {
			fmt.Printf("(errors: Aegis %d, bare %d)\n", a[i].errors, b[i].errors)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "matrixbench:", err)
	os.Exit(1)
}
