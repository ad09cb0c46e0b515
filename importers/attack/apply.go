package attack

import (
	"fmt"
	"sort"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// planActorTechniques turns group → technique "uses" into actor_techniques
// rows keyed by (actor, technique), and lists the rows this domain's
// earlier imports created that upstream no longer has.
func (st *state) planActorTechniques(rel *relations) ([]*row, []string, error) {
	prev, err := loadExisting(st.tx, actorTechniquesTable)
	if err != nil {
		return nil, nil, err
	}
	byPair := make(map[string]existing, len(prev))
	for _, p := range prev {
		byPair[p.actor+"|"+p.technique] = p
	}
	seen := map[string]bool{}
	var out []*row
	for _, o := range rel.actorUses {
		actor, technique := st.ids[o.SourceRef], st.ids[o.TargetRef]
		key := actor + "|" + technique
		if seen[key] {
			st.cat.skip("second uses relationship between the same group and technique", o.ID)
			continue
		}
		seen[key] = true
		vals := []any{actor, technique, o.Description, jsonOf(nonNil(o.ExternalReferences)), o.ID, "attack"}
		r := &row{attackID: o.ID, vals: vals, hash: st.hash(vals)}
		if p, ok := byPair[key]; ok {
			if p.source != "" && p.source != "attack" {
				// A procedure someone wrote by hand (or from intel) wins.
				st.cat.skip("group/technique procedure kept as curated by hand", o.ID)
				continue
			}
			r.id = p.id
			if p.hash == r.hash {
				st.rep.Unchanged++
				continue
			}
			st.rep.Updated++
		} else {
			r.id, r.isNew = core.GenerateDefaultRandomId(), true
			st.rep.Created++
		}
		out = append(out, r)
	}
	var gone []string
	if st.cat.fullRelease {
		for key, p := range byPair {
			if !seen[key] && p.source == "attack" && st.techDomain[p.technique] == st.cat.domain {
				gone = append(gone, p.id)
			}
		}
		sort.Strings(gone)
	}
	return out, gone, nil
}

type testMove struct {
	test, from, to string
}

// planTestMoves finds tests on revoked techniques of this import and the
// successor each should move to, following revoked-by chains to an active
// technique.
func (st *state) planTestMoves(rel *relations) ([]testMove, error) {
	successor := map[string]string{} // technique record id → successor record id
	for _, o := range st.cat.order {
		if o.Type != "attack-pattern" || !o.Revoked {
			continue
		}
		cur := o.ID
		for hops := 0; hops < 16; hops++ {
			next, ok := rel.revokedBy[cur]
			if !ok || stixType(next) != "attack-pattern" {
				break
			}
			cur = next
			if n, ok := st.cat.byID[cur]; ok && !n.Revoked {
				successor[st.ids[o.ID]] = st.ids[cur]
				break
			}
		}
	}
	if len(successor) == 0 {
		return nil, nil
	}
	ids := make([]any, 0, len(successor))
	for id := range successor {
		ids = append(ids, id)
	}
	var rows []struct {
		Id        string `db:"id"`
		Technique string `db:"technique"`
	}
	if err := st.tx.DB().Select("id", "technique").From("tests").Where(dbx.In("technique", ids...)).
		OrderBy("id").All(&rows); err != nil {
		return nil, fmt.Errorf("find tests on revoked techniques: %w", err)
	}
	moves := make([]testMove, len(rows))
	for i, r := range rows {
		moves[i] = testMove{test: r.Id, from: r.Technique, to: successor[r.Technique]}
	}
	return moves, nil
}

// moveTests points tests at their technique's successor, bumps their
// revision (an open editor gets a conflict rather than overwriting) and
// audits each move in the same transaction.
func (st *state) moveTests(moves []testMove, opts importers.Options) error {
	if len(moves) == 0 {
		return nil
	}
	attackIDs := map[string]string{}
	for _, o := range st.cat.order {
		if o.Type == "attack-pattern" {
			aid, _ := o.attackRef()
			attackIDs[st.ids[o.ID]] = aid
		}
	}
	q := store.NewSetter(st.tx, store.Set{Collection: "tests", Columns: []string{"technique"}, Touch: true, Revision: true})
	defer q.Close()
	for _, m := range moves {
		if err := q.Set(m.test, m.to); err != nil {
			return fmt.Errorf("move test %s to the successor technique: %w", m.test, err)
		}
		from, to := attackIDs[m.from], attackIDs[m.to]
		st.changes.MovedTests = append(st.changes.MovedTests, MovedTest{Test: m.test, From: from, To: to})
		if err := audit.Write(st.tx, audit.Entry{Actor: opts.Actor, ActorKind: store.ActorKind(opts.Actor), Action: "technique_revoked",
			Collection: "tests", RecordId: m.test, Details: map[string]any{
				"technique": map[string]any{"old": m.from, "new": m.to},
				"from":      from, "to": to, "domain": st.cat.domain, "version": st.cat.version,
			}}); err != nil {
			return fmt.Errorf("audit test move %s: %w", m.test, err)
		}
	}
	return nil
}

// record writes the attack_releases changelog and the summary audit entry.
func (st *state) record(opts importers.Options) error {
	col, err := st.tx.FindCachedCollectionByNameOrId("attack_releases")
	if err != nil {
		return err
	}
	sort.Strings(st.changes.Added)
	sort.Strings(st.changes.Changed)
	sort.Strings(st.changes.Revoked)
	sort.Strings(st.changes.Deprecated)
	rep := st.rep
	stats := map[string]any{"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged,
		"removed": rep.Removed, "revoked": rep.Revoked, "deprecated": rep.Deprecated, "counts": rep.Counts,
		"files": rep.Files, "moved_tests": len(st.changes.MovedTests),
		"resolved_references": st.changes.Resolved.Total(), "still_unknown_rules": st.changes.Resolved.StillUnknownRules}
	r := core.NewRecord(col)
	r.Set("domain", st.cat.domain)
	r.Set("version", st.cat.version)
	r.Set("imported_at", st.now)
	r.Set("changes", st.changes)
	r.Set("stats", stats)
	r.Set("source", rep.Source)
	if err := st.tx.Save(r); err != nil {
		return fmt.Errorf("record the release: %w", err)
	}
	details := map[string]any{"kind": Kind, "domain": st.cat.domain, "version": st.cat.version, "source": rep.Source,
		"release": r.Id}
	for k, v := range stats {
		details[k] = v
	}
	return audit.Write(st.tx, audit.Entry{Actor: opts.Actor, ActorKind: store.ActorKind(opts.Actor), Action: "import",
		Collection: "attack_releases", RecordId: r.Id, Details: details})
}
