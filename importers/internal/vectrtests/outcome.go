// Package vectrtests is what the VECTR CSV and bundle importers share: the
// VECTR vocabulary (outcomes, severities, statuses) mapped to Aegis values,
// and the writer of imported tests with its imported-outcome mark (Trust).
package vectrtests

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aegis-sec/aegis/collections"
)

// This file is the one place where VECTR's vocabulary meets Aegis's: the
// CSV importer, the bundle importer and both exports use it.

var camelBoundary = regexp.MustCompile(`([a-z])([A-Z])`)

// normalize lowercases a VECTR enum value and turns CamelCase, dashes and
// underscores into single spaces ("NotDetected", "not_detected" and
// "Not Detected" read the same).
func normalize(s string) string {
	s = camelBoundary.ReplaceAllString(s, "$1 $2")
	s = strings.NewReplacer("-", " ", "_", " ", "–", " ").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// MapOutcome maps a VECTR outcome onto Aegis's prevention and detection
// values and the red result it implies. An outcome that says nothing yet
// (empty, TBD, N/A) maps to empty values; an unknown outcome is an error.
//
//	Blocked                     → prevention blocked,  detection none (red: blocked_on_execution)
//	Partially Blocked           → prevention partial,  detection none
//	Alerted / Detected          → not_blocked,         general (an alert of unknown specificity)
//	Logged (centrally, locally) → not_blocked,         telemetry
//	None / Not Detected / Missed→ not_blocked,         none
func MapOutcome(outcome string) (prevention, detection, redResult string, err error) {
	key := normalize(outcome)
	switch {
	case key == "" || key == "tbd" || key == "n/a" || key == "na" || key == "not applicable" || key == "pending":
		return "", "", "", nil
	case key == "blocked" || key == "prevented":
		return "blocked", "none", "blocked_on_execution", nil
	case strings.HasPrefix(key, "partially blocked") || key == "partial" || key == "partially prevented":
		return "partial", "none", "executed", nil
	case key == "alerted" || key == "detected" || key == "alert" || strings.HasPrefix(key, "alerted "):
		return "not_blocked", "general", "executed", nil
	case strings.HasPrefix(key, "logged"):
		return "not_blocked", "telemetry", "executed", nil
	case key == "none" || key == "not detected" || key == "missed" || key == "not logged" || key == "undetected":
		return "not_blocked", "none", "executed", nil
	}
	return "", "", "", fmt.Errorf("unknown outcome %q (expected Blocked, Partially Blocked, Alerted, Detected, Logged, None, TBD)", outcome)
}

// OutcomeTBD is VECTR's "no outcome yet".
const OutcomeTBD = "TBD"

// OutcomeName maps an Aegis outcome back to the VECTR outcome that
// MapOutcome reads as the same prevention and detection (a detection at
// technique or tactic level is an alert for VECTR: "Detected").
func OutcomeName(state, prevention, detection string) string {
	if state != collections.StateValidated && state != collections.StateClosed {
		return OutcomeTBD
	}
	switch {
	case prevention == "" && detection == "":
		return OutcomeTBD
	case prevention == "blocked":
		return "Blocked"
	case prevention == "partial":
		return "Partially Blocked"
	case detection == "technique" || detection == "tactic" || detection == "general":
		return "Detected"
	case detection == "telemetry":
		return "Logged"
	}
	return "Not Detected"
}

// MapYesNo reads VECTR's tri-state fields (alertTriggered, activityLogged):
// yes is true, no is false, TBD or anything else is unknown.
func MapYesNo(s string) (value, known bool) {
	switch normalize(s) {
	case "yes", "true", "y":
		return true, true
	case "no", "false", "n":
		return false, true
	}
	return false, false
}

// YesNo writes a tri-state field back.
func YesNo(value, known bool) string {
	switch {
	case !known:
		return OutcomeTBD
	case value:
		return "Yes"
	}
	return "No"
}

// MapSeverity maps VECTR's alert severity onto Aegis's severities ("" when
// unknown or TBD).
func MapSeverity(s string) string {
	switch k := normalize(s); k {
	case "critical", "high", "medium", "low":
		return k
	case "info", "informational":
		return "informational"
	}
	return ""
}

// SeverityName writes an Aegis severity as VECTR spells it.
func SeverityName(s string) string {
	switch s {
	case "":
		return OutcomeTBD
	case "informational":
		return "Informational"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// StateFromStatus maps a VECTR test case status (CSV "Status" or bundle
// redTeam.status) to a workflow state, for a test without an outcome.
func StateFromStatus(status string) string {
	switch s := normalize(status); s {
	case "completed", "complete", "done", "executed", "performed":
		return collections.StateBlueReview
	case "in progress", "inprogress", "running", "executing", "paused":
		return collections.StateExecuting
	case "ready", "planned", "scheduled":
		return collections.StateReady
	}
	return collections.StateDraft
}

// Status values of VECTR test cases (bundle redTeam.status).
const (
	StatusNotPerformed = "NotPerformed"
	StatusInProgress   = "InProgress"
	StatusCompleted    = "Completed"
)

// StatusName maps a workflow state to VECTR's test case status.
func StatusName(state string) string {
	switch state {
	case collections.StateValidated, collections.StateClosed, collections.StateBlueReview:
		return StatusCompleted
	case collections.StateExecuting:
		return StatusInProgress
	}
	return StatusNotPerformed
}

// CampaignStatus is the status of an imported campaign from its tests'
// states: completed when every test is validated or closed, active once any
// test has started, planned otherwise.
func CampaignStatus(states []string) string {
	all, started := true, false
	for _, s := range states {
		if s != collections.StateValidated && s != collections.StateClosed {
			all = false
		}
		if s != collections.StateDraft && s != collections.StateReady {
			started = true
		}
	}
	switch {
	case len(states) > 0 && all:
		return "completed"
	case started:
		return "active"
	}
	return "planned"
}
