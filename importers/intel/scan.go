package intel

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// ScanWindow is how far back the weekly scan looks for newly seen techniques.
const ScanWindow = 7 * 24 * time.Hour

// ScanResult says what a scan found.
type ScanResult struct {
	NewTechniques []string `json:"new_techniques"` // ATT&CK ids first seen in intel within the window
	LowCoverage   []string `json:"low_coverage"`   // of those, the poorly covered ones
	// PriorityReports are reports of the window whose title or summary
	// names one of the settings' intel_keywords; the low-coverage
	// techniques they mention come first and are flagged.
	PriorityReports    []PriorityReport `json:"priority_reports"`
	PriorityTechniques []string         `json:"priority_techniques"`
	Inbox              *InboxResult     `json:"inbox,omitempty"`
	Notified           int              `json:"notified"` // users notified
}

// PriorityReport is a report a keyword raised.
type PriorityReport struct {
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Keywords   []string `json:"keywords"`
}

// LowCoverage reports, for technique record ids, which are poorly covered:
// their coverage score (the scoring engine's, roll-up for a parent) is
// below the low threshold of settings.scoring (level none or low). It is
// the one place that decides.
func LowCoverage(app core.App, techniqueIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(techniqueIDs) == 0 {
		return out, nil
	}
	r, err := coverage.For(app).Result(coverage.Options{})
	if err != nil {
		return nil, fmt.Errorf("low coverage: %w", err)
	}
	low := r.Data.Settings.LevelLow
	for _, id := range techniqueIDs {
		sc := r.Effective(id)
		if sc == nil || !sc.InScope {
			continue // retired, unknown or out of scope: nothing to tell
		}
		if sc.Score < low {
			out[id] = true
		}
	}
	return out, nil
}

// Keywords reads the settings' intel_keywords (trimmed, lower-case, no
// empties).
func Keywords(app core.App) []string {
	var raw string
	_ = app.DB().NewQuery("SELECT COALESCE(intel_keywords, '[]') FROM {{settings}} WHERE key = 'default' LIMIT 1").Row(&raw)
	var list []string
	if json.Unmarshal([]byte(raw), &list) != nil {
		return nil
	}
	var out []string
	for _, k := range list {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// matchKeywords lists the keywords text contains (case-insensitive).
func matchKeywords(text string, keywords []string) []string {
	low := strings.ToLower(text)
	var out []string
	for _, k := range keywords {
		if strings.Contains(low, k) {
			out = append(out, k)
		}
	}
	return out
}

// Scan finds techniques that intel reports mention for the first time since
// `since` and notifies the red and blue leads of those with low coverage.
func Scan(ctx context.Context, app core.App, since time.Time) (*ScanResult, error) {
	var rows []struct {
		Tech     string `db:"tech"`
		AttackID string `db:"attack_id"`
		First    string `db:"first"`
	}
	from, err := types.ParseDateTime(since.UTC())
	if err != nil {
		return nil, fmt.Errorf("intel scan: %w", err)
	}
	err = app.DB().NewQuery(`SELECT j.value AS tech, t.attack_id AS attack_id, MIN(r.created) AS first
		FROM {{intel_reports}} r, json_each(r.techniques) j JOIN {{techniques}} t ON t.id = j.value
		GROUP BY j.value HAVING MIN(r.created) >= {:since}`).
		Bind(dbx.Params{"since": from.String()}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("intel scan: %w", err)
	}
	res := &ScanResult{NewTechniques: []string{}, LowCoverage: []string{}}
	ids := make([]string, 0, len(rows))
	attack := map[string]string{}
	for _, r := range rows {
		ids = append(ids, r.Tech)
		attack[r.Tech] = r.AttackID
		res.NewTechniques = append(res.NewTechniques, r.AttackID)
	}
	low, err := LowCoverage(app, ids)
	if err != nil {
		return nil, err
	}
	// Keywords raise the reports of the window that name them, and the
	// low-coverage techniques those reports mention.
	res.PriorityReports, res.PriorityTechniques = []PriorityReport{}, []string{}
	if kws := Keywords(app); len(kws) > 0 {
		var reps []struct {
			Ext     string `db:"external_id"`
			Title   string `db:"title"`
			Summary string `db:"summary"`
			Techs   string `db:"techniques"`
		}
		if err := app.DB().NewQuery(`SELECT external_id, title, summary, COALESCE(techniques, '[]') AS techniques
			FROM {{intel_reports}} WHERE created >= {:since} ORDER BY title, external_id`).
			Bind(dbx.Params{"since": from.String()}).All(&reps); err != nil {
			return nil, fmt.Errorf("intel scan: %w", err)
		}
		prio := map[string]bool{}
		for _, rp := range reps {
			m := matchKeywords(rp.Title+"\n"+rp.Summary, kws)
			if len(m) == 0 {
				continue
			}
			res.PriorityReports = append(res.PriorityReports, PriorityReport{ExternalID: rp.Ext, Title: rp.Title, Keywords: m})
			var techs []string
			_ = json.Unmarshal([]byte(rp.Techs), &techs)
			for _, t := range techs {
				if low[t] && !prio[t] {
					prio[t] = true
					res.PriorityTechniques = append(res.PriorityTechniques, attack[t])
				}
			}
		}
		sort.Strings(res.PriorityTechniques)
	}
	for id := range low {
		res.LowCoverage = append(res.LowCoverage, attack[id])
	}
	sort.Strings(res.NewTechniques)
	// Priority techniques first, then the others, each in id order.
	isPrio := map[string]bool{}
	for _, t := range res.PriorityTechniques {
		isPrio[t] = true
	}
	sort.Slice(res.LowCoverage, func(i, j int) bool {
		a, b := res.LowCoverage[i], res.LowCoverage[j]
		if isPrio[a] != isPrio[b] {
			return isPrio[a]
		}
		return a < b
	})
	if len(res.LowCoverage) == 0 || ctx.Err() != nil {
		return res, ctx.Err()
	}
	list := res.LowCoverage
	more := ""
	if len(list) > 25 {
		more = fmt.Sprintf(" and %d more", len(list)-25)
		list = list[:25]
	}
	title := fmt.Sprintf("%d technique(s) new in threat intel with low coverage", len(res.LowCoverage))
	body := "Newly reported in intel and below the low coverage threshold: " + strings.Join(list, ", ") + more + "."
	if len(res.PriorityTechniques) > 0 {
		title = fmt.Sprintf("Priority: %d technique(s) from reports matching your intel keywords have low coverage", len(res.PriorityTechniques))
		var names []string
		for _, p := range res.PriorityReports {
			names = append(names, fmt.Sprintf("%q (%s)", p.Title, strings.Join(p.Keywords, ", ")))
		}
		body = "Reports matching your keywords: " + strings.Join(names[:min(5, len(names))], "; ") + ". First: " +
			strings.Join(res.PriorityTechniques[:min(25, len(res.PriorityTechniques))], ", ") + ". " + body
	}
	err = app.RunInTransaction(func(tx core.App) error {
		n, err := notify.Role(tx, notify.Message{
			Kind:  "intel_low_coverage",
			Title: title,
			Body:  body,
			Link:  "/intel",
		}, collections.RoleRedLead, collections.RoleBlueLead)
		res.Notified = n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("intel scan: notify: %w", err)
	}
	return res, nil
}

// ScanJob is the weekly intel scan: techniques first seen in intel over
// the last ScanWindow with low coverage are sent to the leads. It returns
// the stats a job run records.
func ScanJob(ctx context.Context, app core.App) (map[string]any, error) {
	// Reports dropped into the inbox folder (an air-gapped drop box) are
	// imported first, so this scan already sees them.
	inbox, err := ImportInbox(ctx, app, InboxDir(app))
	if err != nil {
		return nil, err
	}
	res, err := Scan(ctx, app, time.Now().Add(-ScanWindow))
	if err != nil {
		return nil, err
	}
	res.Inbox = inbox
	return map[string]any{"new_techniques": len(res.NewTechniques), "low_coverage": res.LowCoverage, "notified": res.Notified,
		"priority_reports": len(res.PriorityReports), "priority_techniques": res.PriorityTechniques,
		"inbox_imported": len(inbox.Imported), "inbox_failed": len(inbox.Failed)}, nil
}
