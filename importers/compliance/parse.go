// Package compliance imports compliance frameworks, their controls and
// control → ATT&CK technique mappings from three formats:
//
//   - Center for Threat-Informed Defense Mappings Explorer JSON (metadata +
//     mapping_objects) for any of its frameworks: the framework's name and
//     version come from the metadata, not from code;
//   - the CTID attack-control-framework-mappings TSV files (mappings
//     "controlID, controlName, mitigates, techniqueID, techniqueName" and the
//     control catalogue "Control Identifier, … Name, Control, Discussion,
//     Related Controls"), named like attack-12-1-to-nist800-53-r5-mappings.tsv;
//   - a simple CSV (framework, control_id, title, family, technique,
//     mapping_type; optional version, description) for any other framework
//     (CIS, ISO 27001, PCI DSS…).
package compliance

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
)

// Control is one control of a framework.
type Control struct {
	ID          string
	Title       string
	Family      string
	Description string
}

// Mapping links a control to an ATT&CK technique.
type Mapping struct {
	Control   string
	Technique string // as written; normalised on write
	Type      string // mitigates, protects, detects, related
}

// Set is what one file says about one framework.
type Set struct {
	Framework   string // display name, e.g. "NIST SP 800-53"
	Version     string // e.g. "rev5"
	Source      string // which format it came from
	Controls    []Control
	Mappings    []Mapping
	NonMappable int // rows that state a technique has no control
}

// ErrNotCompliance marks a file that is valid but not a mapping or catalogue.
var ErrNotCompliance = errors.New("not a compliance mapping or control catalogue")

// knownFrameworks gives readable names to CTID framework keys; any other key
// is used as written.
var knownFrameworks = map[string]string{
	"nist_800_53": "NIST SP 800-53", "nist800-53": "NIST SP 800-53", "nist-800-53": "NIST SP 800-53",
	"cri_profile": "CRI Profile", "veris": "VERIS", "cve": "CVE", "aws": "AWS", "azure": "Azure",
	"gcp": "GCP", "m365": "Microsoft 365", "intel_vpro": "Intel vPro",
}

// FrameworkName returns a readable name for a CTID framework key.
func FrameworkName(key string) string {
	k := strings.ToLower(strings.TrimSpace(key))
	if n, ok := knownFrameworks[k]; ok {
		return n
	}
	return strings.TrimSpace(key)
}

// NormalizeVersion writes revisions one way: "r5", "rev5", "Rev. 5" → "rev5".
func NormalizeVersion(v string) string {
	s := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), " ", ""))
	if m := revRe.FindStringSubmatch(s); m != nil {
		return "rev" + m[1]
	}
	return strings.TrimSpace(v)
}

var (
	revRe  = regexp.MustCompile(`^(?:rev\.?|r|revision)(\d+)$`)
	nistRe = regexp.MustCompile(`^([A-Za-z]{2,3})-0*(\d+)(?:\s*\(0*(\d+)\))?$`)
	// attack-12-1-to-nist800-53-r5-mappings.tsv, nist800-53-r5-controls.tsv
	tsvNameRe = regexp.MustCompile(`(?i)(?:attack-[\d-]+-to-)?([a-z0-9_.-]+?)-(r\d+|rev\d+)-(mappings|controls)\.tsv$`)
)

// NormalizeControlID writes NIST-style ids one way ("CM-03" and "CM-3" are
// the same control; "AC-02(01)" is "AC-2(1)"); other schemes are trimmed.
func NormalizeControlID(id string) string {
	id = strings.TrimSpace(id)
	if m := nistRe.FindStringSubmatch(id); m != nil {
		out := strings.ToUpper(m[1]) + "-" + m[2]
		if m[3] != "" {
			out += "(" + m[3] + ")"
		}
		return out
	}
	return id
}

// MappingType maps a source's relationship name to our select values.
func MappingType(t string) string {
	switch s := strings.ToLower(strings.TrimSpace(t)); {
	case s == "" || strings.HasPrefix(s, "mitigat"):
		return "mitigates"
	case strings.HasPrefix(s, "protect"):
		return "protects"
	case strings.HasPrefix(s, "detect"):
		return "detects"
	default:
		return "related"
	}
}

type mapexFile struct {
	Metadata *struct {
		AttackVersion    string            `json:"attack_version"`
		Framework        string            `json:"mapping_framework"`
		FrameworkVersion string            `json:"mapping_framework_version"`
		CapabilityGroups map[string]string `json:"capability_groups"`
	} `json:"metadata"`
	Objects []struct {
		CapabilityID          *string `json:"capability_id"`
		CapabilityGroup       *string `json:"capability_group"`
		CapabilityDescription *string `json:"capability_description"`
		MappingType           *string `json:"mapping_type"`
		AttackObjectID        string  `json:"attack_object_id"`
		Status                string  `json:"status"`
	} `json:"mapping_objects"`
}

// ParseMappingsExplorer reads a CTID Mappings Explorer JSON file.
func ParseMappingsExplorer(data []byte) (*Set, error) {
	var f mapexFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if f.Metadata == nil || f.Objects == nil {
		return nil, ErrNotCompliance
	}
	if strings.TrimSpace(f.Metadata.Framework) == "" {
		return nil, errors.New("metadata.mapping_framework is empty")
	}
	s := &Set{Framework: FrameworkName(f.Metadata.Framework), Version: NormalizeVersion(f.Metadata.FrameworkVersion),
		Source: "ctid-mappings-explorer attack-" + f.Metadata.AttackVersion}
	seen := map[string]bool{}
	for i, o := range f.Objects {
		if o.CapabilityID == nil || strings.TrimSpace(*o.CapabilityID) == "" {
			// non_mappable: the technique has no control in this framework.
			if o.Status == "non_mappable" || o.CapabilityID == nil {
				s.NonMappable++
				continue
			}
			return nil, fmt.Errorf("mapping_objects[%d]: empty capability_id", i)
		}
		id := NormalizeControlID(*o.CapabilityID)
		if !seen[id] {
			seen[id] = true
			c := Control{ID: id}
			if o.CapabilityDescription != nil {
				c.Title = *o.CapabilityDescription
			}
			if o.CapabilityGroup != nil {
				c.Family = f.Metadata.CapabilityGroups[*o.CapabilityGroup]
				if c.Family == "" {
					c.Family = *o.CapabilityGroup
				}
			}
			s.Controls = append(s.Controls, c)
		}
		mt := ""
		if o.MappingType != nil {
			mt = *o.MappingType
		}
		s.Mappings = append(s.Mappings, Mapping{Control: id, Technique: o.AttackObjectID, Type: MappingType(mt)})
	}
	return s, nil
}

func readTable(data []byte, comma rune) ([]string, [][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	head, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("invalid header: %w", err)
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")))
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return head, rows, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("invalid table: %w", err)
		}
		rows = append(rows, rec)
	}
}

func colIndex(head []string, names ...string) int {
	for _, n := range names {
		for i, h := range head {
			if h == n {
				return i
			}
		}
	}
	return -1
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// ParseTSV reads a CTID attack-control-framework-mappings TSV (mappings or
// control catalogue); the framework comes from the file name.
func ParseTSV(name string, data []byte) (*Set, error) {
	head, rows, err := readTable(data, '\t')
	if err != nil {
		return nil, err
	}
	m := tsvNameRe.FindStringSubmatch(path.Base(name))
	if m == nil {
		return nil, fmt.Errorf("cannot tell the framework from the file name %q (want e.g. nist800-53-r5-controls.tsv)", path.Base(name))
	}
	s := &Set{Framework: FrameworkName(m[1]), Version: NormalizeVersion(m[2]), Source: "ctid-attack-control-framework-mappings"}
	if ci := colIndex(head, "controlid"); ci >= 0 {
		ni, ti, mi := colIndex(head, "controlname"), colIndex(head, "techniqueid"), colIndex(head, "mitigates", "mapping_type")
		if ti < 0 {
			return nil, errors.New("mapping table without a techniqueID column")
		}
		seen := map[string]bool{}
		for i, rec := range rows {
			id := NormalizeControlID(cell(rec, ci))
			if id == "" {
				return nil, fmt.Errorf("row %d: empty controlID", i+2)
			}
			if !seen[id] {
				seen[id] = true
				s.Controls = append(s.Controls, Control{ID: id, Title: cell(rec, ni), Family: nistFamily(id)})
			}
			s.Mappings = append(s.Mappings, Mapping{Control: id, Technique: cell(rec, ti), Type: MappingType(cell(rec, mi))})
		}
		return s, nil
	}
	if ci := colIndex(head, "control identifier"); ci >= 0 {
		ni := colIndex(head, "control (or control enhancement) name", "control name")
		di := colIndex(head, "control (or control enhancement)", "control text")
		xi := colIndex(head, "discussion")
		for i, rec := range rows {
			id := NormalizeControlID(cell(rec, ci))
			if id == "" {
				return nil, fmt.Errorf("row %d: empty control identifier", i+2)
			}
			desc := cell(rec, di)
			if d := cell(rec, xi); d != "" {
				desc += "\n\nDiscussion: " + d
			}
			s.Controls = append(s.Controls, Control{ID: id, Title: cell(rec, ni), Family: nistFamily(id), Description: desc})
		}
		return s, nil
	}
	return nil, ErrNotCompliance
}

// ParseCSV reads the simple format: framework, control_id, title, family,
// technique, mapping_type (version and description optional). One file may
// hold several frameworks; rows without a technique only define controls.
func ParseCSV(data []byte) ([]*Set, error) {
	head, rows, err := readTable(data, ',')
	if err != nil {
		return nil, err
	}
	fi, ci := colIndex(head, "framework"), colIndex(head, "control_id")
	if fi < 0 || ci < 0 {
		return nil, ErrNotCompliance
	}
	vi, ti, fam, tech, mt, di := colIndex(head, "version"), colIndex(head, "title"), colIndex(head, "family"),
		colIndex(head, "technique"), colIndex(head, "mapping_type"), colIndex(head, "description")
	sets := map[string]*Set{}
	var order []*Set
	seen := map[string]bool{}
	for i, rec := range rows {
		fw, id := cell(rec, fi), NormalizeControlID(cell(rec, ci))
		if fw == "" || id == "" {
			return nil, fmt.Errorf("row %d: framework and control_id are required", i+2)
		}
		ver := NormalizeVersion(cell(rec, vi))
		key := fw + "\x00" + ver
		s := sets[key]
		if s == nil {
			s = &Set{Framework: fw, Version: ver, Source: "csv"}
			sets[key] = s
			order = append(order, s)
		}
		if !seen[key+"\x00"+id] {
			seen[key+"\x00"+id] = true
			s.Controls = append(s.Controls, Control{ID: id, Title: cell(rec, ti), Family: cell(rec, fam), Description: cell(rec, di)})
		}
		if t := cell(rec, tech); t != "" {
			s.Mappings = append(s.Mappings, Mapping{Control: id, Technique: t, Type: MappingType(cell(rec, mt))})
		}
	}
	return order, nil
}

var nistFamilies = map[string]string{
	"AC": "Access Control", "AT": "Awareness and Training", "AU": "Audit and Accountability",
	"CA": "Assessment, Authorization, and Monitoring", "CM": "Configuration Management", "CP": "Contingency Planning",
	"IA": "Identification and Authentication", "IR": "Incident Response", "MA": "Maintenance", "MP": "Media Protection",
	"PE": "Physical and Environmental Protection", "PL": "Planning", "PM": "Program Management", "PS": "Personnel Security",
	"PT": "PII Processing and Transparency", "RA": "Risk Assessment", "SA": "System and Services Acquisition",
	"SC": "System and Communications Protection", "SI": "System and Information Integrity", "SR": "Supply Chain Risk Management",
}

// nistFamily names the NIST SP 800-53 family of a control id (AC-2 → Access Control).
func nistFamily(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return nistFamilies[strings.ToUpper(id[:i])]
	}
	return ""
}
