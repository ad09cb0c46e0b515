package report

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Metrics is the dashboard (DESIGN §9): work in flight, outcomes, detection
// rate, freshness, time to detect, rules, coverage by tactic and findings.
type Metrics struct {
	Score            float64               `json:"score"`
	Level            string                `json:"level"`
	TestsByState     map[string]int        `json:"tests_by_state"`
	Outcomes         OutcomeCounts         `json:"outcomes"`
	DetectionRate    float64               `json:"detection_rate"`  // validated tests alerting (general, tactic, technique)
	PreventionRate   float64               `json:"prevention_rate"` // validated tests blocked or partially blocked
	Freshness        map[string]int        `json:"freshness"`       // in-scope techniques by last validation age
	TimeToDetect     TTD                   `json:"time_to_detect"`
	RulesBySource    []RuleSourceCount     `json:"rules_by_source"`
	CoverageByTactic []coverage.GroupScore `json:"coverage_by_tactic"`
	Findings         FindingStats          `json:"findings"`
	ComputedAt       time.Time             `json:"computed_at"`
}

// OutcomeCounts counts validated tests by prevention and detection.
type OutcomeCounts struct {
	Validated  int            `json:"validated"`
	Prevention map[string]int `json:"prevention"`
	Detection  map[string]int `json:"detection"`
}

// TTD summarises detected_at − executed_at in seconds.
type TTD struct {
	Samples int     `json:"samples"`
	Mean    float64 `json:"mean_seconds"`
	Median  float64 `json:"median_seconds"`
	P90     float64 `json:"p90_seconds"`
}

// RuleSourceCount is the rules of one source and how many map to techniques.
type RuleSourceCount struct {
	Source   string `json:"source"`
	Total    int    `json:"total"`
	Enabled  int    `json:"enabled"`
	Mapped   int    `json:"mapped"`
	Unmapped int    `json:"unmapped"`
}

// FindingStats is the remediation picture: by status and opened/resolved per week.
type FindingStats struct {
	ByStatus map[string]int `json:"by_status"`
	Open     int            `json:"open"`
	Closed   int            `json:"closed"`
	Weekly   []WeekCount    `json:"weekly"`
}

// WeekCount is one ISO-ish week (Monday start) of findings.
type WeekCount struct {
	Week     string `json:"week"` // YYYY-MM-DD of the Monday
	Opened   int    `json:"opened"`
	Resolved int    `json:"resolved"`
}

// ComputeMetrics gathers the dashboard from the cached model plus a few
// aggregate queries, as the organisation sees it (every test counted).
func ComputeMetrics(app core.App, weeks int) (*Metrics, error) {
	return ComputeMetricsFor(app, weeks, false)
}

// ComputeMetricsFor is ComputeMetrics for a caller who sees only revealed
// tests (revealedOnly: blue roles) or everything: the unrevealed tests of
// blind campaigns and the findings they opened are left out of the
// former.
func ComputeMetricsFor(app core.App, weeks int, revealedOnly bool) (*Metrics, error) {
	m, err := ModelMetrics(app, revealedOnly)
	if err != nil {
		return nil, err
	}
	f, err := FindingStatsFor(app, m.ComputedAt, weeks, revealedOnly)
	if err != nil {
		return nil, err
	}
	out := *m
	out.Findings = *f
	return &out, nil
}

// ModelMetrics is the part of the dashboard drawn from the coverage model
// and the rules (a watched collection): everything but the findings. It
// changes only when the model does, so callers may keep it per model
// generation (coverage.Engine.Memo).
func ModelMetrics(app core.App, revealedOnly bool) (*Metrics, error) {
	e := coverage.For(app)
	r, err := e.Result(coverage.Options{RevealedOnly: revealedOnly})
	if err != nil {
		return nil, err
	}
	d := r.Data
	m := &Metrics{TestsByState: map[string]int{}, Freshness: map[string]int{"30d": 0, "90d": 0, "180d": 0, "older": 0, "never": 0},
		Outcomes:      OutcomeCounts{Prevention: map[string]int{}, Detection: map[string]int{}},
		RulesBySource: []RuleSourceCount{}, ComputedAt: d.Now,
		Findings: FindingStats{ByStatus: map[string]int{}, Weekly: []WeekCount{}}}
	ov := r.Overall("")
	m.Score, m.Level = coverage.RoundTo(ov.Score, 2), ov.Level
	countOutcomes(m, d, revealedOnly)
	countFreshness(m, r)
	m.CoverageByTactic = r.Tactics("", false)

	bySource, err := d.Shared("report.rules_by_source", func() (any, error) { return rulesBySource(app) })
	if err != nil {
		return nil, err
	}
	m.RulesBySource = append(m.RulesBySource, bySource.([]RuleSourceCount)...)
	return m, nil
}

// countOutcomes counts the tests by state and the validated ones by
// outcome, and sets the detection and prevention rates and the time to
// detect.
func countOutcomes(m *Metrics, d *coverage.Data, revealedOnly bool) {
	var ttd []float64
	detected, prevented := 0, 0
	for t := range d.AllTests() {
		if revealedOnly && !t.Revealed {
			continue
		}
		m.TestsByState[coverage.OrDefault(t.State, collections.StateDraft)]++
		if !t.Validated() {
			continue
		}
		m.Outcomes.Validated++
		m.Outcomes.Prevention[coverage.OrDefault(t.Prevention, "none")]++
		m.Outcomes.Detection[coverage.OrDefault(t.Detection, "none")]++
		switch t.Detection {
		case "general", "tactic", "technique":
			detected++
		}
		if t.Prevention == "blocked" || t.Prevention == "partial" {
			prevented++
		}
		if !t.ExecutedAt.IsZero() && !t.DetectedAt.IsZero() && !t.DetectedAt.Before(t.ExecutedAt) {
			ttd = append(ttd, t.DetectedAt.Sub(t.ExecutedAt).Seconds())
		}
	}
	if m.Outcomes.Validated > 0 {
		m.DetectionRate = coverage.RoundTo(float64(detected)/float64(m.Outcomes.Validated), 4)
		m.PreventionRate = coverage.RoundTo(float64(prevented)/float64(m.Outcomes.Validated), 4)
	}
	if len(ttd) > 0 {
		m.TimeToDetect = timeToDetect(ttd)
	}
}

// timeToDetect summarises the seconds from execution to detection (not
// empty; sorted in place).
func timeToDetect(ttd []float64) TTD {
	sort.Float64s(ttd)
	s := 0.0
	for _, x := range ttd {
		s += x
	}
	return TTD{Samples: len(ttd), Mean: coverage.RoundTo(s/float64(len(ttd)), 1), Median: ttd[len(ttd)/2],
		P90: ttd[int(float64(len(ttd)-1)*0.9)]}
}

// countFreshness counts the techniques in scope by the age of their last
// validation.
func countFreshness(m *Metrics, r *coverage.Result) {
	d := r.Data
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.Retired || !t.InScope {
			continue
		}
		sc := r.Own[t.ID]
		if sc.LastValidated == nil {
			m.Freshness["never"]++
			continue
		}
		age := d.Now.Sub(*sc.LastValidated).Hours() / 24
		switch {
		case age <= 30:
			m.Freshness["30d"]++
		case age <= 90:
			m.Freshness["90d"]++
		case age <= 180:
			m.Freshness["180d"]++
		default:
			m.Freshness["older"]++
		}
	}
}

// rulesBySource counts the rules by source. It reads every rule (hundreds of
// ms at 50k rules), so it is kept with the model until a rule changes
// (coverage.Data.Shared): a recorded outcome does not pay it again.
func rulesBySource(app core.App) ([]RuleSourceCount, error) {
	type srcRow struct {
		Source  string `db:"source"`
		Total   int    `db:"total"`
		Enabled int    `db:"enabled"`
		Mapped  int    `db:"mapped"`
	}
	var rows []srcRow
	if err := app.DB().NewQuery(`SELECT source, count(*) AS total, sum(enabled = 1) AS enabled,
		sum(CASE WHEN json_valid(techniques) AND json_array_length(techniques) > 0 THEN 1 ELSE 0 END) AS mapped
		FROM detection_rules WHERE removed = 0 GROUP BY source ORDER BY source`).All(&rows); err != nil {
		return nil, err
	}
	out := make([]RuleSourceCount, 0, len(rows))
	for _, x := range rows {
		out = append(out, RuleSourceCount{Source: x.Source, Total: x.Total, Enabled: x.Enabled,
			Mapped: x.Mapped, Unmapped: x.Total - x.Mapped})
	}
	return out, nil
}

// visibleFindings is the condition on findings f that a blue role's list
// rule applies: findings of no test, or of a revealed one.
const visibleFindings = "(f.test = '' OR EXISTS (SELECT 1 FROM tests t WHERE t.id = f.test AND t.revealed = 1))"

// FindingStatsFor is the remediation picture at now over weeks, of the
// findings a caller sees (revealedOnly: blue roles).
func FindingStatsFor(app core.App, now time.Time, weeks int, revealedOnly bool) (*FindingStats, error) {
	where := "1 = 1"
	if revealedOnly {
		where = visibleFindings
	}
	if weeks <= 0 || weeks > 104 {
		weeks = 12
	}
	fs := &FindingStats{ByStatus: map[string]int{}, Weekly: []WeekCount{}}
	type st struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	var byStatus []st
	if err := app.DB().NewQuery("SELECT f.status AS status, count(*) AS n FROM findings f WHERE " + where + " GROUP BY f.status").All(&byStatus); err != nil {
		return nil, err
	}
	for _, s := range byStatus {
		k := coverage.OrDefault(s.Status, collections.FindingOpen)
		fs.ByStatus[k] += s.N
		if k == collections.FindingResolved || k == collections.FindingRiskAccepted {
			fs.Closed += s.N
		} else {
			fs.Open += s.N
		}
	}
	// Monday of the current week, then back.
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	start := monday.AddDate(0, 0, -7*(weeks-1))
	idx := map[string]int{}
	for i := 0; i < weeks; i++ {
		w := start.AddDate(0, 0, 7*i).Format("2006-01-02")
		idx[w] = i
		fs.Weekly = append(fs.Weekly, WeekCount{Week: w})
	}
	type wk struct {
		Week string `db:"week"`
		N    int    `db:"n"`
	}
	// date(x, 'weekday 0', '-6 days') is the Monday on or before x.
	for _, q := range []struct {
		col      string
		resolved bool
	}{{"created", false}, {"resolved_at", true}} {
		var rows []wk
		err := app.DB().NewQuery("SELECT date(f." + q.col + ", 'weekday 0', '-6 days') AS week, count(*) AS n FROM findings f WHERE " +
			"f." + q.col + " >= {:start} AND f." + q.col + " != '' AND " + where + " GROUP BY week").
			Bind(dbx.Params{"start": start.Format("2006-01-02 15:04:05.000Z")}).All(&rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			i, ok := idx[r.Week]
			if !ok {
				continue
			}
			if q.resolved {
				fs.Weekly[i].Resolved += r.N
			} else {
				fs.Weekly[i].Opened += r.N
			}
		}
	}
	return fs, nil
}
