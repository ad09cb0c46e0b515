package dettect

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
)

// Kind is the import kind.
const Kind = "dettect"

// Source is the technique_assessments.source of imported rows.
const Source = "dettect"

var columns = []string{"source", "attack_id", "kind", "applicable_to", "systems", "score", "scored_at", "comment",
	"logbook", "location", "origin"}

type row struct {
	values map[string]any
	path   string
}

// Import reads every technique administration YAML file of src (a file, a
// folder or an archive) and upserts technique_assessments in one
// transaction. A malformed file is reported with its reason and the others
// import; files of other DeTT&CT types are listed as skipped. Re-importing
// the same files writes nothing. Ids the catalogue lacks are kept and link
// when an ATT&CK import brings them.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	rows := map[string]row{} // key → row; the first file wins
	var order []string
	err := filewalk.Each(ctx, src, filewalk.Ext(".yaml", ".yml"), MaxFileSize, rep, opts.Progress, "parse",
		func(p string, data []byte) error {
			f, err := Parse(data)
			if errors.Is(err, ErrOtherFile) {
				rep.Skipped = append(rep.Skipped, importers.Skip{Id: p, Reason: err.Error() + " (only technique administration files are imported)"})
				return nil
			}
			if err != nil {
				return err
			}
			origin := f.Name
			if origin == "" {
				origin = path.Base(p)
			}
			rep.Counts["techniques"] += len(f.Techniques)
			for _, t := range f.Techniques {
				for _, k := range []struct {
					kind    string
					entries []Entry
				}{{collections.AssessmentDetection, t.Detection}, {collections.AssessmentVisibility, t.Visibility}} {
					for _, e := range k.entries {
						cur := Current(e)
						var loc any
						if k.kind == collections.AssessmentDetection {
							l := []string{}
							if e.Location != nil {
								l = *e.Location
							}
							loc = l
						}
						key := t.ID + "|" + k.kind + "|" + ApplicableKey(e.ApplicableTo)
						if prev, dup := rows[key]; dup {
							rep.Skipped = append(rep.Skipped, importers.Skip{Id: t.ID,
								Reason: fmt.Sprintf("%s %s of %q also in %s: the first is kept", p, k.kind, ApplicableKey(e.ApplicableTo), prev.path)})
							continue
						}
						rows[key] = row{path: p, values: map[string]any{
							"source": Source, "attack_id": t.ID, "kind": k.kind, "applicable_to": ApplicableKey(e.ApplicableTo),
							"systems": Systems(e.ApplicableTo), "score": cur.Score, "scored_at": string(cur.Date), "comment": e.Comment,
							"logbook": e.Logbook, "location": loc, "origin": origin,
						}}
						order = append(order, key)
						rep.Counts[k.kind]++
					}
				}
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("import dettect %s: %w", src, err)
	}
	if rep.Files == 0 {
		return nil, fmt.Errorf("import dettect %s: no .yaml or .yml file in the source", src)
	}
	err = app.RunInTransaction(func(tx core.App) error {
		return write(ctx, tx, order, rows, rep, opts)
	})
	if err != nil {
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
		return nil, fmt.Errorf("import dettect %s: %w", src, err)
	}
	rep.NoChange = rep.Created+rep.Updated == 0
	rep.Finish(start)
	return rep, nil
}

func write(ctx context.Context, tx core.App, order []string, rows map[string]row, rep *importers.Report, opts importers.Options) error {
	ix, err := store.LoadTechniques(tx)
	if err != nil {
		return err
	}
	up, err := store.New(tx, store.Spec{Collection: collections.TechniqueAssessments,
		Key: []string{"source", "attack_id", "kind", "applicable_to"}, Columns: columns, HashColumn: "content_hash"})
	if err != nil {
		return err
	}
	defer up.Close()
	// The technique link is bookkeeping (it follows the catalogue), not
	// content: set apart from the hashed columns.
	var links []struct {
		Id   string `db:"id"`
		Tech string `db:"technique"`
	}
	if err := tx.DB().NewQuery("SELECT [[id]], [[technique]] FROM {{technique_assessments}}").All(&links); err != nil {
		return fmt.Errorf("load assessments: %w", err)
	}
	linked := make(map[string]string, len(links))
	for _, l := range links {
		linked[l.Id] = l.Tech
	}
	link := store.NewSetter(tx, store.Set{Collection: collections.TechniqueAssessments, Columns: []string{"technique"}})
	defer link.Close()
	unknown := map[string]bool{}
	for i, key := range order {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := rows[key]
		out, id, err := up.Put(r.values)
		if err != nil {
			return err
		}
		store.Tally(rep, out)
		aid := r.values["attack_id"].(string)
		tech, ok := ix.Resolve(aid)
		if !ok {
			unknown[aid] = true
		}
		if linked[id] != tech {
			if err := link.Set(id, tech); err != nil {
				return fmt.Errorf("link %s: %w", aid, err)
			}
		}
	}
	ids := make([]string, 0, len(unknown))
	for id := range unknown {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rep.Skipped = append(rep.Skipped, importers.Skip{Id: id,
			Reason: "technique not in the ATT&CK catalogue: scores kept, linked when an ATT&CK import brings it"})
	}
	rep.Counts["unknown_techniques"] = len(ids)
	if rep.Created+rep.Updated == 0 {
		return nil
	}
	kind := audit.KindSystem
	if opts.Actor != "" {
		kind = audit.KindUser
	}
	return audit.Write(tx, audit.Entry{Actor: opts.Actor, ActorKind: kind, Action: "import", Collection: collections.TechniqueAssessments,
		Details: map[string]any{"kind": Kind, "source": rep.Source, "created": rep.Created, "updated": rep.Updated,
			"unchanged": rep.Unchanged, "file_errors": len(rep.FileErrors)}})
}
