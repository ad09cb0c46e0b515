package attack

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aegis-sec/aegis/importers"
)

// catalogue is the merged object set of one import, indexed for resolving
// relationships.
type catalogue struct {
	byID          map[string]*Object
	order         []*Object // bundle order, duplicates removed
	relationships []*Object
	domain        string // enterprise-attack, mobile-attack, ics-attack
	version       string
	fullRelease   bool // a matrix is present: relationships absent upstream may be removed
	counts        map[string]int
	skips         map[string][]string // reason → ids
}

func (c *catalogue) skip(reason, id string) {
	c.skips[reason] = append(c.skips[reason], id)
}

// merge adds the objects of one bundle. The same object twice is fine (a
// repository holds both the domain bundle and per-object files) as long as
// it is the same version; two versions of one id are an error.
func (c *catalogue) merge(b *Bundle) error {
	for i := range b.Objects {
		o := &b.Objects[i]
		if prev, ok := c.byID[o.ID]; ok {
			if prev.Modified != o.Modified || prev.Name != o.Name || prev.Revoked != o.Revoked {
				return fmt.Errorf("duplicate id %s with different content (modified %q and %q)", o.ID, prev.Modified, o.Modified)
			}
			c.skip("duplicate of an identical object", o.ID)
			continue
		}
		c.byID[o.ID] = o
		c.order = append(c.order, o)
		key := o.Type
		if o.Type == "relationship" {
			key = "relationship/" + o.RelationshipType
			c.relationships = append(c.relationships, o)
		}
		c.counts[key]++
	}
	return nil
}

// domainOf maps x_mitre_domains to the catalogue's domain values.
var knownDomains = map[string]bool{"enterprise-attack": true, "mobile-attack": true, "ics-attack": true}

// detectDomain decides which ATT&CK domain the import is: the matrices say
// so; without a matrix (a partial TAXII page set) the techniques' domains.
func (c *catalogue) detectDomain() error {
	found := map[string]bool{}
	for _, o := range c.order {
		if o.Type == "x-mitre-matrix" {
			id, _ := o.attackRef()
			if knownDomains[id] {
				found[id] = true
			} else {
				for _, d := range o.Domains {
					if knownDomains[d] {
						found[d] = true
					}
				}
			}
		}
	}
	c.fullRelease = len(found) > 0
	if len(found) == 0 {
		for _, o := range c.order {
			if o.Type == "attack-pattern" || o.Type == "x-mitre-tactic" {
				for _, d := range o.Domains {
					if knownDomains[d] {
						found[d] = true
					}
				}
			}
		}
	}
	var list []string
	for d := range found {
		list = append(list, d)
	}
	sort.Strings(list)
	switch len(list) {
	case 0:
		return fmt.Errorf("no ATT&CK matrix, tactic or technique found: this bundle is not an ATT&CK release")
	case 1:
		c.domain = list[0]
		return nil
	}
	return fmt.Errorf("the source holds more than one ATT&CK domain (%s); import each domain's bundle separately", strings.Join(list, ", "))
}

var versionInName = regexp.MustCompile(`(?i)(?:attack[-_]?v?|-v?)(\d{1,2}\.\d{1,2})(?:[^\d]|$)`)

// detectVersion: the x-mitre-collection's version (STIX 2.1 releases), else
// a version in a file or source name (enterprise-attack-18.1.json,
// ATT&CK-v18.1), else "unknown".
func (c *catalogue) detectVersion(names []string) {
	for _, o := range c.order {
		if o.Type == "x-mitre-collection" && o.Version != "" {
			c.version = o.Version
			return
		}
	}
	for _, n := range names {
		if m := versionInName.FindStringSubmatch(n); m != nil {
			c.version = m[1]
			return
		}
	}
	c.version = "unknown"
}

// skippedReport turns the aggregated skips into report entries: one per
// reason, naming up to five ids.
func (c *catalogue) skippedReport() []importers.Skip {
	reasons := make([]string, 0, len(c.skips))
	for r := range c.skips {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	out := []importers.Skip{}
	for _, r := range reasons {
		ids := c.skips[r]
		id := strings.Join(ids[:min(len(ids), 5)], ", ")
		if len(ids) > 5 {
			id += fmt.Sprintf(" and %d more", len(ids)-5)
		}
		out = append(out, importers.Skip{Id: id, Reason: fmt.Sprintf("%s (%d)", r, len(ids))})
	}
	return out
}
