package exports

import (
	"fmt"
	"github.com/aegis-sec/aegis/internal/coverage"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strconv"
	"strings"
)

// Heatmap geometry for the SVG.
const (
	svgColW    = 150
	svgCellH   = 20
	svgHeadH   = 46
	svgGap     = 4
	svgTitleH  = 40
	svgLegendH = 28
)

// HeatmapSVG draws the matrix as an SVG: one column per tactic with its
// score, one cell per technique coloured by level with its score.
func HeatmapSVG(w io.Writer, m *coverage.Matrix, title string) error {
	rows := 0
	for _, t := range m.Tactics {
		rows = max(rows, len(t.Techniques))
	}
	width := len(m.Tactics)*(svgColW+svgGap) + svgGap
	height := svgTitleH + svgHeadH + rows*(svgCellH+2) + svgLegendH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="%s">`,
		width, height, width, height, html.EscapeString(title))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`)
	fmt.Fprintf(&b, `<text x="%d" y="26" font-size="18" font-weight="bold" fill="#111827">%s — overall %.1f (%s)</text>`,
		svgGap, html.EscapeString(title), m.Score, m.Level)
	for i, t := range m.Tactics {
		x := svgGap + i*(svgColW+svgGap)
		y := svgTitleH
		fmt.Fprintf(&b, `<g><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#9ca3af"/>`, x, y, svgColW, svgHeadH-4, coverage.LevelColors[t.Level])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" font-weight="bold" fill="#111827">%s</text>`, x+4, y+16, html.EscapeString(clip(t.Name, 24)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" fill="#111827">%s · %.1f · %d</text></g>`, x+4, y+32, t.AttackID, t.Score, len(t.Techniques))
		for j, c := range t.Techniques {
			cy := y + svgHeadH + j*(svgCellH+2)
			fmt.Fprintf(&b, `<g><title>%s %s: %.1f (%s)</title><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#d1d5db"/>`,
				c.AttackID, html.EscapeString(c.Name), c.Score, c.Level, x, cy, svgColW, svgCellH, coverage.LevelColors[c.Level])
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" fill="#111827">%s</text>`, x+3, cy+13, html.EscapeString(clip(c.Name, 22)))
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" text-anchor="end" fill="#111827">%s</text></g>`, x+svgColW-3, cy+13, strconv.Itoa(int(c.Score+0.5)))
		}
	}
	ly := height - svgLegendH
	for i, lv := range coverage.LevelOrder {
		x := svgGap + i*110
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s" stroke="#9ca3af"/><text x="%d" y="%d" font-size="11" fill="#111827">%s</text>`,
			x, ly, coverage.LevelColors[lv], x+18, ly+12, lv)
	}
	b.WriteString(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// HeatmapPNG draws the matrix as rectangles only: a header band per tactic
// coloured by its level, then one cell per technique, and a thin bar in each
// cell proportional to the score.
func HeatmapPNG(w io.Writer, m *coverage.Matrix) error {
	const colW, cellH, gap, headH = 48, 12, 3, 18
	rows := 0
	for _, t := range m.Tactics {
		rows = max(rows, len(t.Techniques))
	}
	width := max(1, len(m.Tactics)*(colW+gap)+gap)
	height := headH + gap*2 + rows*(cellH+2) + gap
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	fill := func(x0, y0, x1, y1 int, c color.Color) {
		draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
	}
	for i, t := range m.Tactics {
		x := gap + i*(colW+gap)
		fill(x, gap, x+colW, gap+headH, coverage.HexRGBA(coverage.LevelColors[t.Level]))
		fill(x, gap+headH-3, x+int(float64(colW)*t.Score/100), gap+headH, color.RGBA{17, 24, 39, 255})
		for j, c := range t.Techniques {
			y := gap*2 + headH + j*(cellH+2)
			fill(x, y, x+colW, y+cellH, color.RGBA{209, 213, 219, 255})
			fill(x+1, y+1, x+colW-1, y+cellH-1, coverage.HexRGBA(coverage.LevelColors[c.Level]))
			fill(x+1, y+cellH-3, x+1+int(float64(colW-2)*c.Score/100), y+cellH-1, color.RGBA{31, 41, 55, 200})
		}
	}
	return png.Encode(w, img)
}
