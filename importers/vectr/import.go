package vectr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/vectrtests"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Kind is the import kind of VECTR CSV exports.
const Kind = "vectr"

var campaignColumns = []string{"name", "description", "status", "start_at", "end_at", "tags", "blind", "round", "owner", "import_key"}

var testColumns = []string{"name", "technique", "campaign", "procedure", "state", "red_result", "executed_at",
	"prevention", "detection", "detected_at", "alert_severity", "red_notes", "blue_notes", "revealed",
	"validated_at", "tags", "technique_attack_id", "import_key"}

type pending struct {
	path string
	tc   TestCase
	key  string
}

// Import reads every .csv file of src (a single file whatever its name) and
// creates or updates campaigns and tests in one transaction. Rows whose
// technique is not in the ATT&CK catalogue are skipped with the reason (a
// test needs a technique); unreadable rows are FileErrors.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var rows []pending
	occurrence := map[string]int{}
	err := src.Walk(ctx, func(e source.Entry) error {
		if !strings.HasSuffix(strings.ToLower(e.Path), ".csv") && strings.Contains(e.Path, "/") {
			return nil
		}
		rep.Files++
		tcs, bad, err := ParseCSV(e.Body)
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		for _, b := range bad {
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path, Error: fmt.Sprintf("line %d: %s", b.Line, b.Error)})
		}
		for _, tc := range tcs {
			base := strings.ToLower(tc.Campaign) + "\x00" + tc.TechniqueID + "\x00" + strings.ToLower(tc.Name)
			occurrence[base]++
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", base, occurrence[base])))
			rows = append(rows, pending{path: e.Path, tc: tc, key: "vectr:" + hex.EncodeToString(sum[:12])})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import vectr %s: %w", src, err)
	}
	rep.Counts["rows"] = len(rows)

	err = store.Commit(ctx, app, rep, opts, collections.Tests, func(tx core.App, details map[string]any) error {
		err := write(ctx, tx, rows, rep, opts)
		details["skipped"] = len(rep.Skipped)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import vectr %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

type campaignAgg struct {
	name, description string
	start, end        time.Time
	tags              map[string]bool
	states            []string
}

func write(ctx context.Context, tx core.App, rows []pending, rep *importers.Report, opts importers.Options) error {
	techniques, err := store.LoadTechniques(tx)
	if err != nil {
		return err
	}
	owner := vectrtests.Owner(tx, opts.Actor)
	// Campaigns first: their status and dates summarise their rows.
	camps, order := aggregateCampaigns(rows)
	campaignIDs, err := vectrtests.WriteCampaigns(tx, campaignColumns, owner, order, func(ck string) map[string]any {
		c := camps[ck]
		tags := make([]string, 0, len(c.tags))
		for t := range c.tags {
			tags = append(tags, t)
		}
		sort.Strings(tags)
		return map[string]any{"name": c.name, "description": c.description, "status": vectrtests.CampaignStatus(c.states),
			"start_at": dt(c.start), "end_at": dt(c.end), "tags": tags, "blind": false, "round": 1, "owner": owner}
	}, rep)
	if err != nil {
		return err
	}
	tw, err := vectrtests.NewTestWriter(tx, opts.Actor, testColumns, rep)
	if err != nil {
		return err
	}
	defer tw.Close()
	unknown := map[string]int{}
	for i, p := range rows {
		if err := store.Tick(ctx, opts.Progress, i, len(rows), 256); err != nil {
			return err
		}
		tech := techniques.ID(p.tc.TechniqueID)
		if tech == "" {
			unknown[p.tc.TechniqueID]++
		}
		row, prevention, detection := testRow(p, tech, campaignIDs[campaignKey(p.tc.Campaign)])
		if _, err := tw.Put(row, prevention, detection); err != nil {
			return err
		}
		if row["state"] == collections.StateValidated && prevention != "blocked" && (detection == "none" || detection == "telemetry") {
			rep.Counts["missed"]++ // gaps; findings are opened by the workflow, not by a migration
		}
	}
	store.SkipUnknown(rep, unknown, vectrtests.UnknownReason)
	return nil
}

// aggregateCampaigns groups the rows by campaign (in first-seen order).
func aggregateCampaigns(rows []pending) (map[string]*campaignAgg, []string) {
	camps := map[string]*campaignAgg{}
	var order []string
	for _, p := range rows {
		ck := campaignKey(p.tc.Campaign)
		c := camps[ck]
		if c == nil {
			c = &campaignAgg{name: p.tc.Campaign, tags: map[string]bool{"vectr": true}}
			camps[ck] = c
			order = append(order, ck)
		}
		if p.tc.Assessment != "" {
			c.tags[p.tc.Assessment] = true
			c.description = "Imported from VECTR assessment " + p.tc.Assessment
		}
		for _, ts := range []time.Time{p.tc.Start, p.tc.Stop} {
			if ts.IsZero() {
				continue
			}
			if c.start.IsZero() || ts.Before(c.start) {
				c.start = ts
			}
			if ts.After(c.end) {
				c.end = ts
			}
		}
		c.states = append(c.states, testState(p.tc))
	}
	return camps, order
}

// testRow is the tests row of one VECTR test case, with the prevention and
// detection results it carries.
func testRow(p pending, technique, campaign string) (map[string]any, string, string) {
	tc := p.tc
	prevention, detection, redResult, _ := vectrtests.MapOutcome(tc.Outcome)
	state := testState(tc)
	if state == collections.StateBlueReview || state == collections.StateExecuting {
		redResult = "executed"
	}
	executed := tc.Start
	if executed.IsZero() {
		executed = tc.Stop
	}
	if redResult == "" {
		executed = time.Time{}
	}
	var validated time.Time
	if state == collections.StateValidated {
		validated = firstSet(tc.Stop, tc.Detected, tc.Start)
	}
	severity := tc.AlertSeverity
	if !contains(collections.Severities, severity) {
		severity = ""
	}
	return map[string]any{
		"name": tc.Name, "technique": technique, "campaign": campaign,
		"procedure": tc.Description, "state": state, "red_result": redResult, "executed_at": dt(executed),
		"prevention": prevention, "detection": detection, "detected_at": dt(tc.Detected),
		"alert_severity": severity, "red_notes": tc.RedNotes, "blue_notes": tc.BlueNotes,
		"revealed": true, "validated_at": dt(validated), "tags": append([]string{"vectr"}, tc.Tags...),
		"technique_attack_id": tc.TechniqueID, "import_key": p.key,
	}, prevention, detection
}

// testState derives the workflow state of an imported test: validated when
// VECTR recorded an outcome; otherwise from VECTR's status.
func testState(tc TestCase) string {
	if p, _, _, _ := vectrtests.MapOutcome(tc.Outcome); p != "" {
		return collections.StateValidated
	}
	return vectrtests.StateFromStatus(tc.Status)
}

func campaignKey(name string) string {
	return "vectr:campaign:" + strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// dt formats a time as PocketBase stores dates; zero stays empty.
func dt(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	d, _ := types.ParseDateTime(t.UTC())
	return d
}

func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OutcomeName is the VECTR outcome of a test in a workflow state with its
// prevention and detection results (what the exports write).
func OutcomeName(state, prevention, detection string) string {
	return vectrtests.OutcomeName(state, prevention, detection)
}
