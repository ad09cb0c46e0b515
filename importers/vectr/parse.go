// Package vectr migrates VECTR test case CSV exports into Aegis: one
// campaign per VECTR campaign and one test per test case, with VECTR's
// outcomes mapped onto prevention and detection (the ATT&CK Evaluations
// categories). Rows carry a stable import key, so re-importing the same
// export changes nothing and a changed row updates its test.
package vectr

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers/internal/csvx"
	"github.com/aegis-sec/aegis/importers/internal/vectrtests"
)

// Column names accepted for each value, in order of preference. VECTR's
// exports name columns differently across versions and export views
// (test case table, campaign export, the CSV import template).
var (
	colCampaign    = []string{"Campaign", "Campaign Name"}
	colAssessment  = []string{"Assessment", "Assessment Group", "AssessmentGroup", "Assessment Name"}
	colName        = []string{"Variant", "Test Case", "Test Case Name", "TestCaseName", "Name", "Procedure"}
	colMethod      = []string{"Method", "Attack Method", "Technique Name"}
	colTechnique   = []string{"Technique ID", "MitreID", "Mitre ID", "ATT&CK ID", "Attack ID", "TechniqueId", "Technique"}
	colTactic      = []string{"Phase", "Tactic", "Kill Chain Phase"}
	colStatus      = []string{"Status", "Test Case Status"}
	colOutcome     = []string{"Outcome", "Test Case Outcome", "Outcome Name"}
	colDescription = []string{"Description", "Command", "Attack Description"}
	colRedNotes    = []string{"Red Team Notes", "Red Notes", "Operator Notes", "Operator Guidance", "Attacker Notes", "Red Team Comments"}
	colBlueNotes   = []string{"Blue Team Notes", "Blue Notes", "Outcome Notes", "Detection Notes", "Defender Notes", "Blue Team Comments"}
	colStart       = []string{"Start Time", "Start Time Epoch", "StartTimeEpoch", "Attack Start", "Activity Start", "Start"}
	colStop        = []string{"Stop Time", "Stop Time Epoch", "StopTimeEpoch", "End Time", "Attack Stop", "Activity Stop", "Stop"}
	colDetected    = []string{"Detection Time", "Detection Time Epoch", "Detected At", "Alert Time"}
	colTags        = []string{"Tags"}
	colSeverity    = []string{"Alert Severity", "Severity"}
)

var techniqueRe = regexp.MustCompile(`(?i)\bT\d{4}(\.\d{3})?\b`)

// TestCase is one row of a VECTR export.
type TestCase struct {
	Line          int
	Campaign      string
	Assessment    string
	Name          string
	TechniqueID   string
	Tactic        string
	Status        string
	Outcome       string
	Description   string
	RedNotes      string
	BlueNotes     string
	Tags          []string
	AlertSeverity string
	Start, Stop   time.Time
	Detected      time.Time
}

// RowError names a row that could not be read.
type RowError struct {
	Line  int
	Error string
}

// DefaultCampaign is used for rows without a campaign column or value.
const DefaultCampaign = "VECTR import"

// ParseCSV reads a VECTR test case export. A file without a name and a
// technique column is an error; a bad row is a RowError and the other rows
// are returned.
func ParseCSV(r io.Reader) ([]TestCase, []RowError, error) {
	t, err := csvx.Read(r, csvx.Limits{})
	if err != nil {
		return nil, nil, err
	}
	if !t.Has(colName...) && !t.Has(colMethod...) {
		return nil, nil, fmt.Errorf("not a VECTR export: no test case name column (%s)", strings.Join(colName, ", "))
	}
	if !t.Has(colTechnique...) {
		return nil, nil, fmt.Errorf("not a VECTR export: no technique column (%s)", strings.Join(colTechnique, ", "))
	}
	var out []TestCase
	var bad []RowError
	for _, row := range t.Rows {
		tc, err := convert(row)
		if err != nil {
			bad = append(bad, RowError{Line: row.Line, Error: err.Error()})
			continue
		}
		out = append(out, tc)
	}
	return out, bad, nil
}

func convert(row csvx.Row) (TestCase, error) {
	tc := TestCase{
		Line: row.Line, Campaign: row.Get(colCampaign...), Assessment: row.Get(colAssessment...),
		Name: row.Get(colName...), Tactic: strings.ToLower(row.Get(colTactic...)),
		Status: row.Get(colStatus...), Outcome: row.Get(colOutcome...), Description: row.Get(colDescription...),
		RedNotes: row.Get(colRedNotes...), BlueNotes: row.Get(colBlueNotes...),
		AlertSeverity: strings.ToLower(row.Get(colSeverity...)),
	}
	if tc.Name == "" {
		tc.Name = row.Get(colMethod...)
	}
	if tc.Name == "" {
		return tc, fmt.Errorf("no test case name")
	}
	if len(tc.Name) > 500 {
		tc.Name = tc.Name[:500]
	}
	if tc.Campaign == "" {
		tc.Campaign = DefaultCampaign
	}
	tech := row.Get(colTechnique...)
	m := techniqueRe.FindString(tech)
	if m == "" {
		return tc, fmt.Errorf("technique %q is not an ATT&CK technique id", tech)
	}
	tc.TechniqueID = strings.ToUpper(m)
	for _, tag := range strings.FieldsFunc(row.Get(colTags...), func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if tag = strings.TrimSpace(tag); tag != "" {
			tc.Tags = append(tc.Tags, tag)
		}
	}
	var err error
	if tc.Start, err = csvx.ParseTime(row.Get(colStart...)); err != nil {
		return tc, fmt.Errorf("start time: %w", err)
	}
	if tc.Stop, err = csvx.ParseTime(row.Get(colStop...)); err != nil {
		return tc, fmt.Errorf("stop time: %w", err)
	}
	if tc.Detected, err = csvx.ParseTime(row.Get(colDetected...)); err != nil {
		return tc, fmt.Errorf("detection time: %w", err)
	}
	if _, _, _, err := vectrtests.MapOutcome(tc.Outcome); err != nil {
		return tc, err
	}
	return tc, nil
}
