package report

import (
	"fmt"
	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// ReportCSP is the Content-Security-Policy the executive report is served
// with: no scripts at all, styles only from the document itself.
const ReportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Executive is what the executive report shows.
type Executive struct {
	Title       string
	GeneratedAt time.Time
	// Scope says what the report covers ("all in-scope techniques" or the
	// filter: actor, platform, campaign); Filter is the filter itself.
	Scope     string
	Filter    coverage.Filter
	Overall   coverage.GroupScore
	Tactics   []coverage.GroupScore
	Matrix    *coverage.Matrix
	Trend     []*coverage.Snapshot
	Gaps      []coverage.Gap
	Campaigns []CampaignLine
	Findings  FindingStats
	OpenList  []FindingLine
	Metrics   *Metrics
}

// CampaignLine is one campaign's result in the report.
type CampaignLine struct {
	Name   string
	Status string
	Round  int
	Tests  int
	Score  float64
	Level  string
}

// FindingLine is one open finding in the report.
type FindingLine struct {
	Title     string
	Severity  string
	Status    string
	Technique string
	Due       string
}

// BuildExecutive gathers the report's content for the whole coverage.
func BuildExecutive(app core.App) (*Executive, error) {
	return BuildExecutiveFor(app, coverage.Filter{})
}

// BuildExecutiveFor gathers the report's content for a scope: the same
// filter as the matrix (domain, platform, actor, campaign). The headline,
// tactics, heatmap and gaps follow the filter; the trend is the
// organisation's (snapshots are not filtered); a campaign filter keeps that
// campaign's results only.
func BuildExecutiveFor(app core.App, f coverage.Filter) (*Executive, error) {
	e := coverage.For(app)
	r, err := e.ResultFor(f)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if f.Actor != "" && r.Data.FindActor(f.Actor) == nil {
		return nil, coverage.ErrNoActor
	}
	if f.Campaign != "" && !r.Data.HasCampaign(f.Campaign) {
		return nil, coverage.ErrNoCampaign
	}
	m, err := ComputeMetrics(app, 12)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	mx := r.Matrix(f)
	ex := &Executive{Title: "Aegis coverage report", GeneratedAt: r.Data.Now, Filter: mx.Filter, Scope: r.ScopeLabel(f),
		Overall: r.Headline(f), Matrix: mx, Gaps: r.RankGaps(f, 10), Findings: m.Findings, Metrics: m}
	for _, t := range mx.Tactics {
		ex.Tactics = append(ex.Tactics, coverage.GroupScore{ID: t.ID, Ref: t.AttackID, Name: t.Name, Score: t.Score, Level: t.Level,
			Techniques: len(t.Techniques)})
	}
	ex.Trend, err = coverage.ListSnapshots(app, time.Now().AddDate(-1, 0, 0), 52)
	if err != nil {
		return nil, err
	}
	// The latest campaigns first, at most 10.
	camps := r.Data.Campaigns
	for i := len(camps) - 1; i >= 0 && len(ex.Campaigns) < 10; i-- {
		c := camps[i]
		if f.Campaign != "" && c.ID != f.Campaign {
			continue
		}
		cc, err := e.Campaign(c.ID, f.RevealedOnly)
		if err != nil {
			return nil, err
		}
		ex.Campaigns = append(ex.Campaigns, CampaignLine{Name: c.Name, Status: c.Status, Round: c.Round, Tests: cc.Tests,
			Score: cc.Score, Level: cc.Level})
	}
	type frow struct {
		Title    string `db:"title"`
		Severity string `db:"severity"`
		Status   string `db:"status"`
		Attack   string `db:"attack_id"`
		Due      string `db:"due_at"`
	}
	var rows []frow
	if err := app.DB().NewQuery(`SELECT f.title, f.severity, f.status, ifnull(t.attack_id, '') AS attack_id, f.due_at
		FROM findings f LEFT JOIN techniques t ON t.id = f.technique WHERE f.status IN ('` + collections.FindingOpen + `', '` + collections.FindingInProgress + `', '')
		ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, f.due_at
		LIMIT 15`).All(&rows); err != nil {
		return nil, err
	}
	for _, f := range rows {
		due := ""
		if t := coverage.ParseTime(f.Due); !t.IsZero() {
			due = t.Format("2006-01-02")
		}
		ex.OpenList = append(ex.OpenList, FindingLine{Title: f.Title, Severity: f.Severity, Status: coverage.OrDefault(f.Status, collections.FindingOpen),
			Technique: f.Attack, Due: due})
	}
	return ex, nil
}

// TacticBarsSVG is a horizontal bar chart of tactic scores.
func TacticBarsSVG(ts []coverage.GroupScore) template.HTML {
	const rowH, labelW, barW = 22, 190, 360
	h := len(ts)*rowH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="Coverage by tactic">`, labelW+barW+60, h)
	for i, t := range ts {
		y := 5 + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-8, y+14, template.HTMLEscapeString(t.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#f3f4f6"/>`, labelW, y+2, barW)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s"/>`, labelW, y+2, barW*t.Score/100, coverage.LevelColors[t.Level])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%.1f</text>`, labelW+barW+6, y+14, t.Score)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// TrendSVG is a line chart of the overall score across snapshots.
func TrendSVG(pts []*coverage.Snapshot) template.HTML {
	const w, h, pad = 560, 180, 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="Overall score over time">`, w, h)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#f9fafb" stroke="#e5e7eb"/>`, pad, 10, w-pad-10, h-pad-10)
	for _, v := range []float64{0, 50, 100} {
		y := 10 + (h-pad-10)*(1-v/100)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="10" text-anchor="end">%.0f</text>`, pad-4, y+3, v)
	}
	if len(pts) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">No snapshots yet.</text>`, pad+10, h/2)
	} else {
		var poly []string
		for i, p := range pts {
			x := float64(pad)
			if len(pts) > 1 {
				x += float64(w-pad-10) * float64(i) / float64(len(pts)-1)
			}
			y := 10 + float64(h-pad-10)*(1-p.Totals.Score/100)
			poly = append(poly, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#2563eb"><title>%s: %.1f</title></circle>`, x, y, p.TakenAt.Format("2006-01-02"), p.Totals.Score)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#2563eb" stroke-width="2"/>`, strings.Join(poly, " "))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10">%s</text>`, pad, h-6, pts[0].TakenAt.Format("2006-01-02"))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="end">%s</text>`, w-10, h-6, pts[len(pts)-1].TakenAt.Format("2006-01-02"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// GaugeSVG draws the headline score as a ring.
func GaugeSVG(score float64, level string) template.HTML {
	const r = 54.0
	circ := 2 * 3.14159265 * r
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="140" height="140" role="img" aria-label="Overall score">
<circle cx="70" cy="70" r="%.0f" fill="none" stroke="#e5e7eb" stroke-width="14"/>
<circle cx="70" cy="70" r="%.0f" fill="none" stroke="%s" stroke-width="14" stroke-dasharray="%.1f %.1f" transform="rotate(-90 70 70)"/>
<text x="70" y="76" font-size="26" font-weight="bold" text-anchor="middle">%.0f</text></svg>`,
		r, r, coverage.LevelColors[level], circ*score/100, circ, score))
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"bars": TacticBarsSVG, "trend": TrendSVG, "gauge": GaugeSVG,
	"pct":   func(x float64) string { return fmt.Sprintf("%.0f%%", x*100) },
	"f1":    func(x float64) string { return fmt.Sprintf("%.1f", x) },
	"color": func(l string) string { return coverage.LevelColors[l] },
	"day":   func(t time.Time) string { return t.Format("2 January 2006, 15:04 MST") },
	"inc":   func(i int) int { return i + 1 },
	"fp": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%.2f", *p)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Helvetica,Arial,sans-serif;color:#111827;margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.4}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.2rem;margin-top:2rem}
.muted{color:#6b7280}.head{display:flex;gap:2rem;align-items:center}.kpis{display:grid;grid-template-columns:repeat(3,1fr);gap:.6rem 2rem}
.kpi b{display:block;font-size:1.4rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e7eb}th{background:#f9fafb}
.lvl{display:inline-block;width:.8rem;height:.8rem;border:1px solid #9ca3af;vertical-align:middle;margin-right:.3rem}
section{page-break-inside:avoid}@media print{body{margin:0;max-width:none}a{color:inherit}}
</style></head><body>
<h1>{{.Title}}</h1><p class="muted">Generated {{day .GeneratedAt}} · {{.Scope}} · scores 0–100 from validated outcomes, detection rules and mitigations</p>
<section><h2>Overall coverage</h2><div class="head">{{gauge .Overall.Score .Overall.Level}}
<div class="kpis">
<div class="kpi"><b>{{f1 .Overall.Score}}</b>overall score ({{.Overall.Level}})</div>
<div class="kpi"><b>{{.Overall.Techniques}}</b>techniques averaged</div>
<div class="kpi"><b>{{.Overall.Validated}}</b>with a validated outcome</div>
<div class="kpi"><b>{{pct .Metrics.DetectionRate}}</b>of validated tests alerted</div>
<div class="kpi"><b>{{pct .Metrics.PreventionRate}}</b>blocked or partly blocked</div>
<div class="kpi"><b>{{.Findings.Open}}</b>open findings</div>
</div></div></section>
<section><h2>Coverage by tactic</h2>{{bars .Tactics}}</section>
<section><h2>Trend</h2>{{trend .Trend}}</section>
<section><h2>Top gaps</h2><p class="muted">Ranked by need (100 − score) × priority × how many tracked actors use the technique × time since validation.</p>
<table><tr><th>#</th><th>Technique</th><th>Name</th><th>Score</th><th>Why it is here</th></tr>
{{range $i, $g := .Gaps}}<tr><td>{{inc $i}}</td><td>{{$g.AttackID}}</td><td><span class="lvl" style="background:{{color $g.Level}}"></span>{{$g.Name}}</td><td>{{f1 $g.Score}}</td><td>{{$g.Reason}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No gaps: every technique in scope is validated.</td></tr>{{end}}</table></section>
<section><h2>Campaign results</h2><table><tr><th>Campaign</th><th>Status</th><th>Round</th><th>Tests</th><th>Score</th></tr>
{{range .Campaigns}}<tr><td>{{.Name}}</td><td>{{.Status}}</td><td>{{.Round}}</td><td>{{.Tests}}</td><td><span class="lvl" style="background:{{color .Level}}"></span>{{f1 .Score}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No campaigns yet.</td></tr>{{end}}</table></section>
<section><h2>Open findings</h2><p>{{.Findings.Open}} open, {{.Findings.Closed}} closed.</p>
<table><tr><th>Severity</th><th>Finding</th><th>Technique</th><th>Status</th><th>Due</th></tr>
{{range .OpenList}}<tr><td>{{.Severity}}</td><td>{{.Title}}</td><td>{{.Technique}}</td><td>{{.Status}}</td><td>{{.Due}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No open findings.</td></tr>{{end}}</table></section>
</body></html>
`))

// WriteExecutive renders the report as self-contained HTML.
func WriteExecutive(w io.Writer, ex *Executive) error {
	return reportTmpl.Execute(w, ex)
}
