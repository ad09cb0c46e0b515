package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// A tests list with a total (the Tests page filtered by campaign, assignee
// or technique asks for one; unfiltered or by state it reads the kept counts
// of /api/aegis/tests/total instead, test_total.go). PocketBase counts it
// with COUNT(DISTINCT rowid) under the blind rule's join, which reads every
// matching test: a third of a second at 200k tests, on every request. The total of a (caller, filter)
// pair does not change until a test does, so it is kept per tests
// generation (bumped by every test create, update and delete, and by every
// job run, since importers write tests with bulk SQL) and for at most
// totalsTTL (any other write that bypasses the hooks): a repeat request asks
// PocketBase for the page with skipTotal and gets the kept total written
// back into totalItems and totalPages. The first request after a change
// pays for the count as before.

const listTotalsPath = "/api/collections/" + collections.Tests + "/records"

// maxTotals bounds the kept totals (distinct callers × filters).
const maxTotals = 512

// totalsTTL bounds how long a total is kept at all.
const totalsTTL = 30 * time.Second

type keptTotal struct {
	n  int
	at time.Time
}

type totalsCache struct {
	gen atomic.Uint64
	mu  sync.Mutex
	at  uint64
	m   map[string]keptTotal
}

func (c *totalsCache) get(key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != c.gen.Load() {
		return 0, false
	}
	k, ok := c.m[key]
	if !ok || time.Since(k.at) > totalsTTL {
		return 0, false
	}
	return k.n, true
}

func (c *totalsCache) put(gen uint64, key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen.Load() {
		return // a test changed while counting
	}
	if c.m == nil || c.at != gen || len(c.m) >= maxTotals {
		c.m, c.at = map[string]keptTotal{}, gen
	}
	c.m[key] = keptTotal{n: n, at: time.Now()}
}

func bindListTotals(app core.App, se *core.ServeEvent) {
	c := &totalsCache{}
	countWrites(app, &c.gen, writes{
		created: []string{collections.Tests, collections.JobRuns},
		updated: []string{collections.Tests, collections.JobRuns},
		deleted: []string{collections.Tests},
	})
	se.Router.Bind(&hook.Handler[*core.RequestEvent]{
		Id:       "aegisListTotals",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 10,
		Func:     func(e *core.RequestEvent) error { return c.serve(e) },
	})
}

// writes names the collections whose saves a generation counts.
type writes struct{ created, updated, deleted []string }

// countWrites adds one to gen after every successful create, update and
// delete that w names (a kept answer of an older generation is stale).
func countWrites(app core.App, gen *atomic.Uint64, w writes) {
	bump := func(e *core.ModelEvent) error {
		gen.Add(1)
		return e.Next()
	}
	app.OnModelAfterCreateSuccess(w.created...).BindFunc(bump)
	app.OnModelAfterUpdateSuccess(w.updated...).BindFunc(bump)
	app.OnModelAfterDeleteSuccess(w.deleted...).BindFunc(bump)
}

func (c *totalsCache) serve(e *core.RequestEvent) error {
	if e.Request.Method != http.MethodGet || e.Request.URL.Path != listTotalsPath || e.Auth == nil {
		return e.Next()
	}
	q := e.Request.URL.Query()
	if skip, _ := strconv.ParseBool(q.Get("skipTotal")); skip {
		return e.Next()
	}
	// The rule depends on the caller's role and state; the filter on the rest.
	key := e.Auth.Collection().Name + "|" + e.Auth.Id + "|" + e.Auth.GetString("role") + "|" +
		strconv.FormatBool(e.Auth.GetBool("active")) + "|" + q.Get("filter")
	gen := c.gen.Load()
	total, hit := c.get(key)
	if hit {
		q.Set("skipTotal", "1")
		e.Request.URL.RawQuery = q.Encode()
	}
	orig := e.Response
	rec := &recorder{header: orig.Header()}
	e.Response = rec
	err := e.Next()
	e.Response = orig
	if err != nil || rec.status != http.StatusOK {
		if err == nil {
			return rec.flush(orig, rec.body.Bytes())
		}
		if rec.status != 0 { // the handler answered before failing
			return rec.flush(orig, rec.body.Bytes())
		}
		return err
	}
	var page map[string]json.RawMessage
	if jerr := json.Unmarshal(rec.body.Bytes(), &page); jerr != nil {
		return rec.flush(orig, rec.body.Bytes())
	}
	if !hit {
		var n int
		if jerr := json.Unmarshal(page["totalItems"], &n); jerr == nil && n >= 0 {
			c.put(gen, key, n)
		}
		return rec.flush(orig, rec.body.Bytes())
	}
	var perPage int
	_ = json.Unmarshal(page["perPage"], &perPage)
	pages := 0
	if perPage > 0 {
		pages = int(math.Ceil(float64(total) / float64(perPage)))
	}
	page["totalItems"], _ = json.Marshal(total)
	page["totalPages"], _ = json.Marshal(pages)
	out, jerr := json.Marshal(page)
	if jerr != nil {
		return rec.flush(orig, rec.body.Bytes())
	}
	return rec.flush(orig, out)
}

// recorder holds a response so the total can be written into it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Status and Written let PocketBase's middlewares read the response state.
func (r *recorder) Status() int   { return r.status }
func (r *recorder) Written() bool { return r.status != 0 }

func (r *recorder) flush(w http.ResponseWriter, body []byte) error {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, err := w.Write(body)
	return err
}
