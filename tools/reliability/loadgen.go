// Package reliability drives Aegis the way a busy team does and checks that
// nothing is lost: a mixed workload generator (matrix and list reads, test
// transitions, comments, evidence uploads) that records per-endpoint
// latencies, errors and every acknowledged write, then verifies each
// acknowledged write is present afterwards. The CI test runs it briefly;
// scripts/load.sh runs it at full size against the real binary.
package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"mime/multipart"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/aegis-sec/aegis/collections"
)

// Config describes a load run.
type Config struct {
	BaseURL  string
	Clients  int
	Duration time.Duration
	// Tokens of the accounts the workload acts as.
	RedLead, BlueLead string
	// Tests each client owns and walks through the workflow; one owner per
	// test, so a stale revision is a real error, not contention by design.
	TestsPerClient int
	Seed           int64
}

// Stats are one endpoint's figures.
type Stats struct {
	Count     int           `json:"count"`
	Errors    int           `json:"errors"`
	P50       time.Duration `json:"p50_ns"`
	P99       time.Duration `json:"p99_ns"`
	Max       time.Duration `json:"max_ns"`
	latencies []time.Duration
}

// Result is what a run measured and what it wrote.
type Result struct {
	Duration     time.Duration     `json:"duration_ns"`
	Requests     int               `json:"requests"`
	Errors       int               `json:"errors"`
	ErrorSamples []string          `json:"error_samples"`
	Endpoints    map[string]*Stats `json:"endpoints"`
	// Acknowledged writes: comment ids, evidence id → sha256, test id → revision.
	Comments    []string          `json:"-"`
	Evidence    map[string]string `json:"-"`
	Revisions   map[string]int    `json:"-"`
	Transitions int               `json:"transitions"`
	mu          sync.Mutex
}

// Setup names the objects a run works on.
type Setup struct {
	Tests      [][]string // per client, the ids of its tests
	RedLeadID  string
	Technique  string
	CampaignID string
}

func (r *Result) record(endpoint string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.Endpoints[endpoint]
	if s == nil {
		s = &Stats{}
		r.Endpoints[endpoint] = s
	}
	s.Count++
	s.latencies = append(s.latencies, d)
	r.Requests++
	if err != nil {
		s.Errors++
		r.Errors++
		if len(r.ErrorSamples) < 20 {
			r.ErrorSamples = append(r.ErrorSamples, endpoint+": "+err.Error())
		}
	}
}

func (r *Result) finish() {
	for _, s := range r.Endpoints {
		sort.Slice(s.latencies, func(i, j int) bool { return s.latencies[i] < s.latencies[j] })
		if n := len(s.latencies); n > 0 {
			s.P50 = s.latencies[n/2]
			s.P99 = s.latencies[min(n-1, n*99/100)]
			s.Max = s.latencies[n-1]
		}
		s.latencies = nil
	}
}

// client is one simulated user session.
type client struct {
	cfg   Config
	http  *http.Client
	res   *Result
	rng   *rand.Rand
	tests []string
	state map[string]testState
	setup *Setup
}

type testState struct {
	State    string
	Revision int
}

// Run drives the workload until cfg.Duration elapses.
func Run(ctx context.Context, cfg Config, setup *Setup) *Result {
	res := &Result{Endpoints: map[string]*Stats{}, Evidence: map[string]string{}, Revisions: map[string]int{}}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Clients * 2, MaxConnsPerHost: cfg.Clients * 2}
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < cfg.Clients; i++ {
		c := &client{cfg: cfg, res: res, rng: rand.New(rand.NewSource(cfg.Seed + int64(i))),
			http: &http.Client{Transport: transport, Timeout: 30 * time.Second}, setup: setup,
			state: map[string]testState{}}
		if i < len(setup.Tests) {
			c.tests = setup.Tests[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop(ctx)
		}()
	}
	wg.Wait()
	res.Duration = time.Since(start)
	res.finish()
	return res
}

func (c *client) loop(ctx context.Context) {
	for ctx.Err() == nil {
		switch p := c.rng.Intn(100); {
		case p < 35:
			c.get(ctx, "GET coverage/matrix", "/api/aegis/coverage/matrix")
		case p < 55:
			c.get(ctx, "GET tests list", "/api/collections/tests/records?perPage=50&skipTotal=1&sort=-updated")
		case p < 70:
			c.comment(ctx)
		case p < 90:
			c.transition(ctx)
		default:
			c.evidence(ctx)
		}
	}
}

// do sends a request and decodes a JSON answer into out. Requests cut off
// by the end of the run are not counted.
func (c *client) do(ctx context.Context, endpoint, method, path, token, contentType string, body io.Reader, out any) (ok bool) {
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, body)
	if err != nil {
		c.res.record(endpoint, 0, err)
		return false
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", token)
	t0 := time.Now()
	res, err := c.http.Do(req)
	d := time.Since(t0)
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		c.res.record(endpoint, d, err)
		return false
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		c.res.record(endpoint, d, fmt.Errorf("status %d: %.200s", res.StatusCode, raw))
		return false
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.res.record(endpoint, d, fmt.Errorf("decode: %v", err))
			return false
		}
	}
	c.res.record(endpoint, d, nil)
	return true
}

func (c *client) get(ctx context.Context, endpoint, path string) {
	c.do(ctx, endpoint, http.MethodGet, path, c.cfg.BlueLead, "", nil, nil)
}

func (c *client) comment(ctx context.Context) {
	if len(c.tests) == 0 {
		return
	}
	testID := c.tests[c.rng.Intn(len(c.tests))]
	body, _ := json.Marshal(map[string]string{"test": testID, "author": c.setup.RedLeadID,
		"body": fmt.Sprintf("Observation %d: process tree captured.", c.rng.Int())})
	var out struct{ Id string }
	if c.do(ctx, "POST comment", http.MethodPost, "/api/collections/test_comments/records", c.cfg.RedLead,
		"application/json", bytes.NewReader(body), &out) {
		c.res.mu.Lock()
		c.res.Comments = append(c.res.Comments, out.Id)
		c.res.mu.Unlock()
	}
}

// nextAction walks draft → ready → executing → blue_review → validated →
// closed; a closed test is retested (a new draft the client then owns).
var nextAction = map[string]string{
	collections.StateDraft: collections.ActionApprove, collections.StateReady: collections.ActionStart,
	collections.StateExecuting: collections.ActionSubmit, collections.StateBlueReview: collections.ActionRecord,
	collections.StateValidated: collections.ActionClose,
}

func (c *client) transition(ctx context.Context) {
	if len(c.tests) == 0 {
		return
	}
	i := c.rng.Intn(len(c.tests))
	id := c.tests[i]
	st, ok := c.state[id]
	if !ok {
		var rec struct {
			State    string
			Revision int
		}
		if !c.do(ctx, "GET test", http.MethodGet, "/api/collections/tests/records/"+id, c.cfg.RedLead, "", nil, &rec) {
			return
		}
		st = testState{State: rec.State, Revision: rec.Revision}
	}
	if st.State == collections.StateClosed {
		var out struct{ Id string }
		if c.do(ctx, "POST retest", http.MethodPost, "/api/aegis/tests/"+id+"/retest", c.cfg.RedLead, "application/json", nil, &out) {
			c.tests[i] = out.Id
			delete(c.state, id)
		}
		return
	}
	action, ok := nextAction[st.State]
	if !ok {
		return
	}
	in := map[string]any{"action": action, "revision": st.Revision}
	token := c.cfg.RedLead
	switch action {
	case "approve":
		in["red_assignee"] = c.setup.RedLeadID
	case "submit":
		in["red_result"] = "executed"
		in["executed_at"] = time.Now().UTC().Format(time.RFC3339)
	case "record":
		token = c.cfg.BlueLead
		in["prevention"] = []string{"blocked", "partial", "not_blocked"}[c.rng.Intn(3)]
		in["detection"] = []string{"technique", "tactic", "general", "telemetry", "none"}[c.rng.Intn(5)]
	}
	body, _ := json.Marshal(in)
	var out struct {
		State    string
		Revision int
	}
	if c.do(ctx, "POST transition", http.MethodPost, "/api/aegis/tests/"+id+"/transition", token,
		"application/json", bytes.NewReader(body), &out) {
		c.state[id] = testState{State: out.State, Revision: out.Revision}
		c.res.mu.Lock()
		c.res.Revisions[id] = out.Revision
		c.res.Transitions++
		c.res.mu.Unlock()
	} else {
		delete(c.state, id) // re-read before the next try
	}
}

func (c *client) evidence(ctx context.Context) {
	if len(c.tests) == 0 {
		return
	}
	testID := c.tests[c.rng.Intn(len(c.tests))]
	content := make([]byte, 4096)
	for i := range content {
		content[i] = byte('a' + c.rng.Intn(26))
	}
	sum := sha256.Sum256(content)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "capture.txt")
	fw.Write(content)
	mw.WriteField("note", "load run")
	mw.Close()
	var out struct{ Id, Sha256 string }
	if c.do(ctx, "POST evidence", http.MethodPost, "/api/aegis/tests/"+testID+"/evidence", c.cfg.RedLead,
		mw.FormDataContentType(), &buf, &out) {
		c.res.mu.Lock()
		c.res.Evidence[out.Id] = hex.EncodeToString(sum[:])
		c.res.mu.Unlock()
	}
}
