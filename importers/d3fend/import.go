package d3fend

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/attackid"
	"github.com/aegis-sec/aegis/importers/internal/attackref"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Kind is the import kind.
const Kind = "d3fend"

// MaxFileSize bounds one file (the largest API answer is 2.1 MB; T1546.json
// upstream is over 4 MB).
const MaxFileSize = 16 << 20

// Import reads D3FEND technique lists and ATT&CK mapping answers from src
// and upserts d3fend_techniques (keeping the organisation's status) and
// d3fend_mappings (unique technique + countermeasure) in one transaction.
// Mappings whose ATT&CK technique is not in the catalogue are reported.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var listed []Technique
	defs := map[string]defInfo{}       // def uri or label → info
	vias := map[pair]map[string]bool{} // distinct pairs → artifacts
	badIDs := map[string]bool{}
	err := filewalk.Each(ctx, src, filewalk.Ext(".json", ".csv"), MaxFileSize, rep, opts.Progress, "parse",
		func(p string, data []byte) error {
			if strings.EqualFold(path.Ext(p), ".csv") {
				ts, notes, err := ParseCSV(data)
				if err != nil {
					return err
				}
				for _, n := range notes {
					rep.Skipped = append(rep.Skipped, importers.Skip{Id: p, Reason: n})
				}
				listed = append(listed, ts...)
				return nil
			}
			err := ParseMappings(data, func(off string, d defInfo, via string) {
				id, kind := attackid.Normalize(off)
				if kind != attackid.Technique {
					badIDs[off] = true
					return
				}
				key := d.uri
				if key == "" {
					key = d.label
				}
				if _, ok := defs[key]; !ok {
					defs[key] = d
				}
				k := pair{id, key}
				if vias[k] == nil {
					vias[k] = map[string]bool{}
				}
				if via != "" {
					vias[k][via] = true
				}
				rep.Counts["bindings"]++
			})
			if errors.Is(err, errNotMapping) {
				rep.Skipped = append(rep.Skipped, importers.Skip{Id: p, Reason: err.Error()})
				return nil
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("import d3fend %s: %w", src, err)
	}
	for id := range badIDs {
		rep.Skipped = append(rep.Skipped, importers.Skip{Id: id, Reason: "malformed ATT&CK id in mapping"})
	}

	all, defID := resolveDefs(listed, defs, rep)

	err = store.Commit(ctx, app, rep, opts, collections.D3fendTechniques, func(tx core.App, details map[string]any) error {
		return write(ctx, tx, all, defID, vias, rep, details, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("import d3fend %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

// resolveDefs resolves every mapped defensive technique to a listed one by
// name or ontology name; the rest become techniques of their own (D3FEND's
// API knows the Restore tactic that the 0.14.0 list lacks). It returns all
// techniques and def key → d3fend_id.
func resolveDefs(listed []Technique, defs map[string]defInfo, rep *importers.Report) ([]Technique, map[string]string) {
	byName := map[string]int{}
	for i, t := range listed {
		byName[squash(t.Name)] = i
	}
	all := append([]Technique{}, listed...)
	defID := map[string]string{} // def key → d3fend_id
	for key, d := range defs {
		if i, ok := byName[squash(d.label)]; ok {
			defID[key] = all[i].ID
			if all[i].URI == "" {
				all[i].URI = d.uri
			}
			continue
		}
		if i, ok := byName[squash(fragment(d.uri))]; ok && d.uri != "" {
			defID[key] = all[i].ID
			continue
		}
		name := d.label
		if name == "" {
			name = fragment(d.uri)
		}
		t := Technique{ID: "d3f:" + strings.ReplaceAll(fragment(key), " ", ""), Name: name, Tactic: d.tactic, URI: d.uri}
		byName[squash(name)] = len(all)
		all = append(all, t)
		defID[key] = t.ID
		rep.Counts["techniques_from_mappings"]++
	}
	return all, defID
}

func write(ctx context.Context, tx core.App, all []Technique, defID map[string]string, vias map[pair]map[string]bool,
	rep *importers.Report, details map[string]any, opts importers.Options) error {
	ids, err := writeTechniques(tx, all, rep)
	if err != nil {
		return err
	}
	keys := make([]pair, 0, len(vias))
	for k := range vias {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].attack < keys[j].attack || keys[i].attack == keys[j].attack && keys[i].def < keys[j].def
	})
	details["pairs"] = len(keys)
	rep.Counts["pairs"] = len(keys)
	return writeMappings(ctx, tx, keys, ids, defID, vias, rep, opts)
}

// writeTechniques upserts the defensive techniques (status belongs to the
// organisation: written on insert only) and returns d3fend_id → record id.
func writeTechniques(tx core.App, all []Technique, rep *importers.Report) (map[string]string, error) {
	up, err := store.New(tx, store.Spec{Collection: collections.D3fendTechniques, Key: []string{"d3fend_id"},
		Columns:    []string{"d3fend_id", "name", "tactic", "definition", "level0", "level1", "uri"},
		HashColumn: "content_hash", OnInsert: map[string]any{"status": "not_implemented"}})
	if err != nil {
		return nil, err
	}
	defer up.Close()
	ids := make(map[string]string, len(all))
	for _, t := range all {
		_, id, err := up.Put(map[string]any{"d3fend_id": t.ID, "name": t.Name, "tactic": t.Tactic,
			"definition": t.Definition, "level0": t.Level0, "level1": t.Level1, "uri": t.URI})
		if err != nil {
			return nil, err
		}
		ids[t.ID] = id
	}
	store.Add(rep, up.Counts())
	rep.Counts["techniques"] = len(all)
	return ids, nil
}

// writeMappings upserts the ATT&CK → D3FEND pairs. A pair whose ATT&CK id
// the catalogue lacks waits as a pending reference; a mapping of a
// technique this run speaks about that the run no longer lists disappeared
// upstream: marked removed, never deleted (it comes back when upstream
// lists it again).
func writeMappings(ctx context.Context, tx core.App, keys []pair, ids, defID map[string]string,
	vias map[pair]map[string]bool, rep *importers.Report, opts importers.Options) error {
	techs, err := store.Techniques(tx)
	if err != nil {
		return err
	}
	up, err := store.New(tx, store.Spec{Collection: collections.D3fendMappings, Key: []string{"technique", "d3fend"},
		Columns: []string{"technique", "d3fend", "via", "removed"}, Removed: "removed"})
	if err != nil {
		return err
	}
	defer up.Close()
	covered := map[string]bool{} // technique record ids this run lists mappings for
	written := map[[2]string]bool{}
	missing := map[string]int{}
	mapped := map[string]bool{}
	for n, k := range keys {
		if err := store.Tick(ctx, opts.Progress, n, len(keys), 500); err != nil {
			return err
		}
		d3 := defID[k.def]
		mapped[d3] = true
		via := joinVia(vias[k])
		tech, ok := techs[k.attack]
		if !ok {
			// Kept until an ATT&CK import brings the id (attackref).
			missing[k.attack]++
			if _, err := attackref.Remember(tx, attackref.Pending{Kind: collections.RefD3fendMapping, AttackID: k.attack,
				Owner: ids[d3], Data: map[string]any{"via": via}, Source: Kind}); err != nil {
				return err
			}
			continue
		}
		covered[tech] = true
		key := [2]string{tech, ids[d3]}
		if written[key] {
			// A revoked id and its successor name the same technique now.
			rep.Counts["pairs_merged_into_successor"]++
			continue
		}
		written[key] = true
		if _, _, err := up.Put(map[string]any{"technique": tech, "d3fend": ids[d3], "via": via, "removed": false}); err != nil {
			return fmt.Errorf("mapping %s → %s: %w", k.attack, d3, err)
		}
	}
	if err := retireMappings(tx, up, covered); err != nil {
		return err
	}
	store.Add(rep, up.Counts())
	rep.Counts["mapped_d3fend_techniques"] = len(mapped)
	rep.Counts["pairs_without_technique"] = 0
	for id, n := range missing {
		rep.Counts["pairs_without_technique"] += n
		store.Skip(rep, id, "ATT&CK technique not in the catalogue: %d D3FEND mapping(s) kept pending until an ATT&CK import brings it", n)
	}
	return nil
}

// retireMappings marks removed the mappings of covered techniques that
// this run did not write.
func retireMappings(tx core.App, up *store.Upserter, covered map[string]bool) error {
	var maps []struct {
		Id   string `db:"id"`
		Tech string `db:"technique"`
	}
	if err := tx.DB().NewQuery("SELECT [[id]], [[technique]] FROM {{d3fend_mappings}} WHERE [[removed]] = FALSE").All(&maps); err != nil {
		return fmt.Errorf("load mappings: %w", err)
	}
	for _, m := range maps {
		if up.Seen(m.Id) || !covered[m.Tech] {
			continue
		}
		if err := up.Retire(m.Id); err != nil {
			return err
		}
	}
	return nil
}

// joinVia lists a pair's artifacts, sorted and comma-joined.
func joinVia(set map[string]bool) string {
	list := make([]string, 0, len(set))
	for v := range set {
		list = append(list, v)
	}
	slices.Sort(list)
	return strings.Join(list, ", ")
}
