package navigator

// Selected returns the technique ids a layer scores or annotates, in the
// order they first appear, each once: enabled entries with a score, a
// colour, a comment, metadata or links. A campaign planned from a layer
// gets one test per id.
func Selected(l *Layer) []string {
	if l == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range l.Techniques {
		if !t.IsEnabled() || seen[t.TechniqueID] {
			continue
		}
		if t.Score == nil && t.Color == "" && t.Comment == "" && len(t.Metadata) == 0 && len(t.Links) == 0 {
			continue
		}
		seen[t.TechniqueID] = true
		out = append(out, t.TechniqueID)
	}
	return out
}
