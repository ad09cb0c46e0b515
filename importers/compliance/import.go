package compliance

import (
	"context"
	"errors"
	"fmt"
	"path"
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
const Kind = "compliance"

// MaxFileSize bounds one file (the NIST r5 catalogue TSV is about 1.2 MB).
const MaxFileSize = 32 << 20

// framework gathers every file's data for one framework and version.
type framework struct {
	name, version string
	sources       []string
	controls      map[string]*Control
	order         []string
	mappings      map[[3]string]string // control, technique, type → source
}

// Name is the framework's unique name: its display name and version.
func (f *framework) Name() string {
	if f.version == "" {
		return f.name
	}
	return f.name + " " + f.version
}

func (f *framework) add(s *Set) {
	if !containsStr(f.sources, s.Source) {
		f.sources = append(f.sources, s.Source)
	}
	for _, c := range s.Controls {
		cur := f.controls[c.ID]
		if cur == nil {
			cc := c
			f.controls[c.ID] = &cc
			f.order = append(f.order, c.ID)
			continue
		}
		// The richer file wins field by field (a catalogue has descriptions,
		// a mapping file only names).
		if c.Title != "" {
			cur.Title = c.Title
		}
		if c.Family != "" {
			cur.Family = c.Family
		}
		if c.Description != "" {
			cur.Description = c.Description
		}
	}
	for _, m := range s.Mappings {
		tech := strings.TrimSpace(m.Technique)
		if id, kind := attackid.Normalize(tech); kind == attackid.Technique {
			tech = id
		}
		k := [3]string{m.Control, tech, m.Type}
		if _, ok := f.mappings[k]; !ok {
			f.mappings[k] = s.Source
		}
	}
}

// Import reads Mappings Explorer JSON, CTID TSV and simple CSV files from
// src and upserts frameworks, controls (keeping the organisation's status,
// owner and notes) and control mappings in one transaction. Mappings of a
// framework and format that the source no longer lists are deleted: they
// carry no organisation data.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := &importers.Report{Kind: Kind, Source: src.String(), Skipped: []importers.Skip{},
		FileErrors: []importers.FileError{}, Counts: map[string]int{}}
	fws := map[string]*framework{}
	var order []string
	collect := func(s *Set) {
		key := s.Framework + "\x00" + s.Version
		f := fws[key]
		if f == nil {
			f = &framework{name: s.Framework, version: s.Version, controls: map[string]*Control{}, mappings: map[[3]string]string{}}
			fws[key] = f
			order = append(order, key)
		}
		f.add(s)
		rep.Counts["non_mappable"] += s.NonMappable
		rep.Counts["rows"] += len(s.Mappings)
	}
	err := filewalk.Each(ctx, src, filewalk.Ext(".json", ".tsv", ".csv"), MaxFileSize, rep, opts.Progress, "parse",
		func(p string, data []byte) error {
			var sets []*Set
			var err error
			switch strings.ToLower(path.Ext(p)) {
			case ".json":
				var s *Set
				if s, err = ParseMappingsExplorer(data); err == nil {
					sets = []*Set{s}
				}
			case ".tsv":
				var s *Set
				if s, err = ParseTSV(p, data); err == nil {
					sets = []*Set{s}
				}
			case ".csv":
				sets, err = ParseCSV(data)
			}
			if errors.Is(err, ErrNotCompliance) {
				rep.Skipped = append(rep.Skipped, importers.Skip{Id: p, Reason: err.Error()})
				return nil
			}
			if err != nil {
				return err
			}
			for _, s := range sets {
				collect(s)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("import compliance %s: %w", src, err)
	}
	err = app.RunInTransaction(func(tx core.App) error {
		techs, err := rulestore.TechniqueIndex(tx)
		if err != nil {
			return err
		}
		w := &writer{tx: tx, rep: rep, techs: techs, now: types.NowDateTime().String(), missing: map[string]int{}}
		for _, key := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := w.framework(fws[key]); err != nil {
				return fmt.Errorf("%s: %w", fws[key].Name(), err)
			}
		}
		for id, n := range w.missing {
			rep.Skipped = append(rep.Skipped, importers.Skip{Id: id, Reason: fmt.Sprintf("ATT&CK technique not in the catalogue: %d control mapping(s) kept pending until an ATT&CK import brings it", n)})
		}
		if rep.Created+rep.Updated+rep.Removed == 0 {
			return nil
		}
		kind := audit.KindSystem
		if opts.Actor != "" {
			kind = audit.KindUser
		}
		return audit.Write(tx, audit.Entry{Actor: opts.Actor, ActorKind: kind, Action: "import", Collection: collections.ComplianceControls,
			Details: map[string]any{"kind": Kind, "source": src.String(), "created": rep.Created, "updated": rep.Updated, "removed": rep.Removed}})
	})
	if err != nil {
		rep.Created, rep.Updated, rep.Unchanged, rep.Removed = 0, 0, 0, 0
		return nil, fmt.Errorf("import compliance %s: %w", src, err)
	}
	rep.Counts["frameworks"] = len(order)
	rep.NoChange = rep.Created+rep.Updated+rep.Removed == 0
	rep.Duration = time.Since(start)
	rep.Seconds = rep.Duration.Seconds()
	return rep, nil
}

type writer struct {
	tx      core.App
	rep     *importers.Report
	techs   map[string]string
	now     string
	missing map[string]int
}

func (w *writer) framework(f *framework) error {
	tx, rep := w.tx, w.rep
	var fw struct {
		Id      string `db:"id"`
		Version string `db:"version"`
		Source  string `db:"source"`
	}
	sort.Strings(f.sources)
	srcs := strings.Join(f.sources, ", ")
	err := tx.DB().NewQuery("SELECT id, version, source FROM {{compliance_frameworks}} WHERE name = {:n}").Bind(dbx.Params{"n": f.Name()}).One(&fw)
	switch {
	case err == nil:
		merged := mergeSources(fw.Source, f.sources)
		if fw.Version != f.version || fw.Source != merged {
			if _, err := tx.DB().NewQuery("UPDATE {{compliance_frameworks}} SET version = {:v}, source = {:s}, updated = {:now} WHERE id = {:id}").
				Bind(dbx.Params{"v": f.version, "s": merged, "now": w.now, "id": fw.Id}).Execute(); err != nil {
				return err
			}
			rep.Updated++
		} else {
			rep.Unchanged++
		}
	default:
		fw.Id = core.GenerateDefaultRandomId()
		if _, err := tx.DB().NewQuery(`INSERT INTO {{compliance_frameworks}} (id, name, version, source, description, created, updated)
			VALUES ({:id}, {:n}, {:v}, {:s}, '', {:now}, {:now})`).
			Bind(dbx.Params{"id": fw.Id, "n": f.Name(), "v": f.version, "s": srcs, "now": w.now}).Execute(); err != nil {
			return err
		}
		rep.Created++
	}

	var existing []struct {
		Id    string `db:"id"`
		Cid   string `db:"control_id"`
		Title string `db:"title"`
		Fam   string `db:"family"`
		Desc  string `db:"description"`
	}
	if err := tx.DB().NewQuery("SELECT id, control_id, title, family, description FROM {{compliance_controls}} WHERE framework = {:f}").
		Bind(dbx.Params{"f": fw.Id}).All(&existing); err != nil {
		return err
	}
	ids := map[string]string{}
	old := map[string]Control{}
	for _, e := range existing {
		ids[e.Cid] = e.Id
		old[e.Cid] = Control{ID: e.Cid, Title: e.Title, Family: e.Fam, Description: e.Desc}
	}
	ins := tx.DB().NewQuery(`INSERT INTO {{compliance_controls}} (id, framework, control_id, title, family, description, status, owner, notes, created, updated)
		VALUES ({:id}, {:f}, {:c}, {:t}, {:fam}, {:d}, 'not_assessed', '', '', {:now}, {:now})`).Prepare()
	defer ins.Close()
	// status, owner and notes belong to the organisation: never written here.
	upd := tx.DB().NewQuery(`UPDATE {{compliance_controls}} SET title = {:t}, family = {:fam}, description = {:d}, updated = {:now} WHERE id = {:id}`).Prepare()
	defer upd.Close()
	for _, cid := range f.order {
		c := *f.controls[cid]
		if o, ok := old[cid]; ok {
			// Keep what this run does not know (a mapping file has no descriptions).
			if c.Title == "" {
				c.Title = o.Title
			}
			if c.Family == "" {
				c.Family = o.Family
			}
			if c.Description == "" {
				c.Description = o.Description
			}
			if c == o {
				rep.Unchanged++
				continue
			}
			if _, err := upd.Bind(dbx.Params{"t": c.Title, "fam": c.Family, "d": c.Description, "now": w.now, "id": ids[cid]}).Execute(); err != nil {
				return err
			}
			rep.Updated++
			continue
		}
		id := core.GenerateDefaultRandomId()
		if _, err := ins.Bind(dbx.Params{"id": id, "f": fw.Id, "c": cid, "t": c.Title, "fam": c.Family, "d": c.Description, "now": w.now}).Execute(); err != nil {
			return fmt.Errorf("insert control %s: %w", cid, err)
		}
		ids[cid] = id
		rep.Created++
	}
	rep.Counts["controls"] += len(f.order)

	var maps []struct {
		Id     string `db:"id"`
		Ctrl   string `db:"control"`
		Tech   string `db:"technique"`
		Type   string `db:"mapping_type"`
		Source string `db:"source"`
	}
	if err := tx.DB().NewQuery(`SELECT m.id, m.control, m.technique, m.mapping_type, m.source FROM {{control_mappings}} m
		JOIN {{compliance_controls}} c ON c.id = m.control WHERE c.framework = {:f}`).Bind(dbx.Params{"f": fw.Id}).All(&maps); err != nil {
		return err
	}
	have := map[[3]string]string{}
	for _, m := range maps {
		have[[3]string{m.Ctrl, m.Tech, m.Type}] = m.Id
	}
	mins := tx.DB().NewQuery(`INSERT INTO {{control_mappings}} (id, control, technique, mapping_type, source, created, updated)
		VALUES ({:id}, {:c}, {:t}, {:m}, {:s}, {:now}, {:now})`).Prepare()
	defer mins.Close()
	keep := map[string]bool{}
	pairs := 0
	keys := make([][3]string, 0, len(f.mappings))
	for k := range f.mappings {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], "|") < strings.Join(keys[j][:], "|") })
	for _, k := range keys {
		tid, kind := attackid.Normalize(k[1])
		if kind != attackid.Technique {
			rep.Skipped = append(rep.Skipped, importers.Skip{Id: k[0], Reason: fmt.Sprintf("mapping to %q: not an ATT&CK technique id", k[1])})
			continue
		}
		tech, ok := w.techs[tid]
		if !ok {
			// Kept until an ATT&CK import brings the id (attackref).
			w.missing[tid]++
			if _, err := attackref.Remember(tx, attackref.Pending{Kind: collections.RefControlMapping, AttackID: tid,
				Owner: ids[k[0]], Detail: k[2], Data: map[string]any{"source": f.mappings[k]}, Source: Kind}); err != nil {
				return err
			}
			continue
		}
		key := [3]string{ids[k[0]], tech, k[2]}
		if id, ok := have[key]; ok {
			keep[id] = true
			pairs++
			rep.Unchanged++
			continue
		}
		id := core.GenerateDefaultRandomId()
		if _, err := mins.Bind(dbx.Params{"id": id, "c": key[0], "t": tech, "m": k[2], "s": f.mappings[k], "now": w.now}).Execute(); err != nil {
			return fmt.Errorf("insert mapping %s → %s: %w", k[0], tid, err)
		}
		have[key] = id
		keep[id] = true
		pairs++
		rep.Created++
	}
	rep.Counts["mappings"] += pairs
	// Mappings this format listed before but no longer does are stale.
	del := tx.DB().NewQuery("DELETE FROM {{control_mappings}} WHERE id = {:id}").Prepare()
	defer del.Close()
	for _, m := range maps {
		if keep[m.Id] || !containsStr(f.sources, m.Source) {
			continue
		}
		if _, err := del.Bind(dbx.Params{"id": m.Id}).Execute(); err != nil {
			return err
		}
		rep.Removed++
	}
	return nil
}

func mergeSources(stored string, add []string) string {
	var all []string
	for _, s := range strings.Split(stored, ", ") {
		if s != "" && !containsStr(all, s) {
			all = append(all, s)
		}
	}
	for _, s := range add {
		if !containsStr(all, s) {
			all = append(all, s)
		}
	}
	sort.Strings(all)
	return strings.Join(all, ", ")
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
