package compliance

import (
	"cmp"
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
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
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
	if !slices.Contains(f.sources, s.Source) {
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
	rep := importers.NewReport(Kind, src)
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
	err = store.Commit(ctx, app, rep, opts, collections.ComplianceControls, func(tx core.App, _ map[string]any) error {
		w, err := newWriter(tx, rep)
		if err != nil {
			return err
		}
		defer w.close()
		for _, key := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := w.framework(fws[key]); err != nil {
				return fmt.Errorf("%s: %w", fws[key].Name(), err)
			}
		}
		for id, n := range w.missing {
			store.Skip(rep, id, "ATT&CK technique not in the catalogue: %d control mapping(s) kept pending until an ATT&CK import brings it", n)
		}
		for _, u := range []*store.Upserter{w.frameworks, w.controls, w.mappings} {
			store.Add(rep, u.Counts())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import compliance %s: %w", src, err)
	}
	rep.Counts["frameworks"] = len(order)
	rep.Finish(start)
	return rep, nil
}

// writer upserts frameworks, controls and mappings in the import's
// transaction. The organisation's fields (a control's status, owner and
// notes, a framework's description) are written on insert only.
type writer struct {
	tx                             core.App
	rep                            *importers.Report
	techs                          map[string]string
	missing                        map[string]int
	frameworks, controls, mappings *store.Upserter
}

func newWriter(tx core.App, rep *importers.Report) (*writer, error) {
	techs, err := store.Techniques(tx)
	if err != nil {
		return nil, err
	}
	w := &writer{tx: tx, rep: rep, techs: techs, missing: map[string]int{}}
	specs := []store.Spec{
		{Collection: collections.ComplianceFrameworks, Key: []string{"name"}, Columns: []string{"name", "version", "source"},
			OnInsert: map[string]any{"description": ""}},
		{Collection: collections.ComplianceControls, Key: []string{"framework", "control_id"},
			Columns:  []string{"framework", "control_id", "title", "family", "description"},
			OnInsert: map[string]any{"status": "not_assessed", "owner": "", "notes": ""}},
		// The first source to list a mapping keeps it.
		{Collection: collections.ControlMappings, Key: []string{"control", "technique", "mapping_type"},
			Columns: []string{"control", "technique", "mapping_type"}, OnInsert: map[string]any{"source": ""}},
	}
	ups := make([]*store.Upserter, len(specs))
	for i, s := range specs {
		if ups[i], err = store.New(tx, s); err != nil {
			for _, u := range ups[:i] {
				u.Close()
			}
			return nil, err
		}
	}
	w.frameworks, w.controls, w.mappings = ups[0], ups[1], ups[2]
	return w, nil
}

func (w *writer) close() {
	w.frameworks.Close()
	w.controls.Close()
	w.mappings.Close()
}

func (w *writer) framework(f *framework) error {
	sort.Strings(f.sources)
	var fw struct {
		Source string `db:"source"`
	}
	err := w.tx.DB().NewQuery("SELECT source FROM {{compliance_frameworks}} WHERE name = {:n}").Bind(dbx.Params{"n": f.Name()}).One(&fw)
	srcs := strings.Join(f.sources, ", ")
	if err == nil {
		srcs = mergeSources(fw.Source, f.sources)
	}
	_, fwID, err := w.frameworks.Put(map[string]any{"name": f.Name(), "version": f.version, "source": srcs})
	if err != nil {
		return err
	}
	ids, err := w.writeControls(fwID, f)
	if err != nil {
		return err
	}
	return w.writeMappings(fwID, f, ids)
}

// writeControls upserts the framework's controls and returns control id →
// record id. What this run does not know is kept (a mapping file has no
// descriptions).
func (w *writer) writeControls(fwID string, f *framework) (map[string]string, error) {
	var existing []struct {
		Cid   string `db:"control_id"`
		Title string `db:"title"`
		Fam   string `db:"family"`
		Desc  string `db:"description"`
	}
	if err := w.tx.DB().NewQuery("SELECT control_id, title, family, description FROM {{compliance_controls}} WHERE framework = {:f}").
		Bind(dbx.Params{"f": fwID}).All(&existing); err != nil {
		return nil, err
	}
	old := map[string]Control{}
	for _, e := range existing {
		old[e.Cid] = Control{ID: e.Cid, Title: e.Title, Family: e.Fam, Description: e.Desc}
	}
	ids := map[string]string{}
	for _, cid := range f.order {
		c := *f.controls[cid]
		if o, ok := old[cid]; ok {
			c.Title = cmp.Or(c.Title, o.Title)
			c.Family = cmp.Or(c.Family, o.Family)
			c.Description = cmp.Or(c.Description, o.Description)
		}
		_, id, err := w.controls.Put(map[string]any{"framework": fwID, "control_id": cid, "title": c.Title,
			"family": c.Family, "description": c.Description})
		if err != nil {
			return nil, fmt.Errorf("control %s: %w", cid, err)
		}
		ids[cid] = id
	}
	w.rep.Counts["controls"] += len(f.order)
	return ids, nil
}

// writeMappings upserts the framework's control mappings. A mapping whose
// ATT&CK id the catalogue lacks waits as a pending reference; mappings this
// format listed before but no longer does are stale and deleted (they carry
// no organisation data).
func (w *writer) writeMappings(fwID string, f *framework, ids map[string]string) error {
	var maps []struct {
		Id     string `db:"id"`
		Source string `db:"source"`
	}
	if err := w.tx.DB().NewQuery(`SELECT m.id, m.source FROM {{control_mappings}} m
		JOIN {{compliance_controls}} c ON c.id = m.control WHERE c.framework = {:f}`).Bind(dbx.Params{"f": fwID}).All(&maps); err != nil {
		return err
	}
	keys := make([][3]string, 0, len(f.mappings))
	for k := range f.mappings {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], "|") < strings.Join(keys[j][:], "|") })
	pairs := 0
	for _, k := range keys {
		tid, kind := attackid.Normalize(k[1])
		if kind != attackid.Technique {
			store.Skip(w.rep, k[0], "mapping to %q: not an ATT&CK technique id", k[1])
			continue
		}
		tech, ok := w.techs[tid]
		if !ok {
			// Kept until an ATT&CK import brings the id (attackref).
			w.missing[tid]++
			if _, err := attackref.Remember(w.tx, attackref.Pending{Kind: collections.RefControlMapping, AttackID: tid,
				Owner: ids[k[0]], Detail: k[2], Data: map[string]any{"source": f.mappings[k]}, Source: Kind}); err != nil {
				return err
			}
			continue
		}
		if _, _, err := w.mappings.PutWith(map[string]any{"control": ids[k[0]], "technique": tech, "mapping_type": k[2]},
			map[string]any{"source": f.mappings[k]}); err != nil {
			return fmt.Errorf("mapping %s → %s: %w", k[0], tid, err)
		}
		pairs++
	}
	w.rep.Counts["mappings"] += pairs
	for _, m := range maps {
		if w.mappings.Seen(m.Id) || !slices.Contains(f.sources, m.Source) {
			continue
		}
		if err := w.mappings.Delete(w.tx, m.Id); err != nil {
			return err
		}
	}
	return nil
}

func mergeSources(stored string, add []string) string {
	var all []string
	for _, s := range strings.Split(stored, ", ") {
		if s != "" && !slices.Contains(all, s) {
			all = append(all, s)
		}
	}
	for _, s := range add {
		if !slices.Contains(all, s) {
			all = append(all, s)
		}
	}
	sort.Strings(all)
	return strings.Join(all, ", ")
}
