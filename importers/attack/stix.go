// Package attack imports MITRE ATT&CK STIX 2.0 and 2.1 bundles (enterprise,
// mobile, ICS) into the catalogue collections: tactics in matrix order,
// techniques and sub-techniques, data components, detection strategies and
// their analytics, mitigations, groups and the techniques they use,
// software, and revoked and deprecated objects. One import is one
// transaction; unchanged objects are not written.
package attack

import (
	"errors"
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

	// intrusion-set, malware, tool, campaign
	Aliases      []string `json:"aliases"`
	FirstSeen    string   `json:"first_seen"`
	LastSeen     string   `json:"last_seen"`
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
