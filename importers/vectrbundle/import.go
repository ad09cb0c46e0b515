package vectrbundle

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/vectrtests"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/pocketbase/core"
)

// Metadata keys Aegis adds to the test cases it exports, so that an export
// read back gives exactly the same state and outcome (VECTR keeps and
// ignores metadata it does not know).
const (
	MetaState      = "aegis_state"
	MetaPrevention = "aegis_prevention"
	MetaDetection  = "aegis_detection"
)

// Tag prefixes of what VECTR has and Aegis keeps as test tags.
const (
	TagTactic   = "tactic:"   // the phase's ATT&CK tactic (shortname)
	TagPhase    = "phase:"    // a kill-chain phase that is no ATT&CK tactic
	TagRedTool  = "red-tool:" // a red product (tool) the test case uses
	TagExpected = "expected:" // an expected detection layer
	TagVectr    = "vectr"
)

// The owner is set when a campaign is created and kept afterwards: who
// re-imports a bundle does not change it.
var campaignColumns = []string{"name", "description", "status", "tags", "blind", "round", "import_key"}

var testColumns = []string{"name", "technique", "technique_attack_id", "campaign", "procedure", "state", "red_result",
	"prevention", "detection", "alert_severity", "blue_notes", "revealed", "tags", "import_key"}

// Import reads every VECTR bundle of src (.json, or a single file whatever
// its name, .json.gz included) and creates or updates campaigns and tests in
// one transaction, keyed by the objects' vectrId: re-importing the same
// bundle writes nothing, a changed bundle updates in place. A malformed
// bundle fails the whole import and nothing is written.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var bundles []*Bundle
	err := src.Walk(ctx, func(e source.Entry) error {
		body := bufio.NewReader(e.Body)
		if !strings.HasSuffix(strings.ToLower(e.Path), ".json") && !looksLikeJSON(body) {
			rep.Counts["files_skipped"]++ // a README or licence beside the bundles
			return nil
		}
		rep.Files++
		if opts.Progress != nil {
			opts.Progress("parse", rep.Files, 0)
		}
		b, err := Parse(body, DefaultLimits)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		bundles = append(bundles, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import vectr bundle %s: %w (nothing was imported)", src, err)
	}
	if len(bundles) == 0 {
		return nil, fmt.Errorf("import vectr bundle %s: %w: no .json file found", src, ErrNotBundle)
	}
	for _, b := range bundles {
		for t, n := range b.Counts {
			rep.Counts["objects:"+t] += n
		}
		for k, n := range b.Unknown {
			rep.Counts["unknown_"+k] += n
			if strings.HasPrefix(k, "type:") {
				rep.Counts["unknown_objects"] += n
			} else {
				rep.Counts["unknown_fields"] += n
			}
		}
	}
	err = store.Commit(ctx, app, rep, opts, collections.Tests, func(tx core.App, details map[string]any) error {
		err := write(ctx, tx, bundles, rep, opts)
		details["unknown_techniques"] = rep.Counts["unknown_techniques"]
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import vectr bundle %s: %w (nothing was imported)", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

// looksLikeJSON peeks at the start of a file without a .json name (an
// upload named "bundle" or "export.txt"): a JSON object is read as a bundle.
func looksLikeJSON(r *bufio.Reader) bool {
	for i := 0; i < 64; i++ {
		b, err := r.Peek(i + 1)
		if err != nil {
			return false
		}
		switch c := b[i]; c {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xef, 0xbb, 0xbf: // a UTF-8 byte-order mark
			continue
		default:
			return c == '{'
		}
	}
	return false
}

// plannedTest is one test case placed in one campaign.
type plannedTest struct {
	campaignKey string
	tc          TestCase
	bundle      *Bundle
}

type plannedCampaign struct {
	key, name, description string
	tags                   []string
	states                 []string
}

func write(ctx context.Context, tx core.App, bundles []*Bundle, rep *importers.Report, opts importers.Options) error {
	techniques, err := store.LoadTechniques(tx)
	if err != nil {
		return err
	}
	tactics, err := loadTactics(tx)
	if err != nil {
		return err
	}
	owner := vectrtests.Owner(tx, opts.Actor)
	camps, order, tests := plan(bundles, rep)

	// Map every test first: campaign status summarises its tests.
	rows := make([]map[string]any, len(tests))
	outcomes := make([][2]string, len(tests))
	unknown := map[string]int{}
	for i, pt := range tests {
		row, prev, det := mapTest(pt, techniques, tactics, rep, unknown)
		rows[i], outcomes[i] = row, [2]string{prev, det}
		camps[pt.campaignKey].states = append(camps[pt.campaignKey].states, row["state"].(string))
	}
	campaignIDs, err := vectrtests.WriteCampaigns(tx, campaignColumns, owner, order, func(key string) map[string]any {
		c := camps[key]
		return map[string]any{"name": c.name, "description": c.description, "status": vectrtests.CampaignStatus(c.states),
			"tags": c.tags, "blind": false, "round": 1}
	}, rep)
	if err != nil {
		return err
	}
	tw, err := vectrtests.NewTestWriter(tx, opts.Actor, testColumns, rep)
	if err != nil {
		return err
	}
	defer tw.Close()
	for i, row := range rows {
		if err := store.Tick(ctx, opts.Progress, i, len(rows), 128); err != nil {
			return err
		}
		row["campaign"] = campaignIDs[tests[i].campaignKey]
		if _, err := tw.Put(row, outcomes[i][0], outcomes[i][1]); err != nil {
			return err
		}
	}
	store.SkipUnknown(rep, unknown, vectrtests.UnknownReason)
	return nil
}

// plan places the test cases of the bundles in campaigns: the campaigns
// that list them, and one campaign per bundle for those no campaign lists.
func plan(bundles []*Bundle, rep *importers.Report) (map[string]*plannedCampaign, []string, []plannedTest) {
	camps := map[string]*plannedCampaign{}
	var order []string
	var tests []plannedTest
	for _, b := range bundles {
		groupOf := map[string]Group{}
		for _, g := range b.Groups {
			for _, id := range g.AssessmentIDs {
				groupOf[id] = g
			}
		}
		byID := map[string]TestCase{}
		for _, tc := range b.TestCases {
			byID[tc.VectrID] = tc
		}
		placed := map[string]bool{}
		for _, c := range b.Campaigns {
			key := campaignKey(c.VectrID)
			if camps[key] == nil {
				order = append(order, key)
			}
			camps[key] = newCampaign(key, c, groupOf)
			for _, id := range c.TestCaseIDs {
				tc, ok := byID[id]
				if !ok {
					rep.Counts["missing_testcases"]++
					continue
				}
				placed[id] = true
				tests = append(tests, plannedTest{campaignKey: key, tc: tc, bundle: b})
			}
		}
		// Test cases no campaign lists go to one campaign of their own.
		for _, tc := range b.TestCases {
			if placed[tc.VectrID] {
				continue
			}
			key := campaignKey("unplaced:" + orDefault(b.ID, "bundle"))
			if camps[key] == nil {
				order = append(order, key)
				camps[key] = &plannedCampaign{key: key, name: "VECTR test cases without a campaign",
					description: "Test cases of VECTR bundle " + b.ID + " that no campaign lists.", tags: []string{TagVectr}}
			}
			tests = append(tests, plannedTest{campaignKey: key, tc: tc, bundle: b})
		}
	}
	return camps, order, tests
}

// newCampaign is the campaign of a bundle campaign, tagged with its
// assessment group.
func newCampaign(key string, c Campaign, groupOf map[string]Group) *plannedCampaign {
	pc := &plannedCampaign{key: key, name: orDefault(c.Name, "VECTR campaign "+c.VectrID),
		description: c.Description, tags: []string{TagVectr}}
	if g, ok := groupOf[c.VectrID]; ok && g.Name != "" {
		pc.tags = append(pc.tags, g.Name)
		if pc.description == "" {
			pc.description = "Part of the VECTR assessment group " + g.Name + "."
		}
	}
	return pc
}

// mapTest turns a test case into the values of its test and returns the
// outcome it carries.
func mapTest(pt plannedTest, techniques *store.Index, tactics *tacticIndex, rep *importers.Report, unknown map[string]int) (map[string]any, string, string) {
	tc, red, blue := pt.tc, pt.tc.RedTeam, pt.tc.BlueTeam
	attackID := strings.ToUpper(strings.TrimSpace(red.MitreID))
	technique := techniques.ID(attackID)
	if technique == "" {
		unknown[orDefault(attackID, "(none)")]++
	}
	name := firstNonEmpty(red.Variant, red.Method, tc.Name, attackID, "VECTR test case "+tc.VectrID)
	if len(name) > 500 {
		name = name[:500]
	}

	performed := red.Status != "" && !strings.EqualFold(strings.ReplaceAll(red.Status, " ", ""), vectrtests.StatusNotPerformed)
	var prevention, detection, redResult string
	if performed {
		for _, o := range blue.Outcomes {
			p, d, r, err := vectrtests.MapOutcome(o)
			if err != nil {
				rep.Counts["unknown_outcomes"]++
				continue
			}
			prevention, detection = workflow.BestPrevention(prevention, p), workflow.BestDetection(detection, d)
			if redResult == "" {
				redResult = r
			}
		}
		if alert, ok := vectrtests.MapYesNo(blue.AlertTriggered); ok && alert {
			detection = workflow.BestDetection(detection, "general")
		}
		if logged, ok := vectrtests.MapYesNo(blue.ActivityLogged); ok && logged {
			detection = workflow.BestDetection(detection, "telemetry")
		}
		// An Aegis export says exactly what it meant.
		if p := Meta(blue.Metadata, MetaPrevention); contains(collections.PreventionOutcomes, p) {
			prevention = p
		}
		if d := Meta(blue.Metadata, MetaDetection); contains(collections.DetectionOutcomes, d) {
			detection = d
		}
	}
	state := vectrtests.StateFromStatus(red.Status)
	if s := Meta(red.Metadata, MetaState); contains(collections.TestStates, s) {
		state = s
	}
	recorded := prevention != "" || detection != ""
	switch {
	case recorded && state != collections.StateClosed:
		state = collections.StateValidated
	case !recorded && (state == collections.StateValidated || state == collections.StateClosed):
		state = collections.StateBlueReview
	}
	if redResult == "" && (recorded || state == collections.StateBlueReview) {
		redResult = "executed"
	}
	severity := ""
	if recorded {
		severity = vectrtests.MapSeverity(blue.AlertSeverity)
	}

	tags := []string{TagVectr}
	if ph, ok := pt.bundle.Phases[tc.PhaseID]; ok {
		if sn := tactics.pick(technique, ph.MitreTactics); sn != "" {
			tags = append(tags, TagTactic+sn)
		} else if ph.Name != "" {
			tags = append(tags, TagPhase+ph.Name)
		}
	}
	for _, id := range red.RedTeamProductIDs {
		if n := pt.bundle.RedProducts[id]; n != "" {
			tags = append(tags, TagRedTool+n)
		}
	}
	for _, id := range blue.ExpectedDetectionLayerIDs {
		if n := pt.bundle.Layers[id]; n != "" {
			tags = append(tags, TagExpected+n)
		}
	}
	tags = uniqSorted(tags)

	return map[string]any{
		"name": name, "technique": technique, "technique_attack_id": attackID, "procedure": procedure(red),
		"state": state, "red_result": redResult, "prevention": prevention, "detection": detection,
		"alert_severity": severity, "blue_notes": blueNotes(blue), "revealed": true, "tags": tags,
		"import_key": testKey(pt.campaignKey, tc.VectrID),
	}, prevention, detection
}

// procedure is the objective and the command, markdown kept, then the
// references as a list.
func procedure(red RedTeam) string {
	parts := []string{}
	if s := strings.TrimSpace(red.Objective); s != "" {
		parts = append(parts, s)
	}
	if s := strings.TrimSpace(red.Command); s != "" {
		parts = append(parts, s)
	}
	if len(red.References) > 0 {
		var b strings.Builder
		b.WriteString("References:\n")
		for _, r := range red.References {
			if r = strings.TrimSpace(r); r != "" {
				b.WriteString("\n- " + r)
			}
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "\n\n")
}

func blueNotes(blue BlueTeam) string {
	notes := strings.TrimSpace(blue.OutcomeNotes)
	for _, d := range blue.Detections {
		line := detectionText(d)
		if line == "" {
			continue
		}
		if notes != "" {
			notes += "\n"
		}
		notes += "Detection: " + line
	}
	return notes
}

// detectionText renders one entry of blueTeam.detections: a string, or an
// object's name/description, or its compact JSON.
func detectionText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var o map[string]any
	if json.Unmarshal(raw, &o) == nil {
		for _, k := range []string{"name", "description", "detection", "notes"} {
			if v, ok := o[k].(string); ok && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

func campaignKey(vectrID string) string { return "vectr-bundle:campaign:" + vectrID }

func testKey(campaignKey, vectrID string) string {
	return "vectr-bundle:" + strings.TrimPrefix(campaignKey, "vectr-bundle:campaign:") + ":" + vectrID
}

// tacticIndex knows each technique's tactics (by shortname).
type tacticIndex struct {
	ofTechnique map[string][]string // technique record id → tactic shortnames
}

func loadTactics(tx core.App) (*tacticIndex, error) {
	var rows []struct {
		ID        string `db:"id"`
		Shortname string `db:"shortname"`
	}
	if err := tx.DB().NewQuery("SELECT [[id]], [[shortname]] FROM {{tactics}}").All(&rows); err != nil {
		return nil, fmt.Errorf("read tactics: %w", err)
	}
	short := map[string]string{}
	for _, r := range rows {
		short[r.ID] = r.Shortname
	}
	var techs []struct {
		ID      string `db:"id"`
		Tactics string `db:"tactics"`
	}
	if err := tx.DB().NewQuery("SELECT [[id]], [[tactics]] FROM {{techniques}}").All(&techs); err != nil {
		return nil, fmt.Errorf("read technique tactics: %w", err)
	}
	idx := &tacticIndex{ofTechnique: make(map[string][]string, len(techs))}
	for _, t := range techs {
		var ids []string
		if json.Unmarshal([]byte(t.Tactics), &ids) != nil {
			continue
		}
		for _, id := range ids {
			if s := short[id]; s != "" {
				idx.ofTechnique[t.ID] = append(idx.ofTechnique[t.ID], s)
			}
		}
	}
	return idx, nil
}

// pick returns the phase's tactic (CREDENTIAL_ACCESS → credential-access)
// when the technique has it, else the first of the phase's tactics when the
// technique is unknown, else "".
func (x *tacticIndex) pick(technique string, mitreTactics []string) string {
	have := x.ofTechnique[technique]
	for _, mt := range mitreTactics {
		sn := TacticShortname(mt)
		if technique == "" || contains(have, sn) {
			return sn
		}
	}
	return ""
}

// TacticShortname maps VECTR's tactic names (COMMAND_AND_CONTROL) to
// ATT&CK shortnames (command-and-control).
func TacticShortname(mitreTactic string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(mitreTactic), "_", "-"))
}

// MitreTactic is the inverse of TacticShortname.
func MitreTactic(shortname string) string {
	return strings.ToUpper(strings.ReplaceAll(shortname, "-", "_"))
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if s := strings.TrimSpace(x); s != "" {
			return s
		}
	}
	return ""
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func uniqSorted(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out[1:]) // "vectr" first, the rest sorted
	return out
}
