package coverage

// Rescore is Compute for a model that differs from prev's only in the
// tests of the techniques touched: those techniques are scored again, and
// the roll-ups of their parents; every other score is carried over from
// prev (computed at prev's clock, at most the engine's MaxAge ago). It is
// what the engine does after a test change instead of scoring the
// organisation again.
func Rescore(prev *Result, d *Data, touched []string) *Result {
	want := make(map[string]bool, len(touched))
	for _, id := range touched {
		want[id] = true
	}
	ix := buildIndexFor(d, prev.Options, want)
	res := &Result{Data: d, Options: prev.Options, Own: make(map[string]*Score, len(prev.Own)),
		Rollup: make(map[string]*Score, len(prev.Rollup)), Subs: prev.Subs, ByAttack: prev.ByAttack}
	for k, v := range prev.Own {
		res.Own[k] = v
	}
	for k, v := range prev.Rollup {
		res.Rollup[k] = v
	}
	parents := map[string]bool{}
	for id := range want {
		t, ok := ix.techs[id]
		if !ok || t.Retired {
			continue
		}
		res.Own[id] = scoreTechnique(d, ix, t)
		if _, ok := prev.Rollup[id]; ok {
			parents[id] = true
		}
		if t.IsSub && t.Parent != "" {
			parents[t.Parent] = true
		}
	}
	for pid := range parents {
		p, ok := ix.techs[pid]
		subs := res.Subs[pid]
		if !ok || p.Retired || len(subs) == 0 {
			continue
		}
		res.Rollup[pid] = rollupOf(d, res, p, subs)
	}
	return res
}
