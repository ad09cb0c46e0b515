// Package attack imports MITRE ATT&CK STIX 2.0 and 2.1 bundles (enterprise,
// mobile, ICS) into the catalogue collections: tactics in matrix order,
// techniques and sub-techniques, data components, detection strategies and
// their analytics, mitigations, groups and the techniques they use,
// software, and revoked and deprecated objects. One import is one
// transaction; unchanged objects are not written.
package attack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Object is the subset of a STIX object the importer reads. Typed fields
// (not map[string]any) keep parsing of the 45 MB Enterprise bundle fast
// and make a wrongly typed value a clear error.
type Object struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	SpecVersion string `json:"spec_version"`
	Created     string `json:"created"`
	Modified    string `json:"modified"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Revoked     bool   `json:"revoked"`
	Deprecated  bool   `json:"x_mitre_deprecated"`

	ExternalReferences []ExternalReference `json:"external_references"`
	KillChainPhases    []KillChainPhase    `json:"kill_chain_phases"`
	Domains            []string            `json:"x_mitre_domains"`
	Platforms          []string            `json:"x_mitre_platforms"`
	Version            string              `json:"x_mitre_version"`
	Contributors       []string            `json:"x_mitre_contributors"`

	// attack-pattern
	IsSubtechnique       bool     `json:"x_mitre_is_subtechnique"`
	Detection            string   `json:"x_mitre_detection"`
	DataSources          []string `json:"x_mitre_data_sources"`
	PermissionsRequired  []string `json:"x_mitre_permissions_required"`
	EffectivePermissions []string `json:"x_mitre_effective_permissions"`
	DefenseBypassed      []string `json:"x_mitre_defense_bypassed"`
	SystemRequirements   []string `json:"x_mitre_system_requirements"`
	ImpactType           []string `json:"x_mitre_impact_type"`
	TacticType           []string `json:"x_mitre_tactic_type"`
	RemoteSupport        bool     `json:"x_mitre_remote_support"`
	NetworkRequirements  bool     `json:"x_mitre_network_requirements"`

	// x-mitre-tactic, x-mitre-matrix
	Shortname  string   `json:"x_mitre_shortname"`
	TacticRefs []string `json:"tactic_refs"`

	// intrusion-set, malware, tool
	Aliases      []string `json:"aliases"`
	MitreAliases []string `json:"x_mitre_aliases"`

	// data components, detection strategies, analytics
	DataSourceRef   string           `json:"x_mitre_data_source_ref"`
	LogSources      []LogSource      `json:"x_mitre_log_sources"`
	AnalyticRefs    []string         `json:"x_mitre_analytic_refs"`
	LogSourceRefs   []LogSourceRef   `json:"x_mitre_log_source_references"`
	MutableElements []MutableElement `json:"x_mitre_mutable_elements"`

	// relationship
	RelationshipType string `json:"relationship_type"`
	SourceRef        string `json:"source_ref"`
	TargetRef        string `json:"target_ref"`
}

// ExternalReference is a STIX external reference.
type ExternalReference struct {
	SourceName  string `json:"source_name"`
	ExternalID  string `json:"external_id,omitempty"`
	URL         string `json:"url,omitempty"`
	Description string `json:"description,omitempty"`
}

// KillChainPhase links a technique to a tactic by shortname.
type KillChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// LogSource is a v18 data component's log source.
type LogSource struct {
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// LogSourceRef is a v18 analytic's log source with its data component.
type LogSourceRef struct {
	DataComponentRef string `json:"x_mitre_data_component_ref"`
	Name             string `json:"name"`
	Channel          string `json:"channel"`
}

// MutableElement is a tunable part of a v18 analytic.
type MutableElement struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// Bundle is a parsed STIX bundle.
type Bundle struct {
	ID          string
	SpecVersion string // "2.0" from the bundle, "2.1" from the objects, or ""
	Objects     []Object
}

// ErrNotBundle is wrapped when the input is JSON but not a STIX bundle.
var ErrNotBundle = errors.New("not a STIX bundle")

// attackRef returns the ATT&CK id and page URL of an object.
func (o *Object) attackRef() (id, url string) {
	for _, r := range o.ExternalReferences {
		switch r.SourceName {
		case "mitre-attack", "mitre-mobile-attack", "mitre-ics-attack", "mitre-pre-attack":
			return r.ExternalID, r.URL
		}
	}
	return "", ""
}

// ParseBundle reads one STIX 2.0/2.1 bundle with a streaming decoder: the
// objects array is decoded one object at a time into Object. It checks the
// structure (a bundle, objects with a type and an id of that type) and
// names the offending object on error; semantic checks (duplicates,
// dangling references) happen when the objects are resolved.
func ParseBundle(r io.Reader) (*Bundle, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBundle, syntaxError(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%w: expected a JSON object, found %s", ErrNotBundle, describe(tok))
	}
	b := &Bundle{}
	var typ string
	sawObjects := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, fmt.Errorf("%w: \"type\": %v", ErrNotBundle, err)
			}
			if typ != "bundle" {
				return nil, fmt.Errorf("%w: type is %q", ErrNotBundle, typ)
			}
		case "id":
			if err := dec.Decode(&b.ID); err != nil {
				return nil, fmt.Errorf("bundle id: %w", err)
			}
		case "spec_version":
			if err := dec.Decode(&b.SpecVersion); err != nil {
				return nil, fmt.Errorf("bundle spec_version: %w", err)
			}
		case "objects":
			sawObjects = true
			if err := parseObjects(dec, b); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, syntaxError(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(err)
	}
	if typ != "bundle" {
		return nil, fmt.Errorf("%w: no \"type\": \"bundle\"", ErrNotBundle)
	}
	if !sawObjects {
		return nil, fmt.Errorf("%w: no \"objects\" array", ErrNotBundle)
	}
	if b.SpecVersion == "" && len(b.Objects) > 0 {
		b.SpecVersion = b.Objects[0].SpecVersion
	}
	return b, nil
}

func parseObjects(dec *json.Decoder, b *Bundle) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%w: \"objects\" is %s, not an array", ErrNotBundle, describe(tok))
	}
	b.Objects = make([]Object, 0, 1024)
	for dec.More() {
		n := len(b.Objects)
		b.Objects = append(b.Objects, Object{})
		o := &b.Objects[n]
		if err := dec.Decode(o); err != nil {
			after := ""
			if n > 0 {
				after = " (after " + b.Objects[n-1].ID + ")"
			}
			return fmt.Errorf("object #%d%s: %w", n+1, after, syntaxError(err))
		}
		if o.Type == "" {
			return fmt.Errorf("object #%d (%s): missing \"type\"", n+1, o.ID)
		}
		if o.ID == "" {
			return fmt.Errorf("object #%d (type %s, name %q): missing \"id\"", n+1, o.Type, o.Name)
		}
		if !strings.HasPrefix(o.ID, o.Type+"--") {
			return fmt.Errorf("object #%d: id %q does not match its type %q", n+1, o.ID, o.Type)
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(err)
	}
	return nil
}

// syntaxError turns the decoder's terse errors into ones a user can act on.
func syntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated JSON: the file ends early (incomplete download?): %w", io.ErrUnexpectedEOF)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q has a %s where %s is expected: %w", te.Field, te.Value, te.Type, err)
	}
	return err
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return "'" + v.String() + "'"
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
