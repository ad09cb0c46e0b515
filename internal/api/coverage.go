package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/exports"
	"github.com/aegis-sec/aegis/internal/report"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Coverage routes: the scoring engine's views (DESIGN §5, §8). Every role
// may read them; taking a snapshot is for admins and leads.
// PendingHeader is set on coverage answers built while a recorded change
// was not yet in the model: the client asks again shortly.
const PendingHeader = "X-Aegis-Coverage"

// pendingWriter adds PendingHeader when the answer is written while the
// coverage model is behind a change.
type pendingWriter struct {
	http.ResponseWriter
	eng     *coverage.Engine
	written bool
}

func (w *pendingWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		if w.eng.Behind() {
			w.Header().Set(PendingHeader, "pending")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *pendingWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *pendingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// markPending wraps the response of a coverage route in pendingWriter.
func markPending() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{Func: func(e *core.RequestEvent) error {
		e.Response = &pendingWriter{ResponseWriter: e.Response, eng: coverage.For(e.App)}
		return e.Next()
	}}
}

func registerCoverageRoutes(g *Group) {
	// The heatmap is polled by every open dashboard: no activity-log row per hit.
	g.GET("/coverage/matrix", handleMatrix).Bind(requireUser(), apis.SkipSuccessActivityLog(), markPending())
	g.GET("/coverage/techniques", handleTechniqueList).Bind(requireUser(), markPending())
	g.GET("/coverage/techniques/{attack_id}", handleTechniqueScore).Bind(requireUser(), markPending())
	g.GET("/coverage/tactics", handleTactics).Bind(requireUser(), markPending())
	g.GET("/coverage/actors", handleActors).Bind(requireUser(), markPending())
	g.GET("/coverage/actors/{actor}", handleActor).Bind(requireUser(), markPending())
	g.GET("/coverage/platforms", handlePlatforms).Bind(requireUser())
	g.GET("/coverage/next", handleNext).Bind(requireUser(), markPending())
	g.GET("/coverage/gaps", handleGaps).Bind(requireUser(), markPending())
	g.GET("/coverage/campaigns/{id}", handleCampaignCoverage).Bind(requireUser(), markPending())
	g.GET("/coverage/compliance/{framework}", handleCompliance).Bind(requireUser(), markPending())
	g.GET("/metrics", handleMetrics).Bind(requireUser(), markPending())
	g.GET("/trends", handleTrends).Bind(requireUser())
	g.GET("/compare", handleCompare).Bind(requireUser())
	g.GET("/compare/rounds", handleCompareRounds).Bind(requireUser())
	g.GET("/snapshots", handleListSnapshots).Bind(requireUser())
	g.POST("/snapshots", handleTakeSnapshot).Bind(requireRole(collections.RoleAdmin, collections.RoleRedLead, collections.RoleBlueLead))

	filters := []Param{
		{Name: "domain", Description: "enterprise-attack (default), mobile-attack or ics-attack"},
		{Name: "platform", Description: "keep techniques of this platform and tests run on it"},
		{Name: "actor", Description: "threat actor record id or ATT&CK id (G0016): only the techniques it uses"},
		{Name: "campaign", Description: "campaign id: its techniques, scored on its own tests"},
		{Name: "asof", Description: "YYYY-MM-DD or RFC 3339: scores from the latest snapshot taken at or before"},
	}
	cell := coverage.MatrixTechnique{ID: "abc123", AttackID: "T1059", Name: "Command and Scripting Interpreter", Score: 42.5,
		Level: "partial", Subtechniques: []coverage.MatrixTechnique{}}
	document(
		Op{Method: "GET", Path: Prefix + "/coverage/matrix", Tags: []string{"coverage"}, Auth: "user", Query: filters,
			Summary: "The ATT&CK matrix coloured by coverage: tactics in order, each with techniques and sub-techniques",
			Description: "Scores are 0–100 (DESIGN §5); V, R, M are the validation, rules and mitigation components in [0,1], " +
				"null when unknown. Levels: none, low, partial, good, validated, out_of_scope.",
			Response: coverage.Matrix{Domain: "enterprise-attack", Score: 37.2, Level: "partial",
				Tactics: []coverage.MatrixTactic{{ID: "t1", AttackID: "TA0002", Name: "Execution", Shortname: "execution",
					Techniques: []coverage.MatrixTechnique{cell}}}}},
		Op{Method: "GET", Path: Prefix + "/coverage/techniques", Tags: []string{"coverage"}, Auth: "user",
			Query: []Param{{Name: "domain", Description: "enterprise-attack (default), mobile-attack, ics-attack or any"},
				{Name: "retired", Description: "1 to include revoked and deprecated techniques"}},
			Summary: "The techniques of a domain (live ones unless retired=1) with tactics, platforms, parent, scope and priority, from the coverage model",
			Response: map[string]any{"items": []coverage.TechniqueRow{{ID: "abc123", AttackID: "T1059", Name: "Command and Scripting Interpreter",
				Tactics: []string{"t1"}, Platforms: []string{"Windows"}, InScope: true, Priority: "high"}}}},
		Op{Method: "GET", Path: Prefix + "/coverage/techniques/{attack_id}", Tags: []string{"coverage"}, Auth: "user",
			Query: []Param{{Name: "platform"}, {Name: "campaign"},
				{Name: "tests_page", Description: "n ≥ 1: instead of the score, page n of the technique's superseded tests (validated, then replaced by a later test of the same procedure), most recent first"},
				{Name: "tests_per_page", Description: "superseded tests per page: 1–100, default 25"}},
			Summary: "A technique's score with the reasons that count, and what became of its tests",
			Description: "technique is the score shown (the roll-up for a parent), own a parent's own score, subtechniques " +
				"their scores without breakdown. A breakdown keeps the " + strconv.Itoa(coverage.BreakdownLines) + " largest lines of each " +
				"component (the test lines are the latest validated test of each procedure: what the score uses) and folds the rest into " +
				"one line of kind \"more\"; the shares add up to the score. tests counts the technique's own tests: counting, " +
				"superseded (pageable with tests_page), unconfirmed imports and open ones. Blue roles are answered without the " +
				"unrevealed tests of blind campaigns. Kept with the coverage model, per visibility class and filter.",
			Response: coverage.TechniqueView{Technique: &coverage.Score{AttackID: "T1059.001", Score: 70.6, Level: "validated",
				Breakdown: []coverage.Contribution{{Kind: "test", Component: "V", Name: "PowerShell download cradle", Share: 70.6}}},
				Subtechniques: []*coverage.Score{}, Parent: &coverage.TechniqueRef{ID: "p1", AttackID: "T1059", Name: "Command and Scripting Interpreter"},
				Tests: coverage.TestCounts{Total: 12, Counting: 3, Superseded: 7, Open: 2}}},
		Op{Method: "GET", Path: Prefix + "/coverage/tactics", Tags: []string{"coverage"}, Auth: "user",
			Query:   []Param{{Name: "domain"}, {Name: "breakdown", Description: "1 to include member techniques"}},
			Summary: "Tactics in matrix order with their mean score", Response: map[string]any{"items": []coverage.GroupScore{}}},
		Op{Method: "GET", Path: Prefix + "/coverage/actors", Tags: []string{"coverage"}, Auth: "user",
			Summary:  "Threat actors ranked by coverage of the techniques they use, weakest first",
			Response: map[string]any{"items": []coverage.GroupScore{}}},
		Op{Method: "GET", Path: Prefix + "/coverage/actors/{actor}", Tags: []string{"coverage"}, Auth: "user",
			Summary: "One actor's coverage (record id or ATT&CK id) with each technique's share", Response: coverage.GroupScore{}},
		Op{Method: "GET", Path: Prefix + "/coverage/platforms", Tags: []string{"coverage"}, Auth: "user",
			Summary: "Coverage by platform", Response: map[string]any{"items": []coverage.GroupScore{}}},
		Op{Method: "GET", Path: Prefix + "/coverage/next", Tags: []string{"coverage"}, Auth: "user",
			Query:    []Param{{Name: "actor", Description: "restrict to one actor's techniques"}, {Name: "limit", Description: "default 25"}},
			Summary:  "What to test next: techniques ranked by actor prevalence × (1 − score/100) × priority",
			Response: map[string]any{"items": []coverage.NextItem{}}},
		Op{Method: "GET", Path: Prefix + "/coverage/gaps", Tags: []string{"coverage"}, Auth: "user",
			Query: []Param{{Name: "domain"}, {Name: "platform"}, {Name: "actor", Description: "record id or ATT&CK id (G0016)"},
				{Name: "campaign", Description: "record id"}, {Name: "limit", Description: "default 10"}},
			Summary: "Top gaps, the same ranking as the executive report and `aegis score`: need (1 − score/100) × priority × " +
				"(1 + share of tracked actors using it) × staleness (1.5 never validated, 1.25 older than fresh_days), each with its reasons",
			Response: map[string]any{"items": []coverage.Gap{}}},
		Op{Method: "GET", Path: Prefix + "/coverage/campaigns/{id}", Tags: []string{"coverage"}, Auth: "user",
			Summary:  "A campaign's results: its techniques scored on its own tests, outcomes and rounds",
			Response: coverage.CampaignCoverage{}},
		Op{Method: "GET", Path: Prefix + "/coverage/compliance/{framework}", Tags: []string{"coverage"}, Auth: "user",
			Query:    []Param{{Name: "gaps", Description: "1 to list only gaps"}},
			Summary:  "Compliance gap analysis: controls whose techniques are weakly covered or never validated (framework id or name)",
			Response: map[string]any{"framework": "NIST SP 800-53", "controls": 0, "gaps": 0, "items": []coverage.ControlGap{}}},
		Op{Method: "GET", Path: Prefix + "/metrics", Tags: []string{"coverage"}, Auth: "user",
			Query:    []Param{{Name: "weeks", Description: "findings history length, default 12"}},
			Summary:  "Dashboard: tests by state and outcome, detection rate, freshness, time to detect, rules, coverage by tactic, findings",
			Response: report.Metrics{}},
		Op{Method: "GET", Path: Prefix + "/trends", Tags: []string{"coverage"}, Auth: "user",
			Query:   []Param{{Name: "since", Description: "YYYY-MM-DD"}, {Name: "limit"}},
			Summary: "Snapshots over time (overall and per tactic), what changed in the last step and the coverage now (current, not stored) so a trend shows from the first day", Response: coverage.Trend{}},
		Op{Method: "GET", Path: Prefix + "/compare", Tags: []string{"coverage"}, Auth: "user",
			Query:    []Param{{Name: "a", Required: true, Description: "snapshot id"}, {Name: "b", Required: true, Description: "snapshot id"}},
			Summary:  "Delta between two snapshots: overall, per tactic, per technique; ?layer=1 returns a Navigator delta layer",
			Response: coverage.Comparison{}},
		Op{Method: "GET", Path: Prefix + "/compare/rounds", Tags: []string{"coverage"}, Auth: "user",
			Query: []Param{{Name: "campaign", Required: true}, {Name: "a", Description: "round number or campaign id (default first)"},
				{Name: "b", Description: "round number or campaign id (default last)"}, {Name: "layer", Description: "1 for a Navigator delta layer"}},
			Summary: "Delta between two rounds of a campaign (retests)", Response: coverage.Comparison{}},
		Op{Method: "GET", Path: Prefix + "/snapshots", Tags: []string{"coverage"}, Auth: "user",
			Query: []Param{{Name: "since"}, {Name: "limit"}}, Summary: "Snapshots, oldest first, without their vectors",
			Response: map[string]any{"items": []coverage.Snapshot{}}},
		Op{Method: "POST", Path: Prefix + "/snapshots", Tags: []string{"coverage"}, Auth: "admin,red_lead,blue_lead",
			Request: map[string]string{"label": "after Q3 purple exercise"},
			Summary: "Take a coverage snapshot now", Response: coverage.Snapshot{}},
	)
}

func coverageFilter(e *core.RequestEvent) coverage.Filter {
	q := e.Request.URL.Query()
	return coverage.Filter{Domain: strings.TrimSpace(q.Get("domain")), Platform: strings.TrimSpace(q.Get("platform")),
		Actor: strings.TrimSpace(q.Get("actor")), Campaign: strings.TrimSpace(q.Get("campaign")), RevealedOnly: blueCaller(e)}
}

// blueCaller tells whether the caller is on the blue team, who must not see
// the unrevealed tests of blind campaigns (not even which techniques they target).
func blueCaller(e *core.RequestEvent) bool {
	return collections.IsBlue(collections.ActorFromRequest(e).Role)
}

func coverageError(e *core.RequestEvent, err error) error {
	switch {
	case errors.Is(err, coverage.ErrNoSnapshot), errors.Is(err, coverage.ErrNoCampaign):
		return e.NotFoundError(err.Error(), nil)
	}
	return e.InternalServerError("Coverage could not be computed.", err)
}

func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, err
	}
	return t.Add(24*time.Hour - time.Millisecond), nil
}

func handleMatrix(e *core.RequestEvent) error {
	f := coverageFilter(e)
	if f.Domain != "" && !validDomain(f.Domain) {
		return e.BadRequestError("Unknown domain: use enterprise-attack, mobile-attack or ics-attack.", nil)
	}
	eng := coverage.For(e.App)
	if asof := e.Request.URL.Query().Get("asof"); asof != "" {
		t, err := parseDay(asof)
		if err != nil {
			return e.BadRequestError("asof must be YYYY-MM-DD or RFC 3339.", nil)
		}
		snap, err := coverage.SnapshotAsOf(e.App, t)
		if err != nil {
			return coverageError(e, err)
		}
		d, err := eng.Data()
		if err != nil {
			return coverageError(e, err)
		}
		m := coverage.FromSnapshot(d, snap).Matrix(f)
		ts := snap.TakenAt
		m.AsOf = &ts
		return e.JSON(http.StatusOK, m)
	}
	b, err := eng.MatrixBlob(f)
	if err != nil {
		return coverageError(e, err)
	}
	return writeBlob(e, b)
}

// writeBlob answers with a cached view: 304 when the client has it, the
// pre-compressed bytes when it accepts gzip.
func writeBlob(e *core.RequestEvent, b *coverage.Blob) error {
	h := e.Response.Header()
	h.Set("ETag", b.ETag)
	h.Set("Cache-Control", "private, no-cache")
	h.Add("Vary", "Accept-Encoding")
	if match := e.Request.Header.Get("If-None-Match"); match != "" && strings.Contains(match, b.ETag) {
		return e.NoContent(http.StatusNotModified)
	}
	if strings.Contains(e.Request.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return e.Blob(http.StatusOK, "application/json", b.Gzip)
	}
	return e.Blob(http.StatusOK, "application/json", b.JSON)
}

func validDomain(d string) bool {
	for _, x := range collections.AttackDomains {
		if d == x {
			return true
		}
	}
	return false
}

func handleTactics(e *core.RequestEvent) error {
	r, err := coverage.For(e.App).Result(coverage.Options{RevealedOnly: blueCaller(e)})
	if err != nil {
		return coverageError(e, err)
	}
	q := e.Request.URL.Query()
	return e.JSON(http.StatusOK, map[string]any{"items": r.Tactics(q.Get("domain"), q.Get("breakdown") == "1")})
}

func handleActors(e *core.RequestEvent) error {
	opt := coverage.Options{RevealedOnly: blueCaller(e)}
	return writeView(e, "actors|"+visibility(e), func() (any, error) {
		r, err := coverage.For(e.App).Result(opt)
		if err != nil {
			return nil, err
		}
		return map[string]any{"items": r.Actors()}, nil
	})
}

func handleActor(e *core.RequestEvent) error {
	r, err := coverage.For(e.App).Result(coverage.Options{RevealedOnly: blueCaller(e)})
	if err != nil {
		return coverageError(e, err)
	}
	a := r.Actor(e.Request.PathValue("actor"))
	if a == nil {
		return e.NotFoundError("No such threat actor.", nil)
	}
	return e.JSON(http.StatusOK, a)
}

func handlePlatforms(e *core.RequestEvent) error {
	r, err := coverage.For(e.App).Result(coverage.Options{RevealedOnly: blueCaller(e)})
	if err != nil {
		return coverageError(e, err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": r.Platforms()})
}

func queryInt(e *core.RequestEvent, name string, def, max int) int {
	v, err := strconv.Atoi(e.Request.URL.Query().Get(name))
	if err != nil || v <= 0 {
		return def
	}
	if v > max {
		return max
	}
	return v
}

func handleNext(e *core.RequestEvent) error {
	actor := strings.TrimSpace(e.Request.URL.Query().Get("actor"))
	limit := queryInt(e, "limit", 25, 1000)
	opt := coverage.Options{RevealedOnly: blueCaller(e)}
	return writeView(e, fmt.Sprintf("next|%s|%q|%d", visibility(e), actor, limit), func() (any, error) {
		r, err := coverage.For(e.App).Result(opt)
		if err != nil {
			return nil, err
		}
		if actor != "" && r.Data.FindActor(actor) == nil {
			return nil, errNoSuch("No such threat actor.")
		}
		return map[string]any{"items": r.Next(actor, limit)}, nil
	})
}

func handleGaps(e *core.RequestEvent) error {
	f := coverageFilter(e)
	if f.Domain != "" && !validDomain(f.Domain) {
		return e.BadRequestError("Unknown domain: use enterprise-attack, mobile-attack or ics-attack.", nil)
	}
	limit := queryInt(e, "limit", 10, 1000)
	key := fmt.Sprintf("gaps|%s|%q|%q|%q|%q|%d", visibility(e), f.Domain, f.Platform, f.Actor, f.Campaign, limit)
	return writeView(e, key, func() (any, error) {
		r, err := coverage.For(e.App).ResultFor(f)
		if err != nil {
			return nil, err
		}
		if f.Actor != "" && r.Data.FindActor(f.Actor) == nil {
			return nil, errNoSuch("No such threat actor.")
		}
		return map[string]any{"items": r.RankGaps(f, limit)}, nil
	})
}

func handleCampaignCoverage(e *core.RequestEvent) error {
	cc, err := coverage.For(e.App).Campaign(e.Request.PathValue("id"), blueCaller(e))
	if err != nil {
		return coverageError(e, err)
	}
	return e.JSON(http.StatusOK, cc)
}

func handleCompliance(e *core.RequestEvent) error {
	fw := e.Request.PathValue("framework")
	onlyGaps := e.Request.URL.Query().Get("gaps") == "1"
	opt := coverage.Options{RevealedOnly: blueCaller(e)}
	return writeView(e, fmt.Sprintf("compliance|%s|%q|%t", visibility(e), fw, onlyGaps), func() (any, error) {
		r, err := coverage.For(e.App).Result(opt)
		if err != nil {
			return nil, err
		}
		items := r.Compliance(fw)
		gaps := 0
		for _, it := range items {
			if it.Gap {
				gaps++
			}
		}
		total := len(items)
		if total == 0 {
			return nil, errNoSuch("No controls for framework " + fw + ".")
		}
		if onlyGaps {
			items = items[:gaps] // gaps sort first
		}
		return map[string]any{"framework": fw, "controls": total, "gaps": gaps, "items": items}, nil
	})
}

func sinceParam(e *core.RequestEvent) (time.Time, error) {
	s := e.Request.URL.Query().Get("since")
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, e.BadRequestError("since must be YYYY-MM-DD.", nil)
	}
	return t, nil
}

func handleTrends(e *core.RequestEvent) error {
	since, err := sinceParam(e)
	if err != nil {
		return err
	}
	limit, blue := queryInt(e, "limit", 104, 1000), blueCaller(e)
	// The trend is kept with the model in use (its current point) and the
	// snapshots it reads: their count and latest change are in the key, so
	// a snapshot taken or removed is in the next answer.
	snaps, err := tableVersion(e.App, collections.CoverageSnapshots)
	if err != nil {
		return coverageError(e, err)
	}
	key := fmt.Sprintf("trends|%s|%s|%d|%s", visibility(e), since.Format(time.DateOnly), limit, snaps)
	return writeView(e, key, func() (any, error) { return coverage.Trends(e.App, since, limit, blue) })
}

func handleListSnapshots(e *core.RequestEvent) error {
	since, err := sinceParam(e)
	if err != nil {
		return err
	}
	list, err := coverage.ListSnapshots(e.App, since, queryInt(e, "limit", 200, 1000))
	if err != nil {
		return coverageError(e, err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": list})
}

func handleCompare(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	a, b := q.Get("a"), q.Get("b")
	if a == "" || b == "" {
		return e.BadRequestError("Give two snapshot ids: ?a=…&b=….", nil)
	}
	c, err := coverage.CompareSnapshots(e.App, a, b)
	if err != nil {
		return coverageError(e, err)
	}
	return writeComparison(e, c, "Snapshot delta")
}

func handleCompareRounds(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	if q.Get("campaign") == "" {
		return e.BadRequestError("Give a campaign: ?campaign=…&a=1&b=2.", nil)
	}
	c, err := coverage.For(e.App).CompareRounds(q.Get("campaign"), q.Get("a"), q.Get("b"), blueCaller(e))
	if err != nil {
		return coverageError(e, err)
	}
	return writeComparison(e, c, "Round delta")
}

func writeComparison(e *core.RequestEvent, c *coverage.Comparison, name string) error {
	if e.Request.URL.Query().Get("layer") == "1" {
		d, err := coverage.For(e.App).Data()
		if err != nil {
			return coverageError(e, err)
		}
		l, err := exports.DeltaLayer(d, c, name)
		if err != nil {
			return coverageError(e, err)
		}
		e.Response.Header().Set("Content-Disposition", `attachment; filename="aegis-delta-layer.json"`)
		return e.JSON(http.StatusOK, l)
	}
	return e.JSON(http.StatusOK, c)
}

func handleTakeSnapshot(e *core.RequestEvent) error {
	var body struct {
		Label string `json:"label"`
	}
	_ = e.BindBody(&body)
	snap, err := coverage.Take(e.App, "manual", strings.TrimSpace(body.Label))
	if err != nil {
		return coverageError(e, err)
	}
	snap.ByTechnique = nil
	return e.JSON(http.StatusOK, snap)
}
