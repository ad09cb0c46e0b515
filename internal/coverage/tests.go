package coverage

import (
	"iter"
	"sort"
	"sync"
)

// AllTests yields every test of the model, read-only: the tests of a model
// built by hand (Data.Tests), then those of a loaded one by technique, in
// technique id order.
func (d *Data) AllTests() iter.Seq[*Test] {
	return func(yield func(*Test) bool) {
		for i := range d.GivenTests {
			if !yield(&d.GivenTests[i]) {
				return
			}
		}
		if len(d.byTech) == 0 {
			return
		}
		for _, tech := range d.testTechniques() {
			ts := d.byTech[tech]
			for i := range ts {
				if !yield(&ts[i]) {
					return
				}
			}
		}
	}
}

// TestsOf yields the tests of one technique, read-only.
func (d *Data) TestsOf(technique string) iter.Seq[*Test] {
	return func(yield func(*Test) bool) {
		for i := range d.GivenTests {
			if d.GivenTests[i].Technique == technique && !yield(&d.GivenTests[i]) {
				return
			}
		}
		ts := d.byTech[technique]
		for i := range ts {
			if !yield(&ts[i]) {
				return
			}
		}
	}
}

// NumTests is the number of tests in the model.
func (d *Data) NumTests() int { return len(d.GivenTests) + d.nTests }

// TestList is a copy of every test of the model, for callers that sort or
// filter them.
func (d *Data) TestList() []Test {
	out := make([]Test, 0, d.NumTests())
	for t := range d.AllTests() {
		out = append(out, *t)
	}
	return out
}

// testTechniques is the technique ids of byTech in order (a deterministic
// iteration), built once per Data.
func (d *Data) testTechniques() []string {
	l := &d.testOrder
	l.once.Do(func() {
		l.keys = make([]string, 0, len(d.byTech))
		for k := range d.byTech {
			l.keys = append(l.keys, k)
		}
		sort.Strings(l.keys)
	})
	return l.keys
}

// groupTests files tests by technique into d (the loaded form).
func (d *Data) groupTests(tests []Test) {
	if d.byTech == nil {
		d.byTech = map[string][]Test{}
	}
	for _, t := range tests {
		d.byTech[t.Technique] = append(d.byTech[t.Technique], t)
	}
	d.nTests += len(tests)
}

// interner shares equal strings: a loaded model holds each distinct name,
// id or value once, however many tests carry it.
type interner map[string]string

func (in interner) of(s string) string {
	if s == "" || in == nil {
		return ""
	}
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// sharedValues holds values derived from the organisation other than its
// tests (see Data.Shared).
type sharedValues struct{ m sync.Map }

// Shared returns the value under key, built once per loaded organisation:
// a model patched after a test change keeps the values of the model it was
// patched from, a full load (any other change) starts afresh. Use it only
// for values that do not depend on tests and whose sources invalidate the
// model (Watched). A model built by hand builds every time.
func (d *Data) Shared(key string, build func() (any, error)) (any, error) {
	if d.shared == nil {
		return build()
	}
	if v, ok := d.shared.m.Load(key); ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	v, _ = d.shared.m.LoadOrStore(key, v)
	return v, nil
}
