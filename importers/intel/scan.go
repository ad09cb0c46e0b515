package intel

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
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
	Notified      int      `json:"notified"`       // users notified
}

// LowCoverage reports, for technique record ids, which are poorly covered:
// no validated test and no enabled, non-removed detection rule. It is the
// one place that decides; the scoring engine's level can replace it.
func LowCoverage(app core.App, techniqueIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(techniqueIDs) == 0 {
		return out, nil
	}
	covered := map[string]bool{}
	ids := make([]any, len(techniqueIDs))
	for i, id := range techniqueIDs {
		ids[i] = id
	}
	var tested []string
	if err := app.DB().Select("technique").Distinct(true).From(collections.Tests).
		Where(dbx.In("technique", ids...)).AndWhere(dbx.In("state", collections.StateValidated, collections.StateClosed)).Column(&tested); err != nil {
		return nil, fmt.Errorf("low coverage: tests: %w", err)
	}
	for _, t := range tested {
		covered[t] = true
	}
	var ruled []string
	if err := app.DB().NewQuery(`SELECT DISTINCT j.value FROM {{detection_rules}} r, json_each(r.techniques) j
		WHERE r.enabled = TRUE AND r.removed = FALSE`).Column(&ruled); err != nil {
		return nil, fmt.Errorf("low coverage: rules: %w", err)
	}
	for _, t := range ruled {
		covered[t] = true
	}
	for _, id := range techniqueIDs {
		if !covered[id] {
			out[id] = true
		}
	}
	return out, nil
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
	for id := range low {
		res.LowCoverage = append(res.LowCoverage, attack[id])
	}
	sort.Strings(res.NewTechniques)
	sort.Strings(res.LowCoverage)
	if len(res.LowCoverage) == 0 || ctx.Err() != nil {
		return res, ctx.Err()
	}
	list := res.LowCoverage
	more := ""
	if len(list) > 25 {
		more = fmt.Sprintf(" and %d more", len(list)-25)
		list = list[:25]
	}
	err = app.RunInTransaction(func(tx core.App) error {
		n, err := notify.Role(tx, notify.Message{
			Kind:  "intel_low_coverage",
			Title: fmt.Sprintf("%d technique(s) new in threat intel with low coverage", len(res.LowCoverage)),
			Body:  "Newly reported in intel and neither validated by a test nor detected by an enabled rule: " + strings.Join(list, ", ") + more + ".",
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
	res, err := Scan(ctx, app, time.Now().Add(-ScanWindow))
	if err != nil {
		return nil, err
	}
	return map[string]any{"new_techniques": len(res.NewTechniques), "low_coverage": res.LowCoverage, "notified": res.Notified}, nil
}
