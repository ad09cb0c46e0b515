package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/report"
	"github.com/pocketbase/pocketbase/core"
)

// The dashboard, the gap lists and the compliance answers are built on the
// coverage model: they are kept with the model (coverage.Engine.View and
// Memo: a test change, a rule, a control or any watched write starts a new
// model with none kept), per visibility class (blue roles are answered
// without the unrevealed tests of blind campaigns, so "blue" is part of
// every key) and per query. The dashboard's findings figures come from the
// findings table, which the model does not watch: they are kept per
// findings generation, bumped by every finding created, changed or deleted
// through the hooks and by every job run (imports write with bulk SQL), and
// for at most findingsTTL (a write that bypasses the hooks).

const findingsTTL = 30 * time.Second

// maxFindingStats bounds the kept findings figures (visibility × weeks × day).
const maxFindingStats = 64

const viewCacheKey = "aegis.api.viewcache"

type findingsKept struct {
	gen   uint64
	at    time.Time
	stats *report.FindingStats
}

type viewCache struct {
	gen atomic.Uint64 // findings generation
	mu  sync.Mutex
	m   map[string]findingsKept
}

// bindViewCache creates the app's findings generation and its hooks.
func bindViewCache(app core.App) {
	c := &viewCache{m: map[string]findingsKept{}}
	app.Store().Set(viewCacheKey, c)
	// A test revealed or deleted changes which findings blue roles see.
	countWrites(app, &c.gen, writes{
		created: []string{collections.Findings, collections.JobRuns},
		updated: []string{collections.Findings, collections.JobRuns, collections.Tests},
		deleted: []string{collections.Findings, collections.Tests},
	})
}

func viewCacheOf(app core.App) *viewCache {
	c, _ := app.Store().Get(viewCacheKey).(*viewCache)
	return c
}

// findingStats returns the findings figures, kept per findings generation.
func (c *viewCache) findingStats(app core.App, now time.Time, weeks int, blue bool) (*report.FindingStats, error) {
	if c == nil {
		return report.FindingStatsFor(app, now, weeks, blue)
	}
	key := fmt.Sprintf("%t|%d|%s", blue, weeks, now.UTC().Format("2006-01-02"))
	gen := c.gen.Load()
	c.mu.Lock()
	k, ok := c.m[key]
	c.mu.Unlock()
	if ok && k.gen == gen && time.Since(k.at) < findingsTTL {
		return k.stats, nil
	}
	st, err := report.FindingStatsFor(app, now, weeks, blue)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxFindingStats {
		clear(c.m)
	}
	c.m[key] = findingsKept{gen: gen, at: time.Now(), stats: st}
	return st, nil
}

// errNoSuch is a view that names nothing (an unknown actor or framework):
// the answer is a 404 and nothing is kept.
type errNoSuch string

func (e errNoSuch) Error() string { return string(e) }

// writeView answers with the view key (visibility class and query
// included by the caller), kept with the model in use.
func writeView(e *core.RequestEvent, key string, build func() (any, error)) error {
	b, err := coverage.For(e.App).View(key, build)
	var none errNoSuch
	if errors.As(err, &none) {
		return e.NotFoundError(string(none), nil)
	}
	if err != nil {
		return coverageError(e, err)
	}
	return writeBlob(e, b)
}

// visibility is the part of a view's key that says what the caller may see.
func visibility(e *core.RequestEvent) string {
	if blueCaller(e) {
		return "blue"
	}
	return "all"
}

func handleMetrics(e *core.RequestEvent) error {
	blue := blueCaller(e)
	weeks := queryInt(e, "weeks", 12, 104)
	v, err := coverage.For(e.App).Memo("metrics|"+strconv.FormatBool(blue), func() (any, error) {
		return report.ModelMetrics(e.App, blue)
	})
	if err != nil {
		return coverageError(e, err)
	}
	m := *v.(*report.Metrics) // kept values are shared: change a copy
	f, err := viewCacheOf(e.App).findingStats(e.App, m.ComputedAt, weeks, blue)
	if err != nil {
		return coverageError(e, err)
	}
	m.Findings = *f
	return e.JSON(http.StatusOK, &m)
}

// handleTechniqueList lists the techniques of a domain from the model: the
// matrix page's catalogue (id, name, tactics, platforms, parent, scope,
// priority), and the names the work pages show on their cards
// (domain=any&retired=1: every domain, revoked and deprecated included),
// without reading the techniques' texts.
func handleTechniqueList(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	domain := q.Get("domain")
	switch {
	case domain == "":
		domain = collections.AttackDomains[0]
	case domain == "any":
	case !validDomain(domain):
		return e.BadRequestError("Unknown domain: use enterprise-attack, mobile-attack, ics-attack or any.", nil)
	}
	retired := q.Get("retired") == "1"
	return writeView(e, fmt.Sprintf("techniques|%s|%t", domain, retired), func() (any, error) {
		d, err := coverage.For(e.App).Data()
		if err != nil {
			return nil, err
		}
		if domain == "any" {
			return map[string]any{"items": d.TechniqueRows("", retired)}, nil
		}
		return map[string]any{"items": d.TechniqueRows(domain, retired)}, nil
	})
}
