package d3fend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attackid"
	"github.com/aegis-sec/aegis/importers/attackref"
	"github.com/aegis-sec/aegis/importers/filewalk"
	"github.com/aegis-sec/aegis/importers/rulestore"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
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
	rep := &importers.Report{Kind: Kind, Source: src.String(), Skipped: []importers.Skip{},
		FileErrors: []importers.FileError{}, Counts: map[string]int{}}
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

	// Resolve every mapped defensive technique to a listed one by name or
	// ontology name; the rest become techniques of their own (D3FEND's API
	// knows the Restore tactic that the 0.14.0 list lacks).
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

	err = app.RunInTransaction(func(tx core.App) error {
		return write(ctx, tx, all, defID, vias, rep, opts)
	})
	if err != nil {
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
		return nil, fmt.Errorf("import d3fend %s: %w", src, err)
	}
	rep.NoChange = rep.Created+rep.Updated+rep.Removed == 0
	rep.Duration = time.Since(start)
	rep.Seconds = rep.Duration.Seconds()
	return rep, nil
}

func write(ctx context.Context, tx core.App, all []Technique, defID map[string]string, vias map[pair]map[string]bool,
	rep *importers.Report, opts importers.Options) error {
	now := types.NowDateTime().String()
	var existing []struct {
		Id   string `db:"id"`
		D3   string `db:"d3fend_id"`
		Hash string `db:"content_hash"`
	}
	if err := tx.DB().NewQuery("SELECT id, d3fend_id, content_hash FROM {{" + collections.D3fendTechniques + "}}").All(&existing); err != nil {
		return err
	}
	ids := map[string]string{}
	hashes := map[string]string{}
	for _, e := range existing {
		ids[e.D3], hashes[e.D3] = e.Id, e.Hash
	}
	ins := tx.DB().NewQuery(`INSERT INTO {{d3fend_techniques}} (id, d3fend_id, name, tactic, definition, level0, level1, uri,
		status, content_hash, created, updated) VALUES ({:id}, {:d3}, {:name}, {:tactic}, {:def}, {:l0}, {:l1}, {:uri},
		'not_implemented', {:hash}, {:now}, {:now})`).Prepare()
	defer ins.Close()
	// status belongs to the organisation and is never overwritten.
	upd := tx.DB().NewQuery(`UPDATE {{d3fend_techniques}} SET name = {:name}, tactic = {:tactic}, definition = {:def},
		level0 = {:l0}, level1 = {:l1}, uri = {:uri}, content_hash = {:hash}, updated = {:now} WHERE id = {:id}`).Prepare()
	defer upd.Close()
	for _, t := range all {
		sum := sha256.Sum256([]byte(strings.Join([]string{t.ID, t.Name, t.Tactic, t.Definition, t.Level0, t.Level1, t.URI}, "\x00")))
		hash := hex.EncodeToString(sum[:])
		params := dbx.Params{"d3": t.ID, "name": t.Name, "tactic": t.Tactic, "def": t.Definition, "l0": t.Level0,
			"l1": t.Level1, "uri": t.URI, "hash": hash, "now": now}
		if id, ok := ids[t.ID]; ok {
			if hashes[t.ID] == hash {
				rep.Unchanged++
				continue
			}
			params["id"] = id
			if _, err := upd.Bind(params).Execute(); err != nil {
				return fmt.Errorf("update %s: %w", t.ID, err)
			}
			rep.Updated++
			continue
		}
		params["id"] = core.GenerateDefaultRandomId()
		if _, err := ins.Bind(params).Execute(); err != nil {
			return fmt.Errorf("insert %s: %w", t.ID, err)
		}
		ids[t.ID] = params["id"].(string)
		rep.Created++
	}
	rep.Counts["techniques"] = len(all)

	techs, err := rulestore.TechniqueIndex(tx)
	if err != nil {
		return err
	}
	var maps []struct {
		Id      string `db:"id"`
		Tech    string `db:"technique"`
		D3      string `db:"d3fend"`
		Via     string `db:"via"`
		Removed bool   `db:"removed"`
	}
	if err := tx.DB().NewQuery("SELECT id, technique, d3fend, via, removed FROM {{" + collections.D3fendMappings + "}}").All(&maps); err != nil {
		return err
	}
	old := map[[2]string][2]string{}
	wasRemoved := map[string]bool{}
	for _, m := range maps {
		old[[2]string{m.Tech, m.D3}] = [2]string{m.Id, m.Via}
		wasRemoved[m.Id] = m.Removed
	}
	mins := tx.DB().NewQuery(`INSERT INTO {{d3fend_mappings}} (id, technique, d3fend, via, removed, created, updated)
		VALUES ({:id}, {:t}, {:d}, {:via}, FALSE, {:now}, {:now})`).Prepare()
	defer mins.Close()
	mupd := tx.DB().NewQuery(`UPDATE {{d3fend_mappings}} SET via = {:via}, removed = FALSE, updated = {:now} WHERE id = {:id}`).Prepare()
	defer mupd.Close()
	covered := map[string]bool{} // technique record ids this run lists mappings for
	seenPair := map[string]bool{}
	written := map[[2]string]bool{}

	keys := make([]pair, 0, len(vias))
	for k := range vias {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].attack < keys[j].attack || keys[i].attack == keys[j].attack && keys[i].def < keys[j].def
	})
	missing := map[string]int{}
	mapped := map[string]bool{}
	for n, k := range keys {
		if n%500 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress("write", n, len(keys))
			}
		}
		d3 := defID[k.def]
		mapped[d3] = true
		list := make([]string, 0, len(vias[k]))
		for v := range vias[k] {
			list = append(list, v)
		}
		slices.Sort(list)
		via := strings.Join(list, ", ")
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
		if o, ok := old[key]; ok {
			seenPair[o[0]] = true
			if o[1] == via && !wasRemoved[o[0]] {
				rep.Unchanged++
				continue
			}
			if _, err := mupd.Bind(dbx.Params{"id": o[0], "via": via, "now": now}).Execute(); err != nil {
				return err
			}
			rep.Updated++
			continue
		}
		if _, err := mins.Bind(dbx.Params{"id": core.GenerateDefaultRandomId(), "t": tech, "d": ids[d3], "via": via, "now": now}).Execute(); err != nil {
			return fmt.Errorf("insert mapping %s → %s: %w", k.attack, d3, err)
		}
		old[key] = [2]string{"", via}
		rep.Created++
	}
	// A mapping of a technique this run speaks about that the run no longer
	// lists disappeared upstream: marked removed, never deleted (it comes
	// back when upstream lists it again).
	retire := tx.DB().NewQuery(`UPDATE {{d3fend_mappings}} SET removed = TRUE, updated = {:now} WHERE id = {:id}`).Prepare()
	defer retire.Close()
	for _, m := range maps {
		if m.Removed || seenPair[m.Id] || !covered[m.Tech] {
			continue
		}
		if _, err := retire.Bind(dbx.Params{"id": m.Id, "now": now}).Execute(); err != nil {
			return fmt.Errorf("mark mapping removed: %w", err)
		}
		rep.Removed++
	}
	rep.Counts["pairs"] = len(keys)
	rep.Counts["mapped_d3fend_techniques"] = len(mapped)
	rep.Counts["pairs_without_technique"] = 0
	for id, n := range missing {
		rep.Counts["pairs_without_technique"] += n
		rep.Skipped = append(rep.Skipped, importers.Skip{Id: id,
			Reason: fmt.Sprintf("ATT&CK technique not in the catalogue: %d D3FEND mapping(s) kept pending until an ATT&CK import brings it", n)})
	}
	if rep.Created+rep.Updated+rep.Removed == 0 {
		return nil
	}
	kind := audit.KindSystem
	if opts.Actor != "" {
		kind = audit.KindUser
	}
	return audit.Write(tx, audit.Entry{Actor: opts.Actor, ActorKind: kind, Action: "import", Collection: collections.D3fendTechniques,
		Details: map[string]any{"kind": Kind, "created": rep.Created, "updated": rep.Updated, "pairs": len(keys)}})
}
