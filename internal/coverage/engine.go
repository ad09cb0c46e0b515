package coverage

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Engine keeps the loaded model and computed results in memory. Record
// changes in the collections the model reads bump a generation (hooks), so
// the next request reloads; writes that bypass hooks (bulk SQL imports, a
// second process) are caught by a cheap fingerprint query run at most every
// FingerprintEvery. Loading the large demo takes ~100 ms; serving a cached
// matrix takes microseconds, which is what the 500 req/s budget needs.
type Engine struct {
	app   core.App
	gen   atomic.Uint64
	cur   atomic.Pointer[state]
	mu    sync.Mutex // one reload at a time
	check atomic.Int64

	inflightMu sync.Mutex
	inflight   chan struct{} // closed when the running background reload ends

	// FingerprintEvery bounds how stale a bulk write can leave the cache.
	FingerprintEvery time.Duration
	// MaxAge reloads anyway so that decay follows the clock.
	MaxAge time.Duration
	// StaleWait is how long a request waits for a reload after a change
	// before it is answered from the previous model.
	StaleWait time.Duration

	// Changes since the model in use: tests changed through hooks are
	// patched into it (PatchTests); any other change reloads everything.
	pendMu    sync.Mutex
	pendTests map[string]struct{}
	pendFull  bool

	fullLoads, patchLoads atomic.Int64

	// Background fingerprint queries, waited for when the app terminates
	// (its database is closed right after).
	bgMu   sync.Mutex
	bg     sync.WaitGroup
	closed bool
}

// background runs f in a goroutine the app's termination waits for; none
// starts once the app is terminating.
func (e *Engine) background(f func()) {
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	if e.closed {
		return
	}
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		f()
	}()
}

// bindTerminate makes the app's termination wait for the background work.
func (e *Engine) bindTerminate(app core.App) {
	app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		e.bgMu.Lock()
		e.closed = true
		e.bgMu.Unlock()
		e.bg.Wait()
		return te.Next()
	})
}

// maxPatch is the most changed tests a reload patches in; past it (a bulk
// change through hooks) it reads the whole model.
const maxPatch = 2000

type state struct {
	data *Data
	gen  uint64
	// fp is the fingerprint the model matches; nil while it is being taken
	// after a patch (the fingerprint check waits for it).
	fp       atomic.Pointer[string]
	loadedAt time.Time
	results  sync.Map // options key → *Result
	blobs    sync.Map // view key → *Blob
	cached   atomic.Int32
}

// maxCached bounds the results and views kept per model generation: one
// per filter (campaigns, platforms) can add up, so past this many they are
// computed per request instead.
const maxCached = 48

// Watched are the collections whose changes invalidate the model.
var Watched = []string{
	collections.Tactics, collections.Techniques, collections.Tests, collections.DetectionRules,
	collections.D3fendTechniques, collections.D3fendMappings, collections.ComplianceFrameworks,
	collections.ComplianceControls, collections.ControlMappings, collections.ThreatActors,
	collections.ActorTechniques, collections.Campaigns, collections.Settings, collections.AttackReleases,
	collections.AttackCampaigns, collections.TechniqueAssessments, collections.TestTemplates,
	collections.JobRuns, // an import finishing may have written with bulk SQL
}

const storeKey = "aegis.coverage.engine"

// Register creates the app's engine and binds the invalidation hooks.
func Register(app core.App) {
	e := newEngine(app)
	e.bindTerminate(app)
	app.Store().Set(storeKey, e)
	bump := func(ev *core.ModelEvent) error {
		if ev.Model != nil && ev.Model.TableName() == collections.Tests {
			e.TestChanged(ev.Model.PK())
		} else {
			e.Invalidate()
		}
		return ev.Next()
	}
	app.OnModelAfterCreateSuccess(Watched...).BindFunc(bump)
	app.OnModelAfterUpdateSuccess(Watched...).BindFunc(bump)
	app.OnModelAfterDeleteSuccess(Watched...).BindFunc(bump)
}

func newEngine(app core.App) *Engine {
	return &Engine{app: app, FingerprintEvery: 2 * time.Second, MaxAge: 10 * time.Minute, StaleWait: 500 * time.Millisecond}
}

// For returns the engine registered on app, creating an unhooked one (with
// the fingerprint check only) when Register was not called.
func For(app core.App) *Engine {
	if e, ok := app.Store().Get(storeKey).(*Engine); ok {
		return e
	}
	e := newEngine(app)
	app.Store().SetIfLessThanLimit(storeKey, e, 1<<30)
	got, ok := app.Store().Get(storeKey).(*Engine)
	if !ok {
		return e
	}
	if got == e {
		e.bindTerminate(app)
	}
	return got
}

// Invalidate drops the cached model; the next call reloads it.
func (e *Engine) Invalidate() {
	e.pendMu.Lock()
	e.pendFull = true
	e.pendMu.Unlock()
	e.gen.Add(1)
}

// TestChanged marks one test as changed: the next call patches it into the
// model instead of reloading everything.
func (e *Engine) TestChanged(id any) {
	e.pendMu.Lock()
	if s, ok := id.(string); ok && s != "" {
		if e.pendTests == nil {
			e.pendTests = map[string]struct{}{}
		}
		e.pendTests[s] = struct{}{}
	} else {
		e.pendFull = true
	}
	e.pendMu.Unlock()
	e.gen.Add(1)
}

// Loads reports how many times the model was read whole and how many times
// changed tests were patched into it.
func (e *Engine) Loads() (full, patched int64) { return e.fullLoads.Load(), e.patchLoads.Load() }

// Data returns the current model, reloading it when stale.
func (e *Engine) Data() (*Data, error) {
	s, err := e.state()
	if err != nil {
		return nil, err
	}
	return s.data, nil
}

func (e *Engine) state() (*state, error) {
	s := e.cur.Load()
	g := e.gen.Load()
	if s != nil && s.gen == g && time.Since(s.loadedAt) < e.MaxAge && !e.fingerprintChanged(s) {
		return s, nil
	}
	if s == nil || time.Since(s.loadedAt) >= e.MaxAge {
		return e.reloadNow()
	}
	// A change arrived. Reload in the background and wait for it up to
	// StaleWait: a lone request after a change sees it, while under a
	// stream of writes requests neither queue behind one reload after
	// another nor wait longer than StaleWait (they get the previous model).
	deadline := time.NewTimer(e.StaleWait)
	defer deadline.Stop()
	for {
		select {
		case <-e.reloadAsync():
		case <-deadline.C:
			return s, nil
		}
		ns := e.cur.Load()
		if ns != nil && ns.gen >= g {
			return ns, nil
		}
	}
}

// reloadNow loads the model synchronously (no usable model to fall back on).
func (e *Engine) reloadNow() (*state, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.cur.Load(); s != nil && s.gen == e.gen.Load() && time.Since(s.loadedAt) < e.MaxAge {
		return s, nil
	}
	return e.load()
}

// reloadAsync starts a reload unless one is running and returns a channel
// closed when that reload ends.
func (e *Engine) reloadAsync() <-chan struct{} {
	e.inflightMu.Lock()
	defer e.inflightMu.Unlock()
	if e.inflight != nil {
		return e.inflight
	}
	done := make(chan struct{})
	e.inflight = done
	go func() {
		e.mu.Lock()
		if _, err := e.load(); err != nil {
			e.app.Logger().Error("coverage reload", "error", err)
		}
		e.mu.Unlock()
		e.inflightMu.Lock()
		e.inflight = nil
		e.inflightMu.Unlock()
		close(done)
	}()
	return done
}

// load reads the model, or patches the changed tests into the current one
// when nothing else changed; the caller holds e.mu.
func (e *Engine) load() (*state, error) {
	g := e.gen.Load()
	e.pendMu.Lock()
	tests, full := e.pendTests, e.pendFull
	e.pendTests, e.pendFull = nil, false
	e.pendMu.Unlock()
	if prev := e.cur.Load(); prev != nil && !full && len(tests) <= maxPatch && time.Since(prev.loadedAt) < e.MaxAge {
		ids := make([]string, 0, len(tests))
		for id := range tests {
			ids = append(ids, id)
		}
		d, touched, err := PatchTests(e.app, prev.data, ids)
		if err == nil {
			ns := &state{data: d, gen: g, loadedAt: prev.loadedAt}
			// The results in use are scored again for the touched
			// techniques only; views are rebuilt from them on demand.
			prev.results.Range(func(k, v any) bool {
				ns.results.Store(k, Rescore(v.(*Result), d, touched))
				ns.cached.Add(1)
				return true
			})
			e.cur.Store(ns)
			e.check.Store(time.Now().UnixNano())
			e.patchLoads.Add(1)
			// The fingerprint reads every watched table (hundreds of ms
			// at 200k tests): taken after the patched model is served, not
			// before.
			e.background(func() {
				fp, _ := Fingerprint(e.app)
				ns.fp.Store(&fp)
			})
			return ns, nil
		}
		e.app.Logger().Warn("coverage: patch failed, reloading", "error", err)
	}
	d, err := Load(e.app)
	if err != nil {
		e.pendMu.Lock()
		e.pendFull = true // what was pending is still to be read
		e.pendMu.Unlock()
		return nil, err
	}
	fp, _ := Fingerprint(e.app)
	ns := &state{data: d, gen: g, loadedAt: time.Now()}
	ns.fp.Store(&fp)
	e.cur.Store(ns)
	e.check.Store(time.Now().UnixNano())
	e.fullLoads.Add(1)
	return ns, nil
}

// fingerprintChanged starts the fingerprint query at most every
// FingerprintEvery, in the background so no request waits for it; a change
// it finds invalidates the model for the following requests.
func (e *Engine) fingerprintChanged(s *state) bool {
	last := e.check.Load()
	now := time.Now().UnixNano()
	if now-last < int64(e.FingerprintEvery) || !e.check.CompareAndSwap(last, now) {
		return false
	}
	e.background(func() {
		want := s.fp.Load()
		if want == nil { // still being taken after a patch
			return
		}
		fp, err := Fingerprint(e.app)
		if err == nil && fp != *want && e.cur.Load() == s {
			e.Invalidate()
		}
	})
	return false
}

// Fingerprint summarises row counts and last updates of the watched tables.
func Fingerprint(app core.App) (string, error) {
	q := "SELECT "
	for i, c := range Watched {
		if c == collections.JobRuns {
			continue
		}
		if i > 0 {
			q += " || '|' || "
		}
		q += fmt.Sprintf("(SELECT count(*) || ':' || ifnull(max(updated), '') FROM %s)", c)
	}
	var fp string
	err := app.DB().NewQuery(q).Row(&fp)
	return fp, err
}

// Result computes (or returns the cached) result for options.
func (e *Engine) Result(opt Options) (*Result, error) {
	s, err := e.state()
	if err != nil {
		return nil, err
	}
	key := optionsKey(opt)
	if r, ok := s.results.Load(key); ok {
		return r.(*Result), nil
	}
	r := Compute(s.data, opt)
	if s.cached.Add(1) <= maxCached {
		s.results.Store(key, r)
	}
	return r, nil
}

// ResultFor is Result for a matrix filter.
func (e *Engine) ResultFor(f Filter) (*Result, error) { return e.Result(f.Options()) }

// MatrixJSON returns the matrix for f as JSON, cached until the next change.
func (e *Engine) MatrixJSON(f Filter) ([]byte, error) {
	b, err := e.MatrixBlob(f)
	if err != nil {
		return nil, err
	}
	return b.JSON, nil
}

// MatrixBlob is the matrix for f, marshalled and gzipped once per model
// generation, with an ETag so clients can revalidate for free.
func (e *Engine) MatrixBlob(f Filter) (*Blob, error) {
	return e.cachedJSON("matrix|"+filterKey(f), func() (any, error) {
		r, err := e.ResultFor(f)
		if err != nil {
			return nil, err
		}
		return r.Matrix(f), nil
	})
}

// Blob is a cached JSON view: the bytes, their gzip form and an ETag.
type Blob struct {
	JSON []byte
	Gzip []byte
	ETag string
}

// cachedJSON caches a marshalled view until the model changes.
func (e *Engine) cachedJSON(key string, build func() (any, error)) (*Blob, error) {
	s, err := e.state()
	if err != nil {
		return nil, err
	}
	if b, ok := s.blobs.Load(key); ok {
		return b.(*Blob), nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(raw)
	zw.Close()
	sum := sha256.Sum256(raw)
	b := &Blob{JSON: raw, Gzip: gz.Bytes(), ETag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	if s.cached.Add(1) <= maxCached {
		s.blobs.Store(key, b)
	}
	return b, nil
}

func optionsKey(o Options) string {
	k := "p=" + o.Platform
	if o.RevealedOnly {
		k += "|revealed"
	}
	if o.Campaigns != nil {
		k += "|c="
		for c := range o.Campaigns {
			k += c + ","
		}
	}
	return k
}

func filterKey(f Filter) string {
	k := f.Domain + "|" + f.Platform + "|" + f.Actor + "|" + f.Campaign
	if f.RevealedOnly {
		k += "|revealed"
	}
	return k
}
