package workflow

import (
	"fmt"
	"strings"
	"time"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Finding statuses.
const (
	FindingOpen         = "open"
	FindingInProgress   = "in_progress"
	FindingResolved     = "resolved"
	FindingRiskAccepted = "risk_accepted"
)

// findingMoves is the remediation lifecycle: work starts, then ends resolved
// or accepted; an accepted risk or a resolution may be reopened.
var findingMoves = map[string][]string{
	FindingOpen:         {FindingInProgress, FindingResolved, FindingRiskAccepted},
	FindingInProgress:   {FindingOpen, FindingResolved, FindingRiskAccepted},
	FindingResolved:     {FindingOpen},
	FindingRiskAccepted: {FindingOpen},
}

// CheckFindingStatus reports whether a finding may move from one status to
// another (the same status is always fine).
func CheckFindingStatus(from, to string) error {
	if from == to || from == "" {
		return nil
	}
	if !contains(findingMoves[from], to) {
		return invalid("status", fmt.Sprintf("A finding cannot go from %s to %s.", from, to))
	}
	return nil
}

// dueDays is how long each severity gets before its remediation is due.
var dueDays = map[string]int{"critical": 7, "high": 14, "medium": 30, "low": 90, "informational": 180}

// openFinding records a gap: the test ran, nothing blocked it and no alert
// fired. Severity follows the technique's priority (medium when unset); the
// owner is the test's blue assignee, else the first blue lead.
func openFinding(tx core.App, test *core.Record) error {
	tt := c.AsTest(test)
	existing, _ := tx.FindFirstRecordByFilter(c.Findings, "test = {:t} && (status = 'open' || status = 'in_progress')",
		dbx.Params{"t": test.Id})
	if existing != nil {
		return nil
	}
	col, err := tx.FindCachedCollectionByNameOrId(c.Findings)
	if err != nil {
		return err
	}
	tech, err := tx.FindRecordById(c.Techniques, tt.Technique())
	if err != nil {
		return fmt.Errorf("finding for test %s: technique: %w", test.Id, err)
	}
	severity := c.AsTechnique(tech).Priority()
	if !contains(c.Severities, severity) {
		severity = "medium"
	}
	owner := tt.BlueAssignee()
	if owner == "" {
		if lead, err := tx.FindFirstRecordByFilter(c.Users, "role = {:role} && active = true", dbx.Params{"role": c.RoleBlueLead}); err == nil {
			owner = lead.Id
		}
	}
	f := core.NewRecord(col)
	fd := c.AsFinding(f)
	fd.SetTest(test.Id)
	fd.SetTechnique(tech.Id)
	fd.SetTitle(fmt.Sprintf("%s %s: not blocked, no alert", c.AsTechnique(tech).AttackId(), c.AsTechnique(tech).Name()))
	fd.SetSeverity(severity)
	fd.SetRecommendation(recommendation(tx, tech, test))
	fd.SetOwner(owner)
	fd.SetStatus(FindingOpen)
	due, _ := types.ParseDateTime(time.Now().UTC().AddDate(0, 0, dueDays[severity]))
	fd.SetDueAt(due)
	if err := tx.Save(f); err != nil {
		return fmt.Errorf("open finding for test %s: %w", test.Id, err)
	}
	// The owner fixes it; red leads hear of every finding their tests open.
	return notifyUsers(tx, Actor{}, notify.Message{Kind: "finding_opened", Title: "Finding opened",
		Body: fd.Title(), Link: "/findings/" + f.Id}, []string{owner}, c.RoleRedLead)
}

// recommendation says what to do, naming the ATT&CK mitigations on record.
func recommendation(tx core.App, tech, test *core.Record) string {
	tq := c.AsTechnique(tech)
	tt := c.AsTest(test)
	var b strings.Builder
	fmt.Fprintf(&b, "The procedure for %s (%s) was not blocked (%s) and raised no alert (detection: %s).\n\n",
		tq.AttackId(), tq.Name(), tt.Prevention(), tt.Detection())
	b.WriteString("Write or tune a detection for this behaviour and confirm it fires with a retest.")
	mits, _ := tx.FindRecordsByFilter(c.Mitigations, "techniques ~ {:t}", "attack_id", 10, 0, dbx.Params{"t": tech.Id})
	if len(mits) > 0 {
		b.WriteString(" Review the mitigations:")
		for _, m := range mits {
			fmt.Fprintf(&b, "\n- %s %s", c.AsTechnique(m).AttackId(), c.AsTechnique(m).Name())
		}
	}
	return b.String()
}

// resolveFindings closes the open findings of every test that test retests,
// following retest_of back through earlier rounds.
func resolveFindings(tx core.App, test *core.Record) error {
	now := types.NowDateTime()
	seen := map[string]bool{test.Id: true}
	prev := c.AsTest(test).RetestOf()
	for depth := 0; prev != "" && !seen[prev] && depth < 100; depth++ {
		seen[prev] = true
		open, err := tx.FindRecordsByFilter(c.Findings, "test = {:t} && (status = 'open' || status = 'in_progress')",
			"", 0, 0, dbx.Params{"t": prev})
		if err != nil {
			return fmt.Errorf("findings of %s: %w", prev, err)
		}
		for _, f := range open {
			c.AsFinding(f).SetStatus(FindingResolved)
			c.AsFinding(f).SetResolvedByTest(test.Id)
			c.AsFinding(f).SetResolvedAt(now)
			if err := tx.Save(f); err != nil {
				return fmt.Errorf("resolve finding %s: %w", f.Id, err)
			}
		}
		earlier, err := tx.FindRecordById(c.Tests, prev)
		if err != nil {
			break
		}
		prev = c.AsTest(earlier).RetestOf()
	}
	return nil
}
