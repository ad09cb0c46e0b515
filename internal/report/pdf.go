package report

import (
	"fmt"
	"github.com/aegis-sec/aegis/internal/coverage"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// A4 landscape, millimetres.
const (
	pdfW, pdfH   = 297.0, 210.0
	pdfMargin    = 12.0
	pdfBody      = pdfW - 2*pdfMargin
	pdfBottom    = pdfH - 14.0 // above the footer
	pdfLegendGap = 26.0
)

// pdfDoc wraps fpdf with the report's text handling: every string from the
// database goes through text(), which drops control characters and maps
// UTF-8 to the core fonts' code page (unknown characters become '.').
type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

func (p *pdfDoc) text(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return p.tr(s)
}

// fit clips s with an ellipsis so that it is at most w millimetres wide in
// the current font.
func (p *pdfDoc) fit(s string, w float64) string {
	s = p.text(s)
	if p.GetStringWidth(s) <= w {
		return s
	}
	dots := p.tr("…")
	for len(s) > 0 && p.GetStringWidth(s+dots) > w {
		s = s[:len(s)-1]
	}
	return strings.TrimRight(s, " ") + dots
}

func (p *pdfDoc) fill(hex string) {
	c := coverage.HexRGBA(hex)
	p.SetFillColor(int(c.R), int(c.G), int(c.B))
}

func (p *pdfDoc) heading(s string) {
	p.SetFont("Helvetica", "B", 14)
	p.SetTextColor(17, 24, 39)
	p.CellFormat(pdfBody, 8, p.text(s), "", 1, "L", false, 0, "")
	p.SetDrawColor(229, 231, 235)
	p.SetLineWidth(0.6)
	p.Line(pdfMargin, p.GetY(), pdfW-pdfMargin, p.GetY())
	p.Ln(3)
}

func (p *pdfDoc) muted(size float64) {
	p.SetFont("Helvetica", "", size)
	p.SetTextColor(107, 114, 128)
}

func (p *pdfDoc) body(size float64) {
	p.SetFont("Helvetica", "", size)
	p.SetTextColor(17, 24, 39)
}

// ensure starts a new page when h millimetres do not fit any more.
func (p *pdfDoc) ensure(h float64) {
	if p.GetY()+h > pdfBottom {
		p.AddPage()
	}
}

// WriteExecutivePDF renders the executive report as a PDF (A4 landscape):
// the headline and tactics, the heatmap, the trend and the ranked top gaps,
// campaign results and open findings. Core fonts only, no external assets.
func WriteExecutivePDF(w io.Writer, ex *Executive) error {
	f := fpdf.New("L", "mm", "A4", "")
	p := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfH-pdfBottom)
	f.SetTitle(ex.Title, true)
	f.SetSubject("ATT&CK coverage: "+ex.Scope, true)
	f.SetCreator("Aegis", true)
	f.SetCreationDate(ex.GeneratedAt)
	f.SetModificationDate(ex.GeneratedAt)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(pdfH - 10)
		p.muted(8)
		f.CellFormat(pdfBody/2, 5, p.fit(ex.Title+" - "+ex.Scope, pdfBody/2), "", 0, "L", false, 0, "")
		f.CellFormat(pdfBody/2, 5, fmt.Sprintf("%s - page %d of {nb}", ex.GeneratedAt.Format("2006-01-02 15:04 MST"), f.PageNo()),
			"", 0, "R", false, 0, "")
	})

	pdfSummary(p, ex)
	pdfHeatmap(p, ex)
	pdfTrendAndGaps(p, ex)
	pdfCampaignsAndFindings(p, ex)
	if err := f.Output(w); err != nil {
		return fmt.Errorf("executive pdf: %w", err)
	}
	return nil
}

func pdfSummary(p *pdfDoc, ex *Executive) {
	p.AddPage()
	p.SetFont("Helvetica", "B", 22)
	p.SetTextColor(17, 24, 39)
	p.CellFormat(pdfBody, 11, p.text(ex.Title), "", 1, "L", false, 0, "")
	p.muted(10)
	p.CellFormat(pdfBody, 6, p.text(fmt.Sprintf("Generated %s - scope: %s", ex.GeneratedAt.Format("2 January 2006, 15:04 MST"), ex.Scope)),
		"", 1, "L", false, 0, "")
	p.CellFormat(pdfBody, 6, p.text("Scores 0-100 from validated outcomes, detection rules and mitigations."), "", 1, "L", false, 0, "")
	p.Ln(4)

	// Headline: the score in a box of its level's colour, then the key figures.
	y := p.GetY()
	p.fill(coverage.LevelColors[ex.Overall.Level])
	p.SetDrawColor(156, 163, 175)
	p.Rect(pdfMargin, y, 46, 30, "FD")
	p.SetXY(pdfMargin, y+4)
	p.SetFont("Helvetica", "B", 26)
	p.SetTextColor(17, 24, 39)
	p.CellFormat(46, 12, fmt.Sprintf("%.1f", ex.Overall.Score), "", 2, "C", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	p.CellFormat(46, 6, p.text("overall ("+ex.Overall.Level+")"), "", 0, "C", false, 0, "")
	kpis := [][2]string{
		{fmt.Sprint(ex.Overall.Techniques), "techniques averaged"},
		{fmt.Sprint(ex.Overall.Validated), "with a validated outcome"},
		{fmt.Sprint(ex.Overall.Good), "good or better"},
		{fmt.Sprintf("%.0f%%", ex.Metrics.DetectionRate*100), "of validated tests alerted"},
		{fmt.Sprintf("%.0f%%", ex.Metrics.PreventionRate*100), "blocked or partly blocked"},
		{fmt.Sprint(ex.Findings.Open), "open findings"},
	}
	for i, k := range kpis {
		x := pdfMargin + 54 + float64(i%3)*72
		ky := y + float64(i/3)*15
		p.SetXY(x, ky)
		p.SetFont("Helvetica", "B", 15)
		p.SetTextColor(17, 24, 39)
		p.CellFormat(70, 8, k[0], "", 2, "L", false, 0, "")
		p.muted(9)
		p.CellFormat(70, 5, p.text(k[1]), "", 0, "L", false, 0, "")
	}
	p.SetXY(pdfMargin, y+36)

	p.heading("Coverage by tactic")
	const labelW, barW, rowH = 52.0, 180.0, 7.5
	for _, t := range ex.Tactics {
		p.ensure(rowH)
		ry := p.GetY()
		p.body(9)
		p.CellFormat(labelW, rowH, p.fit(t.Name, labelW-2), "", 0, "R", false, 0, "")
		p.SetFillColor(243, 244, 246)
		p.Rect(pdfMargin+labelW+2, ry+1.2, barW, rowH-2.4, "F")
		p.fill(coverage.LevelColors[t.Level])
		p.Rect(pdfMargin+labelW+2, ry+1.2, barW*coverage.Clamp01(t.Score/100), rowH-2.4, "F")
		p.SetXY(pdfMargin+labelW+barW+4, ry)
		p.CellFormat(40, rowH, fmt.Sprintf("%.1f  (%d techniques)", t.Score, t.Techniques), "", 1, "L", false, 0, "")
	}
	if len(ex.Tactics) == 0 {
		p.muted(10)
		p.CellFormat(pdfBody, 6, "No tactics: import ATT&CK first.", "", 1, "L", false, 0, "")
	}
}

func pdfLegend(p *pdfDoc, y float64) {
	x := pdfMargin
	for _, lv := range coverage.LevelOrder {
		p.fill(coverage.LevelColors[lv])
		p.SetDrawColor(156, 163, 175)
		p.Rect(x, y+0.8, 3.5, 3.5, "FD")
		p.SetXY(x+4.5, y)
		p.muted(8)
		p.CellFormat(pdfLegendGap-5, 5, p.text(strings.ReplaceAll(lv, "_", " ")), "", 0, "L", false, 0, "")
		x += pdfLegendGap
	}
}

func pdfHeatmap(p *pdfDoc, ex *Executive) {
	p.AddPage()
	p.heading("ATT&CK heatmap")
	m := ex.Matrix
	if m == nil || len(m.Tactics) == 0 {
		p.muted(10)
		p.CellFormat(pdfBody, 6, "No techniques in this scope.", "", 1, "L", false, 0, "")
		return
	}
	pdfLegend(p, p.GetY())
	top := p.GetY() + 7
	const headH, gap = 11.0, 0.6
	cols := len(m.Tactics)
	colW := (pdfBody - gap*float64(cols-1)) / float64(cols)
	most := 1
	for _, t := range m.Tactics {
		most = max(most, len(t.Techniques))
	}
	cellH := min(6.0, (pdfBottom-top-headH-1)/float64(most))
	font := min(6.5, max(3.2, cellH*1.9))
	for i, t := range m.Tactics {
		x := pdfMargin + float64(i)*(colW+gap)
		p.fill(coverage.LevelColors[t.Level])
		p.SetDrawColor(156, 163, 175)
		p.SetLineWidth(0.2)
		p.Rect(x, top, colW, headH-1, "FD")
		p.SetTextColor(17, 24, 39)
		p.SetFont("Helvetica", "B", 6)
		p.SetXY(x+0.5, top+0.8)
		p.CellFormat(colW-1, 3.6, p.fit(t.Name, colW-1), "", 2, "L", false, 0, "")
		p.SetFont("Helvetica", "", 5.5)
		p.CellFormat(colW-1, 3.4, p.fit(fmt.Sprintf("%.0f - %d", t.Score, len(t.Techniques)), colW-1), "", 0, "L", false, 0, "")
		p.SetFont("Helvetica", "", font)
		for j, c := range t.Techniques {
			cy := top + headH + float64(j)*cellH
			p.fill(coverage.LevelColors[c.Level])
			p.SetDrawColor(209, 213, 219)
			p.Rect(x, cy, colW, cellH, "FD")
			p.SetXY(x+0.3, cy)
			p.CellFormat(colW-0.6, cellH, p.fit(c.AttackID+" "+c.Name, colW-0.6), "", 0, "L", false, 0, "")
		}
	}
}

// pdfTrendAndGaps is the page of the organisation's score over its
// snapshots and of its top gaps.
func pdfTrendAndGaps(p *pdfDoc, ex *Executive) {
	p.AddPage()
	pdfTrend(p, ex.Trend)
	pdfGaps(p, ex.Gaps)
}

// pdfTrend draws the overall score at each snapshot as a line chart.
func pdfTrend(p *pdfDoc, pts []*coverage.Snapshot) {
	p.heading("Trend")
	p.muted(9)
	note := "Overall score of the organisation at each snapshot (snapshots are taken daily, after imports and on demand)."
	p.CellFormat(pdfBody, 5, p.text(note), "", 1, "L", false, 0, "")
	const chartH, padL = 52.0, 10.0
	y := p.GetY() + 2
	x0, w := pdfMargin+padL, pdfBody-padL
	p.SetFillColor(249, 250, 251)
	p.SetDrawColor(229, 231, 235)
	p.SetLineWidth(0.3)
	p.Rect(x0, y, w, chartH, "FD")
	p.muted(7)
	for _, v := range []float64{0, 50, 100} {
		ly := y + chartH*(1-v/100)
		p.SetXY(pdfMargin, ly-2)
		p.CellFormat(padL-1, 4, fmt.Sprintf("%.0f", v), "", 0, "R", false, 0, "")
		p.Line(x0, ly, x0+w, ly)
	}
	if len(pts) == 0 {
		p.SetXY(x0+4, y+chartH/2-3)
		p.body(10)
		p.CellFormat(w-8, 6, "No snapshots yet: the first is taken after the first import.", "", 0, "L", false, 0, "")
	} else {
		pdfTrendLine(p, pts, x0, y, w, chartH)
	}
	p.SetXY(pdfMargin, y+chartH+7)
}

// pdfTrendLine plots pts (not empty) in the chart at x0, y of width w and
// height h, with the first and last values under it.
func pdfTrendLine(p *pdfDoc, pts []*coverage.Snapshot, x0, y, w, h float64) {
	p.SetDrawColor(37, 99, 235)
	p.SetFillColor(37, 99, 235)
	p.SetLineWidth(0.7)
	var px, py float64
	for i, s := range pts {
		x := x0 + w/2
		if len(pts) > 1 {
			x = x0 + 3 + (w-6)*float64(i)/float64(len(pts)-1)
		}
		yy := y + h*(1-coverage.Clamp01(s.Totals.Score/100))
		if i > 0 {
			p.Line(px, py, x, yy)
		}
		p.Circle(x, yy, 0.9, "F")
		px, py = x, yy
	}
	p.muted(7)
	first, last := pts[0], pts[len(pts)-1]
	p.SetXY(x0, y+h+0.5)
	p.CellFormat(w/2, 4, fmt.Sprintf("%s: %.1f", first.TakenAt.Format("2006-01-02"), first.Totals.Score), "", 0, "L", false, 0, "")
	p.CellFormat(w/2, 4, fmt.Sprintf("%s: %.1f", last.TakenAt.Format("2006-01-02"), last.Totals.Score), "", 0, "R", false, 0, "")
}

// gapWidths are the widths of the columns of the gaps table.
var gapWidths = []float64{8, 22, 78, 16, 149}

// pdfGaps is the table of the top gaps, ranked, with why each is there.
func pdfGaps(p *pdfDoc, gaps []coverage.Gap) {
	p.heading("Top gaps")
	p.muted(9)
	p.MultiCell(pdfBody, 4.5, p.text("Ranked by need (100 - score) x priority x share of tracked actors using the technique x time since "+
		"validation (never validated counts most). Validated techniques are not gaps."), "", "L", false)
	p.Ln(1)
	pdfGapRow(p, []string{"#", "Technique", "Name", "Score", "Why it is here"}, true, "")
	for i, g := range gaps {
		pdfGapRow(p, []string{fmt.Sprint(i + 1), g.AttackID, g.Name, fmt.Sprintf("%.1f", g.Score), g.Reason()}, false, g.Level)
	}
	if len(gaps) == 0 {
		p.muted(10)
		p.CellFormat(pdfBody, 7, "No gaps: every technique in scope is validated.", "", 1, "L", false, 0, "")
	}
}

// pdfGapRow draws one row of the gaps table, as tall as its wrapped
// reason, with the level's colour before the name when level is set.
func pdfGapRow(p *pdfDoc, cells []string, bold bool, level string) {
	widths := gapWidths
	p.SetFont("Helvetica", map[bool]string{true: "B", false: ""}[bold], 8.5)
	lines := p.SplitText(p.text(cells[4]), widths[4]-2)
	h := max(6, float64(len(lines))*4+2)
	p.ensure(h)
	ry := p.GetY()
	x := pdfMargin
	for i, c := range cells {
		if i == 2 && level != "" {
			p.fill(coverage.LevelColors[level])
			p.SetDrawColor(156, 163, 175)
			p.Rect(x+1, ry+h/2-1.5, 3, 3, "FD")
		}
		p.SetTextColor(17, 24, 39)
		switch i {
		case 4:
			p.SetXY(x+1, ry+1)
			for k, l := range lines {
				p.SetXY(x+1, ry+1+float64(k)*4)
				p.CellFormat(widths[i]-2, 4, l, "", 0, "L", false, 0, "")
			}
		case 2:
			p.SetXY(x+5, ry)
			p.CellFormat(widths[i]-6, h, p.fit(c, widths[i]-7), "", 0, "L", false, 0, "")
		default:
			p.SetXY(x+1, ry)
			p.CellFormat(widths[i]-2, h, p.fit(c, widths[i]-2), "", 0, "L", false, 0, "")
		}
		x += widths[i]
	}
	p.SetDrawColor(229, 231, 235)
	p.SetLineWidth(0.2)
	p.Line(pdfMargin, ry+h, pdfW-pdfMargin, ry+h)
	p.SetXY(pdfMargin, ry+h)
}

func pdfTable(p *pdfDoc, widths []float64, heads []string, rows [][]string, empty string) {
	row := func(cells []string, bold bool) {
		p.ensure(6.5)
		if bold {
			p.SetFont("Helvetica", "B", 8.5)
			p.SetFillColor(249, 250, 251)
		} else {
			p.body(8.5)
		}
		p.SetDrawColor(229, 231, 235)
		for i, c := range cells {
			p.CellFormat(widths[i], 6.5, " "+p.fit(c, widths[i]-2), "B", 0, "L", bold, 0, "")
		}
		p.Ln(-1)
	}
	row(heads, true)
	for _, r := range rows {
		row(r, false)
	}
	if len(rows) == 0 {
		p.muted(9)
		p.CellFormat(pdfBody, 6.5, " "+empty, "", 1, "L", false, 0, "")
	}
}

func pdfCampaignsAndFindings(p *pdfDoc, ex *Executive) {
	p.AddPage()
	p.heading("Campaign results")
	var rows [][]string
	for _, c := range ex.Campaigns {
		rows = append(rows, []string{c.Name, c.Status, fmt.Sprint(c.Round), fmt.Sprint(c.Tests), fmt.Sprintf("%.1f (%s)", c.Score, c.Level)})
	}
	pdfTable(p, []float64{140, 40, 25, 25, 43}, []string{"Campaign", "Status", "Round", "Tests", "Score"}, rows, "No campaigns yet.")
	p.Ln(6)
	p.ensure(30)
	p.heading("Open findings")
	p.body(10)
	p.CellFormat(pdfBody, 6, fmt.Sprintf("%d open, %d closed.", ex.Findings.Open, ex.Findings.Closed), "", 1, "L", false, 0, "")
	rows = nil
	for _, f := range ex.OpenList {
		rows = append(rows, []string{f.Severity, f.Title, f.Technique, f.Status, f.Due})
	}
	pdfTable(p, []float64{25, 150, 30, 38, 30}, []string{"Severity", "Finding", "Technique", "Status", "Due"}, rows, "No open findings.")
}
