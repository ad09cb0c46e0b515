// Package vectrbundle reads and writes VECTR's JSON exchange format: a
// STIX-like envelope ({"type":"bundle","spec_version":"2.0","objects":[…]})
// of x-vectr-io-* objects, as SRA publishes threat-simulation plans and as
// VECTR exports assessments. Assessment groups and campaigns become Aegis
// campaigns, test cases become tests; outcomes are mapped with the same
// table as the VECTR CSV importer (importers/vectr).
package vectrbundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Kind is the import kind of VECTR bundles.
const Kind = "vectr-bundle"

// Object types of a VECTR bundle.
const (
	TypeAssessmentGroup = "x-vectr-io-assessmentgroup"
	TypeCampaign        = "x-vectr-io-campaign"
	TypeTestCase        = "x-vectr-io-testcase"
	TypePhase           = "x-vectr-io-phase"
	TypeKillChain       = "x-vectr-io-killchain"
	TypeRedProduct      = "x-vectr-io-redproduct"
	TypeVendor          = "x-vectr-io-vendor"
	TypeLayer           = "x-vectr-io-expecteddetectionlayer"
	TypeOrganization    = "x-vectr-io-organization"
	TypeShare           = "x-vectr-io-share"
)

// Limits bound what Parse accepts. A bundle over any of them is refused as a
// whole (nothing is imported).
type Limits struct {
	MaxBytes   int64 // uncompressed size of the bundle
	MaxDepth   int   // nesting of objects and arrays
	MaxString  int   // bytes of one JSON string (as written, escapes included)
	MaxObjects int   // objects in the bundle
}

// DefaultLimits fit the largest VECTR exports with a wide margin (the
// published Iranian TTP bundle is 1.1 MB, nesting 5, longest string 6 KB).
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxDepth: 32, MaxString: 1 << 20, MaxObjects: 200_000}

// ErrNotBundle is returned for JSON that is not a VECTR bundle.
var ErrNotBundle = errors.New("not a VECTR bundle")

// ErrLimit is returned for a bundle over one of the Limits.
var ErrLimit = errors.New("VECTR bundle over a safety limit")

// Bundle is what Parse read.
type Bundle struct {
	ID          string
	SpecVersion string
	Groups      []Group
	Campaigns   []Campaign
	TestCases   []TestCase
	Phases      map[string]Phase  // by vectrId
	RedProducts map[string]string // vectrId → name
	Layers      map[string]string // expected detection layers: vectrId → name
	Counts      map[string]int    // objects per type
	Unknown     map[string]int    // unknown object types ("type:…") and fields ("field:type.name")
}

// Group is an x-vectr-io-assessmentgroup.
type Group struct {
	VectrID       string   `json:"vectrId"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	AssessmentIDs []string `json:"assessmentIds"`
	KillChainID   string   `json:"killChainId"`
}

// Campaign is an x-vectr-io-campaign.
type Campaign struct {
	VectrID     string   `json:"vectrId"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	TestCaseIDs []string `json:"testCaseIds"`
	CreateTime  float64  `json:"createTime"`
	UpdateTime  float64  `json:"updateTime"`
}

// Phase is an x-vectr-io-phase: a kill-chain phase, mapped to ATT&CK
// tactics (CREDENTIAL_ACCESS, …).
type Phase struct {
	VectrID      string   `json:"vectrId"`
	Name         string   `json:"name"`
	MitreTactics []string `json:"mitreTactics"`
}

// KV is one entry of a metadata list.
type KV struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// RedTeam is the red half of a test case.
type RedTeam struct {
	Status            string   `json:"status"`
	Method            string   `json:"method"`
	Variant           string   `json:"variant"`
	Objective         string   `json:"objective"`
	Command           string   `json:"command"`
	MitreID           string   `json:"mitreId"`
	References        []string `json:"references"`
	RedTeamProductIDs []string `json:"redTeamProductIds"`
	Metadata          []KV     `json:"metadata"`
}

// BlueTeam is the blue half of a test case.
type BlueTeam struct {
	Outcomes                  []string          `json:"outcomes"`
	AlertTriggered            string            `json:"alertTriggered"`
	ActivityLogged            string            `json:"activityLogged"`
	AlertSeverity             string            `json:"alertSeverity"`
	OutcomeNotes              string            `json:"outcomeNotes"`
	Detections                []json.RawMessage `json:"detections"`
	ExpectedDetectionLayerIDs []string          `json:"expectedDetectionLayerIds"`
	BlueTeamProductIDs        []string          `json:"blueTeamProductIds"`
	Metadata                  []KV              `json:"metadata"`
}

// TestCase is an x-vectr-io-testcase.
type TestCase struct {
	VectrID  string   `json:"vectrId"`
	Name     string   `json:"name"`
	PhaseID  string   `json:"phaseId"`
	RedTeam  RedTeam  `json:"redTeam"`
	BlueTeam BlueTeam `json:"blueTeam"`
}

// Meta returns the string value of a metadata key ("" when absent or not a
// string).
func Meta(list []KV, key string) string {
	for _, kv := range list {
		if kv.Key == key {
			var s string
			if json.Unmarshal(kv.Value, &s) == nil {
				return s
			}
		}
	}
	return ""
}

// knownFields lists the fields of each object type that VECTR writes (as in
// the published bundles); others are counted in Bundle.Unknown.
var knownFields = map[string]string{
	"common":            "type id vectrId name description offset createTime updateTime deprecated deprecationTime tagIds importTime importEvent shareId migrationVersion",
	TypeAssessmentGroup: "assessmentIds assessmentType killChainId",
	TypeCampaign:        "targetAssetIds expectedDetectionLayerIds todos assessmentType testCaseIds metadata organizationIds sourceIPIds",
	TypeTestCase:        "phaseId templateId icon redTeam blueTeam evidenceFiles organizationIds automation",
	"redTeam":           "trueAttackStartTimelineId trueAttackEndTimelineId status method variant objective command likelihood risk internalExternal stealth attackVector attackComplexity privilegesRequired redTeamProductIds targetAssets sourceIps capecId metadata references mitreId",
	"blueTeam":          "successfulDetectionBehaviors expectedDetectionLayerIds blueTeamProductIds outcomeNotes trueDetectionTimelineId alertSeverity alertTriggered activityLogged outcomes metadata detections",
	TypePhase:           "abbreviation active system mitreTactics",
	TypeKillChain:       "phases system",
	TypeRedProduct:      "version applicablePhaseIds expectedDetectionLayerIds primarySecondary vendorId analysisEngine color",
	TypeVendor:          "icon",
	TypeLayer:           "",
	TypeOrganization:    "abbreviation color url members system",
	TypeShare:           "parentId parentType comment vectrIdList",
}

var known = func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for t, fields := range knownFields {
		m := map[string]bool{}
		for _, f := range strings.Fields(fields) {
			m[f] = true
		}
		if t != "redTeam" && t != "blueTeam" {
			for _, f := range strings.Fields(knownFields["common"]) {
				m[f] = true
			}
		}
		out[t] = m
	}
	return out
}()

// Parse reads a VECTR bundle. It refuses, with a clear error and before
// anything is written, a bundle that is not JSON, not a VECTR bundle, over
// the limits, or whose known fields have the wrong types. Unknown object
// types and fields are counted in Bundle.Unknown.
func Parse(r io.Reader, lim Limits) (*Bundle, error) {
	if lim.MaxBytes <= 0 {
		lim = DefaultLimits
	}
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read VECTR bundle: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrLimit, lim.MaxBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if err := checkShape(data, lim); err != nil {
		return nil, err
	}
	var env struct {
		Type        string            `json:"type"`
		ID          string            `json:"id"`
		SpecVersion string            `json:"spec_version"`
		Objects     []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotBundle, jsonError(err))
	}
	if env.Type != "bundle" || env.Objects == nil {
		return nil, fmt.Errorf("%w: expected {\"type\": \"bundle\", \"objects\": [...]}", ErrNotBundle)
	}
	if len(env.Objects) > lim.MaxObjects {
		return nil, fmt.Errorf("%w: %d objects (at most %d)", ErrLimit, len(env.Objects), lim.MaxObjects)
	}
	b := &Bundle{ID: env.ID, SpecVersion: env.SpecVersion, Phases: map[string]Phase{}, RedProducts: map[string]string{},
		Layers: map[string]string{}, Counts: map[string]int{}, Unknown: map[string]int{}}
	vectr := 0
	for i, raw := range env.Objects {
		if err := b.add(raw); err != nil {
			return nil, fmt.Errorf("%w: object %d: %v", ErrNotBundle, i, err)
		}
	}
	for t, n := range b.Counts {
		if strings.HasPrefix(t, "x-vectr-io-") {
			vectr += n
		}
	}
	if vectr == 0 {
		return nil, fmt.Errorf("%w: no x-vectr-io-* objects (an ATT&CK bundle? use the attack import)", ErrNotBundle)
	}
	return b, nil
}

func (b *Bundle) add(raw json.RawMessage) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("not an object: %s", jsonError(err))
	}
	var typ, id string
	if err := str(fields, "type", &typ); err != nil {
		return err
	}
	if err := str(fields, "vectrId", &id); err != nil {
		return err
	}
	if typ == "" {
		return errors.New("no type")
	}
	b.Counts[typ]++
	k, ok := known[typ]
	if !ok {
		b.Unknown["type:"+typ]++
		return nil
	}
	b.unknownFields(typ, fields, k)
	if id == "" && typ != TypeShare {
		return fmt.Errorf("%s without vectrId", typ)
	}
	decode := func(v any) error {
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("%s %s: %s", typ, id, jsonError(err))
		}
		return nil
	}
	switch typ {
	case TypeAssessmentGroup:
		var g Group
		if err := decode(&g); err != nil {
			return err
		}
		b.Groups = append(b.Groups, g)
	case TypeCampaign:
		var c Campaign
		if err := decode(&c); err != nil {
			return err
		}
		b.Campaigns = append(b.Campaigns, c)
	case TypeTestCase:
		var tc TestCase
		if err := decode(&tc); err != nil {
			return err
		}
		for _, half := range []string{"redTeam", "blueTeam"} {
			var sub map[string]json.RawMessage
			if json.Unmarshal(fields[half], &sub) == nil {
				b.unknownFields(half, sub, known[half])
			}
		}
		b.TestCases = append(b.TestCases, tc)
	case TypePhase:
		var p Phase
		if err := decode(&p); err != nil {
			return err
		}
		b.Phases[p.VectrID] = p
	case TypeRedProduct, TypeLayer:
		var n struct {
			Name string `json:"name"`
		}
		if err := decode(&n); err != nil {
			return err
		}
		if typ == TypeRedProduct {
			b.RedProducts[id] = n.Name
		} else {
			b.Layers[id] = n.Name
		}
	}
	return nil
}

func (b *Bundle) unknownFields(typ string, fields map[string]json.RawMessage, k map[string]bool) {
	for f := range fields {
		if !k[f] {
			b.Unknown["field:"+typ+"."+f]++
		}
	}
}

// str reads an optional string field (null or absent is "").
func str(fields map[string]json.RawMessage, name string, out *string) error {
	v, ok := fields[name]
	if !ok || string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, out); err != nil {
		return fmt.Errorf("field %s must be a string", name)
	}
	return nil
}

// jsonError says what is wrong without echoing the input.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("field %s must be %s, not %s", field, typeName(te.Type.String()), te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return err.Error()
}

func typeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "float"), strings.HasPrefix(goType, "int"):
		return "a number"
	}
	return "an object"
}

// checkShape walks the raw JSON once, before anything is decoded, and
// refuses nesting deeper than MaxDepth and strings longer than MaxString, so
// that hostile input costs no more than its bytes.
func checkShape(data []byte, lim Limits) error {
	depth, strLen := 0, 0
	in, esc := false, false
	for i, c := range data {
		if in {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
				continue
			}
			strLen++
			if strLen > lim.MaxString {
				return fmt.Errorf("%w: a string longer than %d bytes at byte %d", ErrLimit, lim.MaxString, i)
			}
			continue
		}
		switch c {
		case '"':
			in, strLen = true, 0
		case '{', '[':
			depth++
			if depth > lim.MaxDepth {
				return fmt.Errorf("%w: nesting deeper than %d at byte %d", ErrLimit, lim.MaxDepth, i)
			}
		case '}', ']':
			depth--
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%w: empty file", ErrNotBundle)
	}
	return nil
}

// UnknownList renders Bundle.Unknown as sorted "name (n)" entries.
func (b *Bundle) UnknownList() []string {
	out := make([]string, 0, len(b.Unknown))
	for k, n := range b.Unknown {
		out = append(out, fmt.Sprintf("%s (%d)", k, n))
	}
	sort.Strings(out)
	return out
}
