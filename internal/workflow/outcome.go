package workflow

import (
	"fmt"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// rank orders outcomes: lower is better (the enums list the best first).
func rank(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return len(list)
}

// BestPrevention returns the better of two prevention outcomes ("" loses).
func BestPrevention(a, b string) string {
	if a == "" || (b != "" && rank(c.PreventionOutcomes, b) < rank(c.PreventionOutcomes, a)) {
		return b
	}
	return a
}

// BestDetection returns the better of two detection outcomes ("" loses).
func BestDetection(a, b string) string {
	if a == "" || (b != "" && rank(c.DetectionOutcomes, b) < rank(c.DetectionOutcomes, a)) {
		return b
	}
	return a
}

// OutcomeUnconfirmed reports a test whose outcome was read in from a file
// by someone who is not a blue lead or an admin and that nobody of those
// roles has confirmed yet: it is shown, but it does not count as validated.
// A superuser's confirmation (no user id) is recorded by its time.
func OutcomeUnconfirmed(test *core.Record) bool {
	t := c.AsTest(test)
	return t.OutcomeImported() && t.OutcomeConfirmedBy() == "" &&
		t.OutcomeConfirmedAt().IsZero()
}

// Missed reports an outcome with no block and no alert: it opens a finding.
func Missed(prevention, detection string) bool {
	return prevention != "blocked" && (detection == "none" || detection == "telemetry")
}

// Passed reports an outcome good enough to resolve earlier findings: blocked,
// or an alert at general, tactic or technique level.
func Passed(prevention, detection string) bool {
	return prevention == "blocked" || detection == "general" || detection == "tactic" || detection == "technique"
}

// record validates and applies the blue outcome: the overall prevention and
// detection are the best of the explicit values and every tool's result.
func record(tx core.App, actor Actor, test *core.Record, in Input) (change, error) {
	t := c.AsTest(test)
	ch := change{details: map[string]any{}, after: noAfter}
	now := types.NowDateTime()
	prev, det, err := overallOutcome(tx, test, in, now)
	if err != nil {
		return ch, err
	}
	if err := applyBlueDetails(tx, t, test, in, now); err != nil {
		return ch, err
	}
	setOutcome(t, actor, prev, det, now, ch.details)
	ch.after = afterRecord(in.ToolOutcomes, prev, det)
	return ch, nil
}

// oneOf is the validation error of a field whose value is not in list.
func oneOf(field string, list []string) error {
	return invalid(field, field+" must be one of "+strings.Join(list, ", ")+".")
}

// overallOutcome checks the explicit prevention and detection and every
// tool's outcome, and returns the best of them; both must be known.
func overallOutcome(tx core.App, test *core.Record, in Input, now types.DateTime) (string, string, error) {
	prev, det := in.Prevention, in.Detection
	if prev != "" && !contains(c.PreventionOutcomes, prev) {
		return "", "", oneOf("prevention", c.PreventionOutcomes)
	}
	if det != "" && !contains(c.DetectionOutcomes, det) {
		return "", "", oneOf("detection", c.DetectionOutcomes)
	}
	seen := map[string]bool{}
	for i, to := range in.ToolOutcomes {
		if err := checkToolOutcome(tx, test, fmt.Sprintf("tool_outcomes.%d", i), to, seen, now); err != nil {
			return "", "", err
		}
		prev, det = BestPrevention(prev, to.Prevention), BestDetection(det, to.Detection)
	}
	if prev == "" {
		return "", "", missing("prevention")
	}
	if det == "" {
		return "", "", missing("detection")
	}
	return prev, det, nil
}

// checkToolOutcome validates one tool's outcome (at field): a known defense
// tool not seen before in the input, known outcomes and a plausible
// detection time.
func checkToolOutcome(tx core.App, test *core.Record, field string, to ToolOutcome, seen map[string]bool, now types.DateTime) error {
	if to.DefenseTool == "" {
		return missing(field + ".defense_tool")
	}
	if seen[to.DefenseTool] {
		return invalid(field+".defense_tool", "Each defense tool may appear once.")
	}
	seen[to.DefenseTool] = true
	if _, err := tx.FindRecordById(c.DefenseTools, to.DefenseTool); err != nil {
		return invalid(field+".defense_tool", "Unknown defense tool.")
	}
	if !contains(c.PreventionOutcomes, to.Prevention) {
		return invalid(field+".prevention", "prevention must be one of "+strings.Join(c.PreventionOutcomes, ", ")+".")
	}
	if !contains(c.DetectionOutcomes, to.Detection) {
		return invalid(field+".detection", "detection must be one of "+strings.Join(c.DetectionOutcomes, ", ")+".")
	}
	if to.DetectedAt == "" {
		return nil
	}
	d, err := parseTime(field+".detected_at", to.DetectedAt)
	if err != nil {
		return err
	}
	return checkDetected(field+".detected_at", d, test, now)
}

// applyBlueDetails checks and sets the optional details of an outcome:
// alert severity, detection time, detection rules and blue notes.
func applyBlueDetails(tx core.App, t *c.Test, test *core.Record, in Input, now types.DateTime) error {
	if in.AlertSeverity != "" && !contains(c.Severities, in.AlertSeverity) {
		return oneOf("alert_severity", c.Severities)
	}
	if in.DetectedAt != "" {
		d, err := parseTime("detected_at", in.DetectedAt)
		if err != nil {
			return err
		}
		if err := checkDetected("detected_at", d, test, now); err != nil {
			return err
		}
		t.SetDetectedAt(d)
	}
	if len(in.DetectionRules) > 0 {
		if err := checkRulesExist(tx, in.DetectionRules); err != nil {
			return err
		}
		t.SetDetectionRules(uniq(in.DetectionRules))
	}
	if in.AlertSeverity != "" {
		t.SetAlertSeverity(in.AlertSeverity)
	}
	if in.BlueNotes != "" {
		t.SetBlueNotes(in.BlueNotes)
	}
	return nil
}

// checkRulesExist refuses detection rule ids that are not all known.
func checkRulesExist(tx core.App, rules []string) error {
	ids := make([]any, len(rules))
	for i, id := range rules {
		ids[i] = id
	}
	var n int
	if err := tx.DB().Select("count(*)").From(c.DetectionRules).Where(dbx.In("id", ids...)).Row(&n); err != nil {
		return fmt.Errorf("check detection rules: %w", err)
	}
	if n != len(uniq(rules)) {
		return invalid("detection_rules", "Unknown detection rule.")
	}
	return nil
}

// setOutcome records prev and det as blue's own validation by actor at
// now, and notes what changed in details.
func setOutcome(t *c.Test, actor Actor, prev, det string, now types.DateTime, details map[string]any) {
	t.SetPrevention(prev)
	t.SetDetection(det)
	t.SetValidatedBy(actor.UserId())
	t.SetValidatedAt(now)
	// An outcome recorded here is blue's own, no longer an imported one.
	t.SetOutcomeImported(false)
	t.SetOutcomeImportedBy("")
	t.SetOutcomeConfirmedBy("")
	t.SetOutcomeConfirmedAt(types.DateTime{})
	// Whoever records a test nobody was assigned to becomes its analyst.
	if t.BlueAssignee() == "" && actor.UserId() != "" {
		t.SetBlueAssignee(actor.UserId())
		details["blue_assignee"] = actor.UserId()
	}
	t.SetReason("")
	details["prevention"], details["detection"] = prev, det
}

// afterRecord is what follows the saved outcome: the per-tool outcomes,
// then a finding opened for a miss or earlier findings resolved by a pass.
func afterRecord(tools []ToolOutcome, prev, det string) func(core.App, *core.Record) error {
	return func(tx core.App, test *core.Record) error {
		if err := saveToolOutcomes(tx, test, tools); err != nil {
			return err
		}
		if Missed(prev, det) {
			if err := openFinding(tx, test); err != nil {
				return err
			}
		}
		if Passed(prev, det) {
			if err := resolveFindings(tx, test); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkDetected refuses a detection time before the execution (time to
// detect cannot be negative) or after now, the time of recording.
func checkDetected(field string, d types.DateTime, test *core.Record, now types.DateTime) error {
	if ex := c.AsTest(test).ExecutedAt(); !ex.IsZero() && d.Time().Before(ex.Time()) {
		return invalid(field, field+" is before the test was executed.")
	}
	if d.Time().After(now.Time()) {
		return invalid(field, field+" is in the future: a detection is recorded after it happened.")
	}
	return nil
}

// saveToolOutcomes upserts one test_outcomes row per tool (unique test, tool).
func saveToolOutcomes(tx core.App, test *core.Record, tools []ToolOutcome) error {
	if len(tools) == 0 {
		return nil
	}
	col, err := tx.FindCachedCollectionByNameOrId(c.TestOutcomes)
	if err != nil {
		return err
	}
	for _, to := range tools {
		r, err := tx.FindFirstRecordByFilter(c.TestOutcomes, "test = {:t} && defense_tool = {:d}",
			dbx.Params{"t": test.Id, "d": to.DefenseTool})
		if err != nil {
			r = core.NewRecord(col)
			o := c.AsTestOutcome(r)
			o.SetTest(test.Id)
			o.SetDefenseTool(to.DefenseTool)
		}
		o := c.AsTestOutcome(r)
		o.SetPrevention(to.Prevention)
		o.SetDetection(to.Detection)
		if to.DetectedAt != "" {
			d, _ := parseTime("detected_at", to.DetectedAt)
			o.SetDetectedAt(d)
		}
		o.SetNotes(to.Notes)
		if err := tx.Save(r); err != nil {
			return fmt.Errorf("save outcome of tool %s: %w", to.DefenseTool, err)
		}
	}
	return nil
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
