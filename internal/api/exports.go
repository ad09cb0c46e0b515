package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/navigator"
	"github.com/aegis-sec/aegis/importers/vectrbundle"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/exports"
	"github.com/aegis-sec/aegis/internal/report"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// Export routes: streamed datasets, Navigator layers, the heatmap as SVG and
// PNG, and the executive report. Every role may export (DESIGN §3).
func registerExportRoutes(g *Group) {
	g.GET("/export/navigator", handleNavigatorExport).Bind(requireUser())
	g.GET("/export/dettect", handleDettectExport).Bind(requireUser())
	g.GET("/export/heatmap.svg", handleHeatmapSVG).Bind(requireUser())
	g.GET("/export/heatmap.png", handleHeatmapPNG).Bind(requireUser())
	g.GET("/export/vectr-bundle.json", handleVectrBundleExport).Bind(requireUser())
	g.GET("/export/{file}", handleDatasetExport).Bind(requireUser())
	g.GET("/reports/executive", handleExecutiveReport).Bind(requireUser())
	g.GET("/reports/executive.pdf", handleExecutivePDF).Bind(requireUser())

	var dsParams []Param
	for _, ds := range exports.Datasets {
		dsParams = append(dsParams, Param{Name: "(" + ds + ")", Description: strings.Join(exports.DatasetFilters[ds], ", ")})
	}
	dsParams = append(dsParams, Param{Name: "bom", Description: "CSV only: 0 to omit the UTF-8 byte-order mark"})
	document(
		Op{Method: "GET", Path: Prefix + "/export/{file}", Tags: []string{"exports"}, Auth: "user", Produces: "text/csv",
			Summary: "Stream a dataset as CSV or JSON: {dataset}.csv or {dataset}.json with dataset one of " +
				strings.Join(exports.Datasets, ", "),
			Description: "Rows are read from the database page by page and streamed, so memory stays flat. CSV is UTF-8 " +
				"(with a byte-order mark unless bom=0), RFC 4180 quoted, CRLF line ends; text cells starting with = + - @ " +
				"are prefixed with ' so spreadsheets do not run them as formulas. `vectr` is the VECTR test case CSV. " +
				"Filters per dataset are query parameters (listed under each dataset name). `audit` holds what the records API " +
				"shows the caller: entries about tests hidden from blue are left out for blue roles, and emails, IPs and " +
				"typed sign-in identities are shown to admins only.",
			Query: dsParams},
		Op{Method: "GET", Path: Prefix + "/export/vectr-bundle.json", Tags: []string{"exports"}, Auth: "user",
			Query:   []Param{{Name: "campaign", Description: "campaign id; repeat or separate with commas for several; none = every campaign"}},
			Summary: "Campaigns and their tests as a VECTR bundle (x-vectr-io-* objects) that VECTR and `aegis import vectr-bundle` read",
			Description: "Stable vectrIds (the imported ones, else derived from the record ids), outcomes mapped back to VECTR's " +
				"outcome names, Aegis's exact state and outcome kept in test-case metadata. 404 for an unknown campaign. " +
				"Blue roles get only revealed tests of blind campaigns."},
		Op{Method: "GET", Path: Prefix + "/export/dettect", Tags: []string{"exports"}, Auth: "user",
			Summary: "Aegis's state as a DeTT&CT technique administration YAML file (imported scores with their logbooks, " +
				"plus a detection score round(5·max(V, R)) for other techniques with evidence); reads back with POST /api/aegis/import/dettect"},
		Op{Method: "GET", Path: Prefix + "/export/navigator", Tags: []string{"exports"}, Auth: "user",
			Query: []Param{{Name: "scope", Description: "coverage (default), actor:G0016 or campaign:ID"}, {Name: "domain"},
				{Name: "platform", Description: "only techniques of this platform, scored on tests run there"}},
			Summary: "ATT&CK Navigator layer (format 4.5) with scores, level colours, comments and the breakdown as metadata",
			Response: navigator.Layer{Name: "Aegis coverage", Versions: &navigator.Versions{Attack: "18", Navigator: "5.1.0", Layer: "4.5"},
				Domain: "enterprise-attack", Techniques: []navigator.Technique{{TechniqueID: "T1059.001", Score: navigator.Score(70.6),
					Color: "#059669", Comment: "PowerShell: score 70.6 (validated)"}}}},
		Op{Method: "GET", Path: Prefix + "/export/heatmap.svg", Tags: []string{"exports"}, Auth: "user", Produces: "image/svg+xml",
			Query:   []Param{{Name: "domain"}, {Name: "platform"}, {Name: "actor"}, {Name: "campaign"}},
			Summary: "The coverage heatmap as SVG (same filters as the matrix)"},
		Op{Method: "GET", Path: Prefix + "/export/heatmap.png", Tags: []string{"exports"}, Auth: "user", Produces: "image/png",
			Query:   []Param{{Name: "domain"}, {Name: "platform"}, {Name: "actor"}, {Name: "campaign"}},
			Summary: "The coverage heatmap as PNG (cells coloured by level, a bar for the score)"},
		Op{Method: "GET", Path: Prefix + "/reports/executive", Tags: []string{"exports"}, Auth: "user", Produces: "text/html",
			Query:       reportScope,
			Summary:     "Printable executive report: overall and per-tactic scores, trend, ranked top gaps, campaign results, open findings",
			Description: "Self-contained HTML with inline SVG charts, no scripts and no external assets; served with a strict CSP. " + reportScopeText},
		Op{Method: "GET", Path: Prefix + "/reports/executive.pdf", Tags: []string{"exports"}, Auth: "user", Produces: "application/pdf",
			Query:   reportScope,
			Summary: "The executive report as a PDF made by the server (A4 landscape, several pages): headline, tactics, heatmap, trend, ranked top gaps with the reason for each, campaign results, open findings",
			Description: "No browser needed, works offline (core fonts, no external assets). Top gaps are ranked by need (100 − score) × " +
				"priority × (1 + share of tracked actors using the technique) × staleness (1.5 never validated, 1.25 older than the " +
				"fresh window). " + reportScopeText},
	)
}

// reportScope is the scope of the executive report, HTML or PDF: the matrix filters.
var reportScope = []Param{
	{Name: "domain", Description: "enterprise-attack (default), mobile-attack or ics-attack"},
	{Name: "platform", Description: "only techniques of this platform, scored on tests run there"},
	{Name: "actor", Description: "only techniques used by this threat actor (record id or ATT&CK id, e.g. G0016)"},
	{Name: "campaign", Description: "only techniques tested in this campaign (record id), scored on its tests"},
}

const reportScopeText = "The headline, tactics, heatmap and gaps follow the scope and the report says what it averages; " +
	"the trend is the organisation's. An unknown actor or campaign gets 404."

func handleDatasetExport(e *core.RequestEvent) error {
	file := e.Request.PathValue("file")
	dot := strings.LastIndexByte(file, '.')
	if dot <= 0 {
		return e.NotFoundError("Export {dataset}.csv or {dataset}.json; datasets: "+strings.Join(exports.Datasets, ", ")+".", nil)
	}
	dataset, format := file[:dot], file[dot+1:]
	if format != "csv" && format != "json" {
		return e.BadRequestError("Format must be csv or json.", nil)
	}
	known := false
	for _, d := range exports.Datasets {
		known = known || d == dataset
	}
	if !known {
		return e.NotFoundError("Unknown dataset "+dataset+"; use one of "+strings.Join(exports.Datasets, ", ")+".", nil)
	}
	// Parameter errors must be reported before the first byte is written.
	for _, p := range []string{"since", "until"} {
		if v := e.Request.URL.Query().Get(p); v != "" && !isDay(v) {
			return e.BadRequestError(p+" must be YYYY-MM-DD.", nil)
		}
	}
	viewer := exports.Viewer{HideUnrevealed: blueCaller(e)}
	if dataset == "audit" {
		scope, err := auditScope(e)
		if err != nil {
			return err
		}
		viewer.Audit = scope
	}
	ct := "text/csv; charset=utf-8"
	if format == "json" {
		ct = "application/json; charset=utf-8"
	}
	h := e.Response.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="aegis-`+dataset+`.`+format+`"`)
	h.Set("Cache-Control", "no-store")
	e.Response.WriteHeader(http.StatusOK)
	if err := exports.ExportFor(e.Request.Context(), e.App, dataset, format, e.Request.URL.Query(), e.Response, viewer); err != nil {
		// The status is already sent: log it; the client gets a short body.
		e.App.Logger().Error("export failed", "dataset", dataset, "error", err)
	}
	return nil
}

func handleVectrBundleExport(e *core.RequestEvent) error {
	var ids []string
	for _, v := range e.Request.URL.Query()["campaign"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	// Built in memory first so that an unknown campaign is a clean 404.
	var buf bytes.Buffer
	err := vectrbundle.Export(e.Request.Context(), e.App, vectrbundle.ExportOptions{Campaigns: ids, HideUnrevealed: blueCaller(e)}, &buf)
	if errors.Is(err, vectrbundle.ErrNoCampaign) {
		return e.NotFoundError(err.Error(), nil)
	}
	if err != nil {
		return e.InternalServerError("The export failed.", err)
	}
	h := e.Response.Header()
	h.Set("Content-Disposition", `attachment; filename="aegis-vectr-bundle.json"`)
	h.Set("Cache-Control", "no-store")
	return e.Blob(http.StatusOK, "application/json; charset=utf-8", buf.Bytes())
}

func isDay(s string) bool {
	_, err := parseDay(s)
	return err == nil && len(s) == 10
}

func handleDettectExport(e *core.RequestEvent) error {
	var buf bytes.Buffer
	if err := coverage.WriteDettect(e.App, &buf, "aegis", blueCaller(e)); err != nil {
		return coverageError(e, err)
	}
	e.Response.Header().Set("Content-Disposition", `attachment; filename="aegis-techniques-administration.yaml"`)
	return e.Blob(http.StatusOK, "application/yaml; charset=utf-8", buf.Bytes())
}

func handleNavigatorExport(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	l, err := exports.CoverageLayerFor(coverage.For(e.App), q.Get("scope"), coverage.Filter{Domain: q.Get("domain"),
		Platform: strings.TrimSpace(q.Get("platform")), RevealedOnly: blueCaller(e)})
	if err != nil {
		switch {
		case errors.Is(err, coverage.ErrNoActor), errors.Is(err, coverage.ErrNoCampaign):
			return e.NotFoundError(err.Error(), nil)
		case strings.HasPrefix(err.Error(), "scope"):
			return e.BadRequestError(err.Error(), nil)
		}
		return coverageError(e, err)
	}
	name := strings.NewReplacer(":", "-", "/", "-").Replace(q.Get("scope"))
	if name == "" {
		name = "coverage"
	}
	e.Response.Header().Set("Content-Disposition", `attachment; filename="aegis-layer-`+name+`.json"`)
	return e.JSON(http.StatusOK, l)
}

func heatmapMatrix(e *core.RequestEvent) (*coverage.Matrix, error) {
	f := coverageFilter(e)
	r, err := coverage.For(e.App).ResultFor(f)
	if err != nil {
		return nil, err
	}
	return r.Matrix(f), nil
}

func handleHeatmapSVG(e *core.RequestEvent) error {
	m, err := heatmapMatrix(e)
	if err != nil {
		return coverageError(e, err)
	}
	var buf bytes.Buffer
	if err := exports.HeatmapSVG(&buf, m, "ATT&CK coverage"); err != nil {
		return coverageError(e, err)
	}
	return e.Blob(http.StatusOK, "image/svg+xml", buf.Bytes())
}

func handleHeatmapPNG(e *core.RequestEvent) error {
	m, err := heatmapMatrix(e)
	if err != nil {
		return coverageError(e, err)
	}
	var buf bytes.Buffer
	if err := exports.HeatmapPNG(&buf, m); err != nil {
		return coverageError(e, err)
	}
	return e.Blob(http.StatusOK, "image/png", buf.Bytes())
}

func executiveFor(e *core.RequestEvent) (*report.Executive, error) {
	ex, err := report.BuildExecutiveFor(e.App, coverageFilter(e))
	if err != nil {
		if errors.Is(err, coverage.ErrNoActor) {
			return nil, e.NotFoundError("Threat actor not found.", nil)
		}
		return nil, coverageError(e, err)
	}
	return ex, nil
}

func handleExecutivePDF(e *core.RequestEvent) error {
	ex, err := executiveFor(e)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteExecutivePDF(&buf, ex); err != nil {
		return coverageError(e, err)
	}
	h := e.Response.Header()
	h.Set("Content-Disposition", `attachment; filename="aegis-executive-report-`+ex.GeneratedAt.Format("2006-01-02")+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	return e.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

func handleExecutiveReport(e *core.RequestEvent) error {
	ex, err := executiveFor(e)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteExecutive(&buf, ex); err != nil {
		return coverageError(e, err)
	}
	e.Response.Header().Set("Content-Security-Policy", report.ReportCSP)
	return e.HTML(http.StatusOK, buf.String())
}

// auditScope makes the audit export show what the records API shows the
// caller: the audit_logs list rule (blind tests stay hidden from blue) and
// the same enrich hooks (private values only for admins and their owner).
func auditScope(e *core.RequestEvent) (*exports.AuditScope, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(collections.AuditLogs)
	if err != nil {
		return nil, e.InternalServerError("", err)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, e.BadRequestError("", err)
	}
	if col.ListRule == nil && !info.HasSuperuserAuth() {
		return nil, e.ForbiddenError("Only superusers can export the audit log.", nil)
	}
	scope := &exports.AuditScope{Enrich: func(records []*core.Record) error { return apis.EnrichRecords(e, records) }}
	if !info.HasSuperuserAuth() && col.ListRule != nil && *col.ListRule != "" {
		rule := *col.ListRule
		scope.Scope = func(q *dbx.SelectQuery) error {
			resolver := core.NewRecordFieldResolver(e.App, col, info, true)
			expr, err := search.FilterData(rule).BuildExpr(resolver)
			if err != nil {
				return fmt.Errorf("audit list rule: %w", err)
			}
			q.AndWhere(expr)
			return resolver.UpdateQuery(q)
		}
	}
	return scope, nil
}
