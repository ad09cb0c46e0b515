package main

// loadgen get is the small HTTP load generator used by tools/bench.sh when
// neither hey nor wrk is installed. It sends a bounded number of GET
// requests from c concurrent clients to one loopback URL and prints a
// summary in hey's format (Requests/sec and the latency distribution).

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func getMain(args []string) {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	n := fs.Int("n", 1000, "total requests (bounded)")
	c := fs.Int("c", 10, "concurrent clients")
	maxTime := fs.Duration("t", 60*time.Second, "stop after this long")
	var hs headers
	fs.Var(&hs, "H", "header 'Name: value' (repeatable)")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: loadgen get [-n N] [-c C] [-H 'K: V'] URL")
		os.Exit(2)
	}
	target := fs.Arg(0)
	u, err := url.Parse(target)
	if err != nil || !isLoopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "loadgen only targets loopback addresses")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *c, MaxConnsPerHost: *c}, Timeout: 30 * time.Second}
	var next atomic.Int64
	lat := make([]time.Duration, *n)
	codes := map[int]int{}
	var mu sync.Mutex
	deadline := time.Now().Add(*maxTime)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(*n) || time.Now().After(deadline) {
					return
				}
				req, _ := http.NewRequest(http.MethodGet, target, nil)
				for _, h := range hs {
					if k, v, ok := strings.Cut(h, ":"); ok {
						req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
					}
				}
				t0 := time.Now()
				res, err := client.Do(req)
				code := 0
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					code = res.StatusCode
				}
				lat[i] = time.Since(t0)
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := time.Since(start)
	done := int(min(next.Load(), int64(*n)))
	lat = lat[:done]
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("Summary:\n  Total:\t%.4f secs\n  Requests/sec:\t%.4f\n\nLatency distribution:\n", total.Seconds(), float64(done)/total.Seconds())
	for _, p := range []int{10, 25, 50, 75, 90, 95, 99} {
		if len(lat) > 0 {
			fmt.Printf("  %d%% in %.4f secs\n", p, lat[min(len(lat)-1, len(lat)*p/100)].Seconds())
		}
	}
	fmt.Println("\nStatus code distribution:")
	for code, k := range codes {
		fmt.Printf("  [%d]\t%d responses\n", code, k)
	}
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}
