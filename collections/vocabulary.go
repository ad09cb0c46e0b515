package collections

import (
	"bytes"
	"fmt"
	"strings"
)

//go:generate go run ../tools/vocabgen -o ../ui/src/lib/vocabulary.gen.ts

// Test actions: the steps of POST /api/aegis/tests/{id}/transition
// (confirm accepts an imported outcome), and retest, which starts a new
// round of a validated or closed test.
const (
	ActionApprove = "approve"
	ActionStart   = "start"
	ActionSubmit  = "submit"
	ActionRecord  = "record"
	ActionRework  = "rework"
	ActionClose   = "close"
	ActionCancel  = "cancel"
	ActionReveal  = "reveal"
	ActionRetest  = "retest"
	ActionConfirm = "confirm"
)

// TestActions lists the test actions in the order the UI offers them.
var TestActions = []string{ActionApprove, ActionStart, ActionSubmit, ActionRecord, ActionRework, ActionClose, ActionCancel, ActionReveal, ActionRetest, ActionConfirm}

// Term is one value of the vocabulary with the words a person reads for it.
type Term struct {
	Value string
	Label string
	Hint  string
}

// List is one named list of the vocabulary, in its natural order.
type List struct {
	Name   string // TypeScript name of the list, e.g. ROLES
	Single string // prefix of its label maps, e.g. ROLE (ROLE_LABELS)
	Terms  []Term
}

// words gives a value the label (and hint) a person reads; values without
// an entry read as their humanized value ("blue_review" → "Blue review").
var words = map[string]map[string][2]string{
	"ROLES": {
		string(RoleAdmin):       {"Admin", "Manages users, integrations, settings and jobs; can do everything."},
		string(RoleRedLead):     {"Red lead", "Plans campaigns and tests, assigns operators, reveals blind tests, manages findings."},
		string(RoleRedOperator): {"Red operator", "Executes assigned tests and uploads red evidence."},
		string(RoleBlueLead):    {"Blue lead", "Records outcomes, manages detection rules, tools, controls, scope and findings."},
		string(RoleBlueAnalyst): {"Blue analyst", "Records outcomes and uploads blue evidence."},
		string(RoleViewer):      {"Viewer", "Reads everything, exports reports."},
	},
	"INTEGRATION_KINDS": {
		"attack":       {"MITRE ATT&CK", ""},
		"sigma":        {"Sigma rules", ""},
		"elastic":      {"Elastic rules", ""},
		"atomic":       {"Atomic Red Team", ""},
		"caldera":      {"CALDERA abilities", ""},
		"d3fend":       {"D3FEND", ""},
		"compliance":   {"Compliance mappings", ""},
		"intel":        {"Threat intel (STIX)", ""},
		"vectr":        {"VECTR test cases (CSV)", ""},
		"vectr-bundle": {"VECTR assessment bundle", ""},
	},
	"TEST_ACTIONS": {
		ActionSubmit:  {"Submit red result", ""},
		ActionRecord:  {"Record outcome", ""},
		ActionRework:  {"Send back", ""},
		ActionReveal:  {"Reveal to blue", ""},
		ActionConfirm: {"Confirm imported outcome", "An outcome read in from a file counts once a blue lead or an admin confirms it."},
	},
}

// Vocabulary is every list the UI shows to people, from the enums above.
func Vocabulary() []List {
	lists := []struct {
		name, single string
		values       []string
	}{
		{"ROLES", "ROLE", RoleNames()},
		{"STATES", "STATE", TestStates},
		{"TEST_ACTIONS", "ACTION", TestActions},
		{"RED_RESULTS", "RED_RESULT", RedResults},
		{"PREVENTION", "PREVENTION", PreventionOutcomes},
		{"DETECTION", "DETECTION", DetectionOutcomes},
		{"CAMPAIGN_STATUSES", "CAMPAIGN_STATUS", CampaignStatuses},
		{"FINDING_STATUSES", "FINDING", FindingStatuses},
		{"SEVERITIES", "SEVERITY", Severities},
		{"PRIORITIES", "PRIORITY", Priorities},
		{"CONTROL_STATUSES", "CONTROL_STATUS", ControlStatuses},
		{"D3FEND_STATUSES", "D3FEND_STATUS", D3fendStatuses},
		{"DEFENSE_TOOL_KINDS", "DEFENSE_TOOL_KIND", DefenseToolKinds},
		{"INTEGRATION_KINDS", "INTEGRATION_KIND", IntegrationKinds},
		{"JOB_STATUSES", "JOB_STATUS", JobStatuses},
		{"AUDIT_ACTIONS", "AUDIT_ACTION", AuditActions},
	}
	out := make([]List, 0, len(lists))
	for _, l := range lists {
		list := List{Name: l.name, Single: l.single}
		for _, v := range l.values {
			t := Term{Value: v, Label: Humanize(v)}
			if w, ok := words[l.name][v]; ok {
				t.Label, t.Hint = w[0], w[1]
			}
			list.Terms = append(list.Terms, t)
		}
		out = append(out, list)
	}
	return out
}

// Label is the word a person reads for value in the vocabulary list named
// list (e.g. "PREVENTION", "DETECTION"): the UI's label, or the humanized
// value when the list gives none.
func Label(list, value string) string {
	if w, ok := words[list][value]; ok {
		return w[0]
	}
	return Humanize(value)
}

// Humanize turns a value such as "blue_review" into "Blue review".
func Humanize(v string) string {
	s := strings.NewReplacer("_", " ", "-", " ").Replace(v)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// TypeScript renders the vocabulary as the UI's generated module.
func TypeScript() []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated from collections/vocabulary.go by `go generate ./collections`; DO NOT EDIT.\n")
	b.WriteString("// The server's vocabulary: every role, state, action and status, with the words the UI shows.\n")
	for _, l := range Vocabulary() {
		b.WriteString("\n")
		fmt.Fprintf(&b, "export const %s = [", l.Name)
		for i, t := range l.Terms {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", t.Value)
		}
		b.WriteString("] as const\n")
		fmt.Fprintf(&b, "export const %s_LABELS: Record<string, string> = {\n", l.Single)
		for _, t := range l.Terms {
			fmt.Fprintf(&b, "  %s: %q,\n", tsKey(t.Value), t.Label)
		}
		b.WriteString("}\n")
		hints := false
		for _, t := range l.Terms {
			hints = hints || t.Hint != ""
		}
		if hints {
			fmt.Fprintf(&b, "export const %s_HINTS: Record<string, string> = {\n", l.Single)
			for _, t := range l.Terms {
				if t.Hint != "" {
					fmt.Fprintf(&b, "  %s: %q,\n", tsKey(t.Value), t.Hint)
				}
			}
			b.WriteString("}\n")
		}
	}
	return b.Bytes()
}

// tsKey writes an object key, quoted unless it is a plain identifier.
func tsKey(v string) string {
	for i, r := range v {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Sprintf("%q", v)
		}
	}
	return v
}
