package coverage

// Views built on the model (the dashboard's metrics, the next techniques to
// test, ranked gaps, the compliance answers, the technique list of the
// matrix page) are kept with the model they were built from, like the
// matrix blob: the first request after a change builds them once, every
// other request reads them. A test change patched into the model, a reload
// and the fingerprint's catch of a bulk write all start a new state with
// none kept, so no view outlives the model it describes. Callers put in
// the key everything that changes the answer besides the model (the
// caller's visibility class, the query).

// View is the JSON view key, built by build on the model in use and kept,
// marshalled and gzipped, until the model changes.
func (e *Engine) View(key string, build func() (any, error)) (*Blob, error) {
	return e.cachedJSON("view|"+key, build)
}

// Memo is the value key, built by build on the model in use and kept until
// the model changes (for a caller that adds to it before answering).
func (e *Engine) Memo(key string, build func() (any, error)) (any, error) {
	s, err := e.state()
	if err != nil {
		return nil, err
	}
	key = "memo|" + key
	if v, ok := s.blobs.Load(key); ok {
		return v.(memo).v, nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	if s.cached.Add(1) <= maxCached {
		s.blobs.Store(key, memo{v})
	}
	return v, nil
}

// memo wraps a kept value among the state's blobs (keys "memo|…" only).
type memo struct{ v any }

// TechniqueRow is one live technique as the matrix page lists it.
type TechniqueRow struct {
	ID             string   `json:"id"`
	AttackID       string   `json:"attack_id"`
	Name           string   `json:"name"`
	Tactics        []string `json:"tactics"`
	Platforms      []string `json:"platforms"`
	IsSubtechnique bool     `json:"is_subtechnique"`
	Parent         string   `json:"parent"`
	InScope        bool     `json:"in_scope"`
	Priority       string   `json:"priority"`
}

// TechniqueRows lists the techniques of domain ("" for every domain), in
// ATT&CK id order: the live ones, and the revoked or deprecated ones too
// when retired is set (what a test or a finding may still point at).
func (d *Data) TechniqueRows(domain string, retired bool) []TechniqueRow {
	out := []TechniqueRow{}
	for i := range d.Techniques {
		t := &d.Techniques[i]
		if (t.Retired && !retired) || (domain != "" && t.Domain != domain) {
			continue
		}
		out = append(out, TechniqueRow{ID: t.ID, AttackID: t.AttackID, Name: t.Name, Tactics: nonNil(t.Tactics),
			Platforms: nonNil(t.Platforms), IsSubtechnique: t.IsSub, Parent: t.Parent, InScope: t.InScope, Priority: t.Priority})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
