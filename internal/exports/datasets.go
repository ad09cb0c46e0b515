package exports

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/vectr"
	"github.com/aegis-sec/aegis/internal/coverage"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Datasets lists what can be exported.
var Datasets = []string{"techniques", "tests", "rules", "controls", "actors", "audit", "vectr"}

// ErrUnknownDataset is returned for a dataset not in Datasets.
var ErrUnknownDataset = errors.New("unknown dataset")

// PageSize is how many rows each database page of a streamed export reads.
const PageSize = 500

// rowWriter writes rows in one format. Values are string, float64, int,
// bool or nil.
type rowWriter interface {
	header(cols []string) error
	row(vals []any) error
	flush() error
	close() error
}

// Export streams dataset in format ("csv" or "json") to w, reading the
// database page by page (keyset pagination on id) so memory stays flat
// whatever the size. Filters come from params (see DatasetFilters).
//
// hideUnrevealed leaves out the unrevealed tests of blind campaigns: set it
// for blue roles.
func Export(ctx context.Context, app core.App, dataset, format string, params url.Values, w io.Writer, hideUnrevealed bool) error {
	return ExportFor(ctx, app, dataset, format, params, w, Viewer{HideUnrevealed: hideUnrevealed})
}

// Viewer is who an export is for, so that it holds what the records API
// would show them and nothing more. The zero Viewer sees everything (the
// command line, run by whoever holds the data dir).
type Viewer struct {
	// HideUnrevealed leaves out the unrevealed tests of blind campaigns.
	HideUnrevealed bool
	// Audit scopes the audit dataset to the caller; nil exports every
	// entry with its private values (emails, IPs, typed identities).
	Audit *AuditScope
}

// AuditScope applies the audit_logs API rules and masking to an export.
type AuditScope struct {
	// Scope adds the collection's list rule, resolved for the caller, to
	// the query (the same condition the records API applies).
	Scope func(q *dbx.SelectQuery) error
	// Enrich masks records exactly as the records API does (it runs the
	// OnRecordEnrich hooks for the caller).
	Enrich func(records []*core.Record) error
}

// ExportFor is Export for viewer v.
func ExportFor(ctx context.Context, app core.App, dataset, format string, params url.Values, w io.Writer, v Viewer) error {
	hideUnrevealed := v.HideUnrevealed
	var rw rowWriter
	bw := bufio.NewWriterSize(w, 32<<10)
	switch format {
	case "csv":
		rw = newCSVWriter(bw, params.Get("bom") != "0")
	case "json":
		rw = &jsonWriter{w: bw}
	default:
		return fmt.Errorf("format %q: use csv or json", format)
	}
	var err error
	switch dataset {
	case "techniques":
		err = exportTechniques(app, params, rw, hideUnrevealed)
	case "actors":
		err = exportActors(app, rw, hideUnrevealed)
	case "tests":
		err = exportTests(ctx, app, params, rw, false, hideUnrevealed)
	case "vectr":
		err = exportTests(ctx, app, params, rw, true, hideUnrevealed)
	case "rules":
		err = exportRules(ctx, app, params, rw)
	case "controls":
		err = exportControls(ctx, app, params, rw, hideUnrevealed)
	case "audit":
		err = exportAudit(ctx, app, params, rw, v.Audit)
	default:
		return fmt.Errorf("%w %q: use one of %s", ErrUnknownDataset, dataset, strings.Join(Datasets, ", "))
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", dataset, err)
	}
	if err := rw.close(); err != nil {
		return err
	}
	return bw.Flush()
}

// DatasetFilters documents the query parameters each dataset accepts.
var DatasetFilters = map[string][]string{
	"techniques": {"domain", "level", "in_scope (1/0)", "tactic (shortname)"},
	"tests":      {"state", "campaign", "technique (ATT&CK id)", "prevention", "detection", "since", "until (validated_at, YYYY-MM-DD)"},
	"vectr":      {"campaign", "state", "technique"},
	"rules":      {"source", "status", "enabled (1/0)"},
	"controls":   {"framework (id or name)", "status"},
	"actors":     {},
	"audit":      {"collection", "action", "actor", "record_id", "since", "until (created, YYYY-MM-DD)"},
}

// SafeCell neutralises spreadsheet formulas: a text cell starting with = + -
// @ (or a tab or carriage return, which some spreadsheets skip before
// reading a formula) gets a leading apostrophe. Invalid UTF-8 is replaced.
func SafeCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

type csvWriter struct {
	w   *bufio.Writer
	c   *csv.Writer
	bom bool
	n   int
}

func newCSVWriter(w *bufio.Writer, bom bool) *csvWriter {
	c := csv.NewWriter(w)
	c.UseCRLF = true // RFC 4180, what spreadsheets expect
	return &csvWriter{w: w, c: c, bom: bom}
}

func (c *csvWriter) header(cols []string) error {
	if c.bom {
		// A UTF-8 byte-order mark makes Excel read the file as UTF-8.
		if _, err := c.w.WriteString("\ufeff"); err != nil {
			return err
		}
	}
	return c.c.Write(cols)
}

func (c *csvWriter) row(vals []any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case nil:
		case string:
			rec[i] = SafeCell(x)
		case float64:
			rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
		case int:
			rec[i] = strconv.Itoa(x)
		case bool:
			rec[i] = strconv.FormatBool(x)
		default:
			rec[i] = SafeCell(fmt.Sprint(x))
		}
	}
	c.n++
	if err := c.c.Write(rec); err != nil {
		return err
	}
	if c.n%PageSize == 0 {
		return c.flush()
	}
	return nil
}

func (c *csvWriter) flush() error { c.c.Flush(); return c.c.Error() }
func (c *csvWriter) close() error { return c.flush() }

type jsonWriter struct {
	w    *bufio.Writer
	cols []string
	n    int
}

func (j *jsonWriter) header(cols []string) error {
	j.cols = cols
	_, err := j.w.WriteString("[")
	return err
}

func (j *jsonWriter) row(vals []any) error {
	if j.n > 0 {
		if _, err := j.w.WriteString(",\n"); err != nil {
			return err
		}
	} else if _, err := j.w.WriteString("\n"); err != nil {
		return err
	}
	j.n++
	j.w.WriteByte('{')
	for i, c := range j.cols {
		if i > 0 {
			j.w.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		j.w.Write(k)
		j.w.WriteByte(':')
		v := vals[i]
		if s, ok := v.(string); ok && !utf8.ValidString(s) {
			v = strings.ToValidUTF8(s, "\uFFFD")
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		j.w.Write(b)
	}
	return j.w.WriteByte('}')
}

func (j *jsonWriter) flush() error { return nil }
func (j *jsonWriter) close() error {
	_, err := j.w.WriteString("\n]\n")
	return err
}

func fptr(p *float64) any {
	if p == nil {
		return nil
	}
	return coverage.RoundTo(*p, 4)
}

// The scored datasets (techniques, actors, controls) are scored as the
// caller sees the tests: without unrevealed blind tests for blue roles
// (hideUnrevealed), as the matrix and the dashboard are.

func exportTechniques(app core.App, p url.Values, rw rowWriter, hideUnrevealed bool) error {
	r, err := coverage.For(app).Result(coverage.Options{RevealedOnly: hideUnrevealed})
	if err != nil {
		return err
	}
	d := r.Data
	tacticName := map[string]string{}
	for _, t := range d.Tactics {
		tacticName[t.ID] = t.Shortname
	}
	if err := rw.header([]string{"attack_id", "name", "domain", "tactics", "is_subtechnique", "parent", "in_scope", "priority",
		"score", "level", "V", "R", "M", "procedures", "rules", "mitigations", "last_validated"}); err != nil {
		return err
	}
	domain, level, tactic := p.Get("domain"), p.Get("level"), p.Get("tactic")
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if t.Retired || (domain != "" && t.Domain != domain) {
			continue
		}
		sc := r.Effective(t.ID)
		if level != "" && sc.Level != level {
			continue
		}
		if s := p.Get("in_scope"); s != "" && (s == "1") != t.InScope {
			continue
		}
		var tactics []string
		for _, ta := range t.Tactics {
			tactics = append(tactics, tacticName[ta])
		}
		if tactic != "" && !contains(tactics, tactic) {
			continue
		}
		parent := ""
		if pt := d.TechniqueByID(t.Parent); pt != nil {
			parent = pt.AttackID
		}
		last := ""
		if sc.LastValidated != nil {
			last = sc.LastValidated.UTC().Format(time.RFC3339)
		}
		if err := rw.row([]any{t.AttackID, t.Name, t.Domain, strings.Join(tactics, ";"), t.IsSub, parent, t.InScope,
			t.Priority, coverage.RoundTo(sc.Score, 2), sc.Level, fptr(sc.V), fptr(sc.R), fptr(sc.M), sc.Procedures, sc.Rules,
			sc.Mitigations, last}); err != nil {
			return err
		}
	}
	return nil
}

func exportActors(app core.App, rw rowWriter, hideUnrevealed bool) error {
	r, err := coverage.For(app).Result(coverage.Options{RevealedOnly: hideUnrevealed})
	if err != nil {
		return err
	}
	if err := rw.header([]string{"attack_id", "name", "techniques", "score", "level", "validated", "good", "weak"}); err != nil {
		return err
	}
	list := r.Actors()
	sort.SliceStable(list, func(i, j int) bool { return list[i].Ref < list[j].Ref })
	for _, a := range list {
		if err := rw.row([]any{a.Ref, a.Name, a.Techniques, coverage.RoundTo(a.Score, 2), a.Level, a.Validated, a.Good, a.Weak}); err != nil {
			return err
		}
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// pager runs a keyset-paginated query: base must select "x.id AS id" first
// and contain a WHERE clause ending with conditions; pages follow id order.
func pager[T any](ctx context.Context, app core.App, base, idCol string, params dbx.Params, each func(*T) error, idOf func(*T) string) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := dbx.Params{"after": after, "limit": PageSize}
		for k, v := range params {
			p[k] = v
		}
		var page []T
		if err := app.DB().NewQuery(base + " ORDER BY " + idCol + " LIMIT {:limit}").Bind(p).All(&page); err != nil {
			return err
		}
		for i := range page {
			if err := each(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < PageSize {
			return nil
		}
		after = idOf(&page[len(page)-1])
	}
}

// dayRange adds the since/until parameters (days, inclusive) as conditions
// on column; a row whose column is empty never falls within an until.
func dayRange(p url.Values, where []string, params dbx.Params, column string) ([]string, error) {
	since, err := dayParam(p, "since", false)
	if err != nil {
		return where, err
	}
	until, err := dayParam(p, "until", true)
	if err != nil {
		return where, err
	}
	if since != "" {
		where, params["since"] = append(where, column+" >= {:since}"), since
	}
	if until != "" {
		where, params["until"] = append(where, column+" != '' AND "+column+" <= {:until}"), until
	}
	return where, nil
}

func dayParam(p url.Values, name string, endOfDay bool) (string, error) {
	v := p.Get(name)
	if v == "" {
		return "", nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return "", fmt.Errorf("%s must be YYYY-MM-DD", name)
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Millisecond)
	}
	return t.Format("2006-01-02 15:04:05.000Z"), nil
}

type testExportRow struct {
	ID          string `db:"id"`
	Name        string `db:"name"`
	AttackID    string `db:"attack_id"`
	Technique   string `db:"technique_name"`
	Tactic      string `db:"tactic"`
	Campaign    string `db:"campaign_name"`
	State       string `db:"state"`
	Platform    string `db:"platform"`
	Procedure   string `db:"procedure"`
	RedResult   string `db:"red_result"`
	Prevention  string `db:"prevention"`
	Detection   string `db:"detection"`
	Severity    string `db:"alert_severity"`
	ExecutedAt  string `db:"executed_at"`
	DetectedAt  string `db:"detected_at"`
	ValidatedAt string `db:"validated_at"`
	RedNotes    string `db:"red_notes"`
	BlueNotes   string `db:"blue_notes"`
	Tags        string `db:"tags"`
	Template    string `db:"template_name"`
	Command     string `db:"command"`
}

func exportTests(ctx context.Context, app core.App, p url.Values, rw rowWriter, vectr, hideUnrevealed bool) error {
	where := []string{"x.id > {:after}"}
	if hideUnrevealed {
		where = append(where, "x.revealed = 1")
	}
	params := dbx.Params{}
	for _, f := range []string{"state", "campaign", "prevention", "detection"} {
		if v := p.Get(f); v != "" {
			where = append(where, "x."+f+" = {:"+f+"}")
			params[f] = v
		}
	}
	if v := p.Get("technique"); v != "" {
		where = append(where, "t.attack_id = {:technique}")
		params["technique"] = strings.ToUpper(v)
	}
	where, err := dayRange(p, where, params, "x.validated_at")
	if err != nil {
		return err
	}
	base := `SELECT x.id AS id, x.name, coalesce(t.attack_id, x.technique_attack_id, '') AS attack_id, ifnull(t.name, '') AS technique_name,
		ifnull((SELECT ta.name FROM json_each(CASE WHEN json_valid(t.tactics) THEN t.tactics ELSE '[]' END) j
			JOIN tactics ta ON ta.id = j.value ORDER BY ta.matrix_order LIMIT 1), '') AS tactic,
		ifnull(c.name, '') AS campaign_name, x.state, x.platform, x.procedure, x.red_result, x.prevention, x.detection,
		x.alert_severity, x.executed_at, x.detected_at, x.validated_at, x.red_notes, x.blue_notes, ifnull(x.tags, '') AS tags,
		ifnull(tp.name, '') AS template_name, ifnull(json_extract(tp.executor, '$.command'), '') AS command
		FROM tests x LEFT JOIN techniques t ON t.id = x.technique LEFT JOIN campaigns c ON c.id = x.campaign
		LEFT JOIN test_templates tp ON tp.id = x.template WHERE ` + strings.Join(where, " AND ")
	if vectr {
		return exportVectr(ctx, app, base, params, rw)
	}
	if err := rw.header([]string{"id", "name", "technique", "technique_name", "tactic", "campaign", "state", "platform",
		"procedure", "red_result", "prevention", "detection", "alert_severity", "executed_at", "detected_at",
		"validated_at", "red_notes", "blue_notes", "tags"}); err != nil {
		return err
	}
	return pager(ctx, app, base, "x.id", params, func(r *testExportRow) error {
		return rw.row([]any{r.ID, r.Name, r.AttackID, r.Technique, r.Tactic, r.Campaign, r.State, r.Platform, r.Procedure,
			r.RedResult, r.Prevention, r.Detection, r.Severity, r.ExecutedAt, r.DetectedAt, r.ValidatedAt, r.RedNotes,
			r.BlueNotes, jsonList(r.Tags)})
	}, func(r *testExportRow) string { return r.ID })
}

// VectrColumns are the columns of VECTR's test case CSV.
var VectrColumns = []string{"Campaign", "Method", "Technique ID", "Variant", "Objective", "Phase", "Status",
	"Outcome", "Outcome Notes", "Command", "Description", "Attack Start", "Attack Stop", "Detection Time", "Tags"}

// VectrOutcome maps an Aegis outcome to VECTR's outcome names (the mapping
// the VECTR importers read back; see importers/vectr).
func VectrOutcome(state, prevention, detection string) string {
	return vectr.OutcomeName(state, prevention, detection)
}

// VectrStatus maps a workflow state to VECTR's test case status.
func VectrStatus(state string) string {
	switch state {
	case collections.StateValidated, collections.StateClosed:
		return "Completed"
	case collections.StateExecuting, collections.StateBlueReview:
		return "In Progress"
	case collections.StateCancelled:
		return "Not Performed"
	}
	return "Not Started"
}

func exportVectr(ctx context.Context, app core.App, base string, params dbx.Params, rw rowWriter) error {
	if err := rw.header(VectrColumns); err != nil {
		return err
	}
	return pager(ctx, app, base, "x.id", params, func(r *testExportRow) error {
		notes := strings.TrimSpace(strings.Join(nonEmpty(r.BlueNotes, outcomeNote(r)), "\n"))
		variant := r.Name
		if r.Template != "" {
			variant = r.Template
		}
		return rw.row([]any{r.Campaign, r.Technique, r.AttackID, variant, r.Name, r.Tactic, VectrStatus(r.State),
			VectrOutcome(r.State, r.Prevention, r.Detection), notes, r.Command, r.Procedure, vectrTime(r.ExecutedAt),
			vectrTime(r.ExecutedAt), vectrTime(r.DetectedAt), jsonList(r.Tags)})
	}, func(r *testExportRow) string { return r.ID })
}

func outcomeNote(r *testExportRow) string {
	if r.Prevention == "" && r.Detection == "" {
		return ""
	}
	return "prevention: " + coverage.OrDefault(r.Prevention, "-") + ", detection: " + coverage.OrDefault(r.Detection, "-")
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

func vectrTime(s string) string {
	t := coverage.ParseTime(s)
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// jsonList turns a JSON array of strings into "a;b".
func jsonList(s string) string {
	if s == "" || s == "null" {
		return ""
	}
	var xs []string
	if json.Unmarshal([]byte(s), &xs) != nil {
		return s
	}
	return strings.Join(xs, ";")
}

func exportRules(ctx context.Context, app core.App, p url.Values, rw rowWriter) error {
	type row struct {
		ID         string `db:"id"`
		Source     string `db:"source"`
		RuleID     string `db:"source_rule_id"`
		Title      string `db:"title"`
		Status     string `db:"status"`
		Severity   string `db:"severity"`
		Enabled    bool   `db:"enabled"`
		Removed    bool   `db:"removed"`
		Techniques string `db:"techniques"`
		Author     string `db:"author"`
		Path       string `db:"path"`
	}
	where := []string{"r.id > {:after}"}
	params := dbx.Params{}
	for _, f := range []string{"source", "status"} {
		if v := p.Get(f); v != "" {
			where, params[f] = append(where, "r."+f+" = {:"+f+"}"), v
		}
	}
	if v := p.Get("enabled"); v != "" {
		where, params["enabled"] = append(where, "r.enabled = {:enabled}"), v == "1"
	}
	base := `SELECT r.id AS id, r.source, r.source_rule_id, r.title, r.status, r.severity, r.enabled, r.removed,
		ifnull((SELECT group_concat(t.attack_id, ';') FROM json_each(CASE WHEN json_valid(r.techniques) THEN r.techniques ELSE '[]' END) j
			JOIN techniques t ON t.id = j.value), '') AS techniques, r.author, r.path
		FROM detection_rules r WHERE ` + strings.Join(where, " AND ")
	if err := rw.header([]string{"id", "source", "source_rule_id", "title", "status", "severity", "enabled", "removed",
		"techniques", "author", "path"}); err != nil {
		return err
	}
	return pager(ctx, app, base, "r.id", params, func(r *row) error {
		return rw.row([]any{r.ID, r.Source, r.RuleID, r.Title, r.Status, r.Severity, r.Enabled, r.Removed, r.Techniques, r.Author, r.Path})
	}, func(r *row) string { return r.ID })
}

func exportControls(ctx context.Context, app core.App, p url.Values, rw rowWriter, hideUnrevealed bool) error {
	type row struct {
		ID         string `db:"id"`
		Framework  string `db:"framework"`
		ControlID  string `db:"control_id"`
		Title      string `db:"title"`
		Family     string `db:"family"`
		Status     string `db:"status"`
		Techniques string `db:"techniques"`
	}
	where := []string{"c.id > {:after}"}
	params := dbx.Params{}
	if v := p.Get("framework"); v != "" {
		where, params["framework"] = append(where, "(c.framework = {:framework} OR f.name = {:framework})"), v
	}
	if v := p.Get("status"); v != "" {
		where, params["status"] = append(where, "c.status = {:status}"), v
	}
	base := `SELECT c.id AS id, ifnull(f.name, '') AS framework, c.control_id, c.title, c.family, c.status,
		ifnull((SELECT group_concat(t.attack_id, ';') FROM control_mappings m JOIN techniques t ON t.id = m.technique
			WHERE m.control = c.id), '') AS techniques
		FROM compliance_controls c LEFT JOIN compliance_frameworks f ON f.id = c.framework WHERE ` + strings.Join(where, " AND ")
	if err := rw.header([]string{"id", "framework", "control_id", "title", "family", "status", "techniques", "score", "level"}); err != nil {
		return err
	}
	r, err := coverage.For(app).Result(coverage.Options{RevealedOnly: hideUnrevealed})
	if err != nil {
		return err
	}
	return pager(ctx, app, base, "c.id", params, func(x *row) error {
		var members []*coverage.Score
		for _, a := range strings.Split(x.Techniques, ";") {
			if t := r.ByAttack[a]; t != nil {
				if sc := r.Effective(t.ID); sc != nil && sc.InScope {
					members = append(members, sc)
				}
			}
		}
		agg := coverage.Aggregate(r.Data.Settings, members)
		return rw.row([]any{x.ID, x.Framework, x.ControlID, x.Title, x.Family, x.Status, x.Techniques, coverage.RoundTo(agg.Score, 2),
			coverage.LevelOf(r.Data.Settings, agg.Score)})
	}, func(x *row) string { return x.ID })
}

func exportAudit(ctx context.Context, app core.App, p url.Values, rw rowWriter, scope *AuditScope) error {
	col, err := app.FindCachedCollectionByNameOrId("audit_logs")
	if err != nil {
		return err
	}
	where := []string{}
	params := dbx.Params{}
	for _, f := range []string{"collection", "action", "actor", "record_id"} {
		if v := p.Get(f); v != "" {
			where, params[f] = append(where, "[[audit_logs."+f+"]] = {:"+f+"}"), v
		}
	}
	where, err = dayRange(p, where, params, "[[audit_logs.created]]")
	if err != nil {
		return err
	}
	cols := []string{"id", "created", "actor", "actor_name", "actor_kind", "action", "collection", "record_id", "details", "ip"}
	if err := rw.header(cols); err != nil {
		return err
	}
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := app.RecordQuery(col).AndWhere(dbx.NewExp("[[audit_logs.id]] > {:after}", dbx.Params{"after": after}))
		if len(where) > 0 {
			q.AndWhere(dbx.NewExp(strings.Join(where, " AND "), params))
		}
		if scope != nil && scope.Scope != nil {
			if err := scope.Scope(q); err != nil {
				return err
			}
		}
		var page []*core.Record
		if err := q.OrderBy("audit_logs.id").Limit(PageSize).All(&page); err != nil {
			return err
		}
		if scope != nil && scope.Enrich != nil {
			if err := scope.Enrich(page); err != nil {
				return err
			}
		} else {
			for _, r := range page {
				audit.Present(r, true)
			}
		}
		for _, r := range page {
			shown := r.PublicExport()
			vals := make([]any, len(cols))
			for i, c := range cols {
				switch v := shown[c].(type) {
				case nil:
					vals[i] = ""
				case string:
					vals[i] = v
				case types.DateTime:
					vals[i] = v.String()
				default:
					raw, err := json.Marshal(v)
					if err != nil {
						return err
					}
					if s := string(raw); s != "null" {
						vals[i] = s
					} else {
						vals[i] = ""
					}
				}
			}
			if err := rw.row(vals); err != nil {
				return err
			}
		}
		if len(page) < PageSize {
			return nil
		}
		after = page[len(page)-1].Id
	}
}
