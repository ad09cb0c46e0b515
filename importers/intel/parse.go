// Package intel imports threat intelligence from STIX 2.1 bundles (files,
// folders, URLs or TAXII collections through the source layer): every
// `report` becomes an intel_reports record with the ATT&CK techniques and
// threat actors it references, and every Attack Flow (`attack-flow` with
// `attack-action` technique_id values) is treated as a report of its own.
// Actor–technique pairs the catalogue does not know yet are flagged in
// new_links; a weekly scan tells the leads which newly reported techniques
// are poorly covered.
package intel

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aegis-sec/aegis/importers/internal/attackid"
)

// Report is one report found in a bundle.
type Report struct {
	ExternalID string // the STIX id of the report or attack-flow
	Kind       string // report or attack-flow
	Title      string
	Published  string // RFC 3339 as written
	URL        string
	Summary    string
	Techniques []string // canonical ATT&CK ids
	Malformed  []string // technique references that are not ATT&CK ids
	Actors     []Actor
}

// Actor is a threat actor a report names.
type Actor struct {
	StixID      string
	AttackID    string // G0016 when the object carries one
	Name        string
	Aliases     []string
	Description string
}

type extRef struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id"`
	URL        string `json:"url"`
}

type object struct {
	Type        string          `json:"type"`
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Published   string          `json:"published"`
	Created     string          `json:"created"`
	Modified    string          `json:"modified"`
	ObjectRefs  []string        `json:"object_refs"`
	Aliases     []string        `json:"aliases"`
	ExtRefs     []extRef        `json:"external_references"`
	TechniqueID json.RawMessage `json:"technique_id"`
}

// ErrNoReport marks a valid bundle that holds no report or attack flow.
var ErrNoReport = errors.New("bundle holds no report or attack-flow")

// Parse reads one STIX 2.x bundle and returns its reports. Anything that is
// not a bundle (e.g. a bare STIX object) is an error naming what it is.
func Parse(data []byte) ([]Report, error) {
	var head struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if head.Type != "bundle" {
		if head.Type == "" {
			return nil, errors.New("not a STIX bundle: no \"type\"")
		}
		return nil, fmt.Errorf("not a STIX bundle: a bare %q object", head.Type)
	}
	objs := make([]object, 0, len(head.Objects))
	byID := map[string]*object{}
	for i, raw := range head.Objects {
		var o object
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, fmt.Errorf("objects[%d]: %w", i, err)
		}
		objs = append(objs, o)
	}
	for i := range objs {
		byID[objs[i].ID] = &objs[i]
	}
	var out []Report
	for i := range objs {
		o := &objs[i]
		switch o.Type {
		case "report":
			out = append(out, fromReport(o, byID))
		case "attack-flow":
			out = append(out, fromFlow(o, objs))
		}
	}
	if len(out) == 0 {
		return nil, ErrNoReport
	}
	return out, nil
}

func newReport(o *object, kind string) Report {
	r := Report{ExternalID: o.ID, Kind: kind, Title: strings.TrimSpace(o.Name), Summary: o.Description, Published: o.Published}
	if r.Published == "" {
		r.Published = o.Created
	}
	if r.Title == "" {
		r.Title = o.ID
	}
	for _, e := range o.ExtRefs {
		if e.URL != "" {
			r.URL = e.URL
			break
		}
	}
	r.addMentions(o.Name + "\n" + o.Description)
	return r
}

func (r *Report) addTechnique(id string) {
	if !slices.Contains(r.Techniques, id) {
		r.Techniques = append(r.Techniques, id)
	}
}

func (r *Report) addMentions(text string) {
	for _, id := range attackid.Mentions(text) {
		r.addTechnique(id)
	}
}

func (r *Report) addActor(o *object) {
	a := Actor{StixID: o.ID, Name: strings.TrimSpace(o.Name), Aliases: o.Aliases, Description: o.Description}
	for _, e := range o.ExtRefs {
		if e.SourceName == "mitre-attack" {
			if id, k := attackid.Normalize(e.ExternalID); k == attackid.Group {
				a.AttackID = id
			}
		}
	}
	if a.Name == "" {
		return
	}
	for _, x := range r.Actors {
		if x.StixID == a.StixID {
			return
		}
	}
	r.Actors = append(r.Actors, a)
}

// attackPattern adds an attack-pattern's ATT&CK id (external reference with
// source_name mitre-attack) and any ids its text mentions.
func (r *Report) attackPattern(o *object) {
	for _, e := range o.ExtRefs {
		if e.SourceName != "mitre-attack" {
			continue
		}
		if id, k := attackid.Normalize(e.ExternalID); k == attackid.Technique {
			r.addTechnique(id)
		} else if e.ExternalID != "" {
			r.Malformed = append(r.Malformed, e.ExternalID)
		}
	}
	r.addMentions(o.Name + "\n" + o.Description)
}

func fromReport(o *object, byID map[string]*object) Report {
	r := newReport(o, "report")
	for _, ref := range o.ObjectRefs {
		t := byID[ref]
		if t == nil {
			continue
		}
		switch t.Type {
		case "attack-pattern":
			r.attackPattern(t)
		case "intrusion-set", "threat-actor":
			r.addActor(t)
		}
	}
	return r
}

// fromFlow reads an Attack Flow: the flow is the report, its actions'
// technique_id values (often hand-typed: "T1105 ", "T1218/011",
// "T1072; T1505") its techniques and the bundle's actors its actors.
func fromFlow(o *object, objs []object) Report {
	r := newReport(o, "attack-flow")
	for i := range objs {
		t := &objs[i]
		switch t.Type {
		case "attack-action":
			var s string
			if len(t.TechniqueID) == 0 || json.Unmarshal(t.TechniqueID, &s) != nil || strings.TrimSpace(s) == "" {
				continue
			}
			ids, bad := attackid.Techniques(s)
			for _, id := range ids {
				r.addTechnique(id)
			}
			r.Malformed = append(r.Malformed, bad...)
		case "attack-pattern":
			r.attackPattern(t)
		case "intrusion-set", "threat-actor":
			r.addActor(t)
		}
	}
	return r
}
