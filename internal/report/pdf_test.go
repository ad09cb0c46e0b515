package report_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/report"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	xrefEntryRe = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])\s*$`)
	pagesRe     = regexp.MustCompile(`/Type /Pages\s*/Kids \[([^\]]*)\]\s*/Count (\d+)`)
	pageRe      = regexp.MustCompile(`/Type /Page\b[^s]`)
)

// parsePDF reads a PDF's cross-reference table and checks that every
// in-use entry points at its object ("N 0 obj"), then returns the page
// count from the page tree (/Count) after checking it against the page
// objects and the kids listed.
func parsePDF(t *testing.T, b []byte) int {
	t.Helper()
	require.True(t, bytes.HasPrefix(b, []byte("%PDF-1.")), "PDF header, got %.20q", b)
	m := startxrefRe.FindSubmatch(b)
	require.NotNil(t, m, "startxref and %%EOF at the end")
	off, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	require.Less(t, off, len(b))
	require.True(t, bytes.HasPrefix(b[off:], []byte("xref")), "startxref points at the xref table")
	lines := strings.Split(string(b[off:]), "\n")
	hdr := strings.Fields(lines[1])
	require.Len(t, hdr, 2, "xref subsection header")
	first, _ := strconv.Atoi(hdr[0])
	n, _ := strconv.Atoi(hdr[1])
	require.Greater(t, n, 3)
	for i := 0; i < n; i++ {
		e := xrefEntryRe.FindStringSubmatch(lines[2+i])
		require.NotNil(t, e, "xref entry %d: %q", i, lines[2+i])
		if e[3] != "n" {
			continue
		}
		o, _ := strconv.Atoi(e[1])
		require.Less(t, o, len(b))
		want := strconv.Itoa(first+i) + " 0 obj"
		require.True(t, bytes.HasPrefix(b[o:], []byte(want)), "object %d at %d: %.20q", first+i, o, b[o:])
	}
	require.Contains(t, string(b[off:]), "trailer")
	pm := pagesRe.FindSubmatch(b)
	require.NotNil(t, pm, "page tree")
	count, _ := strconv.Atoi(string(pm[2]))
	kids := regexp.MustCompile(`\d+ 0 R`).FindAll(pm[1], -1)
	assert.Len(t, kids, count, "kids listed")
	assert.Len(t, pageRe.FindAll(b, -1), count, "page objects")
	return count
}

// A hand-built report with hostile text: control characters, HTML, a
// right-to-left name and characters outside the core fonts' code page.
func TestExecutivePDFFromFixture(t *testing.T) {
	res := coverage.Compute(gapFixture(), coverage.Options{})
	f := coverage.Filter{}
	mx := res.Matrix(f)
	mx.Tactics[0].Name = "Exécution <script>\x00\x1b[31m — 攻撃"
	ex := &report.Executive{Title: "Aegis coverage report", GeneratedAt: now, Scope: res.ScopeLabel(f), Filter: f,
		Overall: res.Headline(f), Matrix: mx, Gaps: res.RankGaps(f, 10), Metrics: &report.Metrics{},
		Trend: []*coverage.Snapshot{{TakenAt: now.Add(-48 * time.Hour), Totals: coverage.Totals{Score: 10}},
			{TakenAt: now, Totals: coverage.Totals{Score: 22.5}}},
		Campaigns: []report.CampaignLine{{Name: "ﺍﻟﺤﻤﻠﺔ =cmd|' /C calc'!A0", Status: "active", Round: 1, Tests: 3, Score: 40, Level: coverage.LevelPartial}},
		OpenList:  []report.FindingLine{{Title: strings.Repeat("long finding title ", 30), Severity: "high", Status: "open", Technique: "T1001"}},
	}
	for _, g := range mx.Tactics {
		ex.Tactics = append(ex.Tactics, coverage.GroupScore{Name: g.Name, Score: g.Score, Level: g.Level, Techniques: len(g.Techniques)})
	}
	var buf bytes.Buffer
	require.NoError(t, report.WriteExecutivePDF(&buf, ex))
	pages := parsePDF(t, buf.Bytes())
	assert.GreaterOrEqual(t, pages, 4, "summary, heatmap, trend and gaps, campaigns and findings")
	assert.Equal(t, "all in-scope techniques", ex.Scope)

	// The same report twice is the same document (dates come from the data).
	var again bytes.Buffer
	require.NoError(t, report.WriteExecutivePDF(&again, ex))
	assert.Equal(t, buf.Len(), again.Len())
}

// The route on the real ATT&CK bundle and the small demo: every role gets a
// PDF of several pages; the scope follows the matrix filters.
func TestExecutivePDFRoute(t *testing.T) {
	app := demoApp(t)
	srv := testutil.Serve(t, app)
	base := srv.URL + "/api/aegis/reports/executive.pdf"
	users := testutil.Users(t)
	for _, role := range collections.Roles {
		t.Run(string(role), func(t *testing.T) {
			res := testutil.Do(t, http.MethodGet, base, users[role].Token, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", role, res.Body)
			assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"), role)
			assert.Contains(t, res.Header.Get("Content-Disposition"), "attachment; filename=\"aegis-executive-report-")
			assert.Greater(t, parsePDF(t, res.Body), 1, role)
		})
	}
	var actors struct {
		Items []struct {
			Ref string `json:"ref"`
		} `json:"items"`
	}
	get(t, srv.URL+"/api/aegis/coverage/actors", users["viewer"].Token, &actors)
	require.NotEmpty(t, actors.Items)
	scenarios := []struct {
		name, query, token string
		status             int
		pdf                bool
	}{
		{"anonymous", "", "", http.StatusUnauthorized, false},
		{"actor scope", "?actor=" + actors.Items[0].Ref, users["viewer"].Token, http.StatusOK, true},
		{"platform scope", "?platform=Windows&domain=enterprise-attack", users["viewer"].Token, http.StatusOK, true},
		{"unknown actor", "?actor=G9999", users["viewer"].Token, http.StatusNotFound, false},
		{"unknown campaign", "?campaign=nope", users["viewer"].Token, http.StatusNotFound, false},
		{"html report with the same scope", "", users["viewer"].Token, http.StatusOK, false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			url := base + sc.query
			if sc.name == "html report with the same scope" {
				url = srv.URL + "/api/aegis/reports/executive?actor=" + actors.Items[0].Ref
			}
			res := testutil.Do(t, http.MethodGet, url, sc.token, nil)
			require.Equal(t, sc.status, res.Status, "%s", res.Body)
			if sc.pdf {
				assert.Greater(t, parsePDF(t, res.Body), 1)
			}
			if strings.Contains(url, "executive?") {
				assert.Contains(t, string(res.Body), "used by")
				assert.Contains(t, string(res.Body), "Why it is here")
			}
		})
	}

	// The HTML report renders without scripts or external assets.
	res := get(t, srv.URL+"/api/aegis/reports/executive", users["viewer"].Token, nil)
	body := string(res.Body)
	require.Contains(t, body, "<svg", "report: %.300s", body)
	require.NotContains(t, body, "<script", "report: %.300s", body)
	require.NotContains(t, body, "src=\"http", "report: %.300s", body)
	require.NotContains(t, body, "ZgotmplZ", "report: %.300s", body)
	require.Equal(t, report.ReportCSP, res.Header.Get("Content-Security-Policy"), "report: %.300s", body)
	for _, want := range []string{"Coverage by tactic", "Top gaps", "Campaign results", "Open findings", "Trend"} {
		require.Contains(t, body, want, "report lacks %q", want)
	}
	// The dashboard metrics the report draws on.
	var metrics report.Metrics
	get(t, srv.URL+"/api/aegis/metrics", users["viewer"].Token, &metrics)
	require.NotEqual(t, 0, metrics.Outcomes.Validated, "metrics: %+v", metrics)
	require.Greater(t, metrics.DetectionRate, float64(0), "metrics: %+v", metrics)
	require.NotEqual(t, 0, metrics.TimeToDetect.Samples, "metrics: %+v", metrics)
	require.Len(t, metrics.RulesBySource, 4, "metrics: %+v", metrics)
	require.Len(t, metrics.TestsByState, 7, "metrics: %+v", metrics)
	require.NotEqual(t, 0, metrics.Findings.Open+metrics.Findings.Closed, "metrics: %+v", metrics)
}
