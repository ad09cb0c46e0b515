// Package attackid normalises and validates MITRE ATT&CK identifiers as they
// appear in third-party content: Sigma tags ("attack.t1059.001"), Elastic
// threat mappings, Attack Flow technique_id values with stray whitespace or
// wrong separators (" T1105 ", "T1218/011", "T1072; T1505") and free text.
package attackid

import (
	"regexp"
	"strings"
)

// Kind says what an identifier names.
type Kind int

const (
	Invalid    Kind = iota
	Technique       // T1059 or T1059.001
	Tactic          // TA0002
	Group           // G0016
	Software        // S0154
	Mitigation      // M1036
	Campaign        // C0024
)

var (
	techniqueRe = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	otherRe     = regexp.MustCompile(`^(TA|G|S|M|C)\d{4}$`)
	// mentionRe finds technique ids inside prose; "/" is accepted as a
	// sub-technique separator because real reports write T1218/011.
	mentionRe = regexp.MustCompile(`\bT\d{4}(?:[./]\d{3})?\b`)
	splitRe   = regexp.MustCompile(`[;,\s|]+`)
)

// Normalize cleans one identifier: trims space, drops an "attack." tag
// prefix, upper-cases, turns "T1218/011" and "T1218_011" into "T1218.011".
// It returns the canonical id and its kind, or Invalid for anything that is
// not a well-formed ATT&CK id (e.g. "N/A", MBC ids like "B0019", "T1078.00").
func Normalize(s string) (string, Kind) {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "attack.") {
		s = s[7:]
	}
	s = strings.ToUpper(s)
	if len(s) == 9 && s[0] == 'T' && (s[5] == '/' || s[5] == '_') {
		s = s[:5] + "." + s[6:]
	}
	switch {
	case techniqueRe.MatchString(s):
		return s, Technique
	case otherRe.MatchString(s):
		switch {
		case strings.HasPrefix(s, "TA"):
			return s, Tactic
		case s[0] == 'G':
			return s, Group
		case s[0] == 'S':
			return s, Software
		case s[0] == 'M':
			return s, Mitigation
		case s[0] == 'C':
			return s, Campaign
		}
	}
	return s, Invalid
}

// Techniques splits a value that may list several ids ("T1072; T1505;
// T1203") and returns the well-formed technique ids in order, without
// duplicates, and the parts that were not technique ids.
func Techniques(s string) (ids, bad []string) {
	seen := map[string]bool{}
	for _, part := range splitRe.Split(strings.TrimSpace(s), -1) {
		if part == "" {
			continue
		}
		id, k := Normalize(part)
		if k != Technique {
			bad = append(bad, part)
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 && len(bad) > 1 {
		// "T1218 011"-style splits are not worth guessing; report the whole value once.
		bad = []string{strings.TrimSpace(s)}
	}
	return ids, bad
}

// Mentions returns the technique ids written in free text, canonical,
// in order of first appearance, without duplicates.
func Mentions(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionRe.FindAllString(text, -1) {
		id, k := Normalize(m)
		if k == Technique && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Parent returns the parent technique of a sub-technique id (T1059.001 →
// T1059) and the id itself otherwise.
func Parent(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}

// SigmaTag classifies a Sigma tag. Technique, group and software tags give
// their id; tactic tags ("attack.execution") give Tactic with the tactic's
// shortname ("execution"). Other tags (cve.*, car.*, detection.*) give Invalid.
func SigmaTag(tag string) (string, Kind) {
	t := strings.ToLower(strings.TrimSpace(tag))
	if !strings.HasPrefix(t, "attack.") {
		return "", Invalid
	}
	rest := t[7:]
	if id, k := Normalize(rest); k != Invalid {
		return id, k
	}
	if rest != "" && strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz_-") == "" {
		return strings.ReplaceAll(rest, "_", "-"), Tactic
	}
	return rest, Invalid
}
