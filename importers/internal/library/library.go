// Package library writes procedure templates (the test library) into
// test_templates for the Atomic Red Team and CALDERA importers: one upsert
// per (source, source_id) with a content hash, technique links resolved from
// the ATT&CK catalogue when the technique is there, and the shared report
// counts.
package library

import (
	"context"
	"fmt"
	"sort"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attackref"
	"github.com/aegis-sec/aegis/importers/internal/bulk"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Template is one procedure of the library, as stored in test_templates.
type Template struct {
	Source         string         `json:"source"`    // atomic, caldera
	SourceID       string         `json:"source_id"` // auto_generated_guid or ability id
	TechniqueID    string         `json:"technique_attack_id"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	Platforms      []string       `json:"platforms"`
	Executor       Executor       `json:"executor"`
	InputArguments map[string]any `json:"input_arguments,omitempty"`
	Dependencies   any            `json:"dependencies,omitempty"`
	Path           string         `json:"path"`
}

// Executor is how a procedure runs. The commands are data to show an
// operator; Aegis never executes them.
type Executor struct {
	Name              string    `json:"name"`
	Command           string    `json:"command,omitempty"`
	CleanupCommand    string    `json:"cleanup_command,omitempty"`
	ElevationRequired bool      `json:"elevation_required"`
	Steps             string    `json:"steps,omitempty"` // manual procedures
	Tactic            string    `json:"tactic,omitempty"`
	Variants          []Variant `json:"variants,omitempty"` // per platform/executor (CALDERA)
}

// Variant is one platform/executor pair of a multi-platform procedure.
type Variant struct {
	Platform string   `json:"platform"`
	Name     string   `json:"name"`
	Command  string   `json:"command,omitempty"`
	Cleanup  string   `json:"cleanup_command,omitempty"`
	Payloads []string `json:"payloads,omitempty"`
	Timeout  int      `json:"timeout,omitempty"`
}

var columns = []string{"source", "source_id", "technique", "technique_attack_id", "name", "description",
	"platforms", "executor", "input_arguments", "dependencies", "path", "removed"}

// Write upserts templates in one transaction and fills rep (created,
// updated, unchanged, unknown techniques). Templates must already be valid:
// source in collections.TemplateSources, source_id and name non-empty.
// Nothing is marked removed (see WriteFrom).
func Write(ctx context.Context, app core.App, templates []Template, rep *importers.Report, opts importers.Options) error {
	return WriteFrom(ctx, app, "", templates, rep, opts)
}

// WriteFrom is Write for a whole source (origin names its folder, archive
// or repository): templates last seen in the same origin that it no longer
// has are marked removed, never deleted (tests keep pointing at them), and
// come back when the source lists them again. Templates of files that failed
// to parse this run (rep.FileErrors) are left alone.
func WriteFrom(ctx context.Context, app core.App, origin string, templates []Template, rep *importers.Report, opts importers.Options) error {
	unknown := map[string]int{}
	err := app.RunInTransaction(func(tx core.App) error {
		techniques, err := TechniqueIDs(tx)
		if err != nil {
			return err
		}
		up, err := bulk.New(tx, bulk.Spec{Collection: collections.TestTemplates,
			Key: []string{"source", "source_id"}, Columns: columns, HashColumn: "content_hash"})
		if err != nil {
			return err
		}
		defer up.Close()
		origins := map[string]string{}
		if origin != "" {
			var rows []struct {
				Id     string `db:"id"`
				Origin string `db:"origin"`
			}
			if err := tx.DB().NewQuery("SELECT [[id]], [[origin]] FROM {{test_templates}}").All(&rows); err != nil {
				return fmt.Errorf("load template origins: %w", err)
			}
			for _, r := range rows {
				origins[r.Id] = r.Origin
			}
		}
		setOrigin := tx.DB().NewQuery("UPDATE {{test_templates}} SET [[origin]] = {:o} WHERE [[id]] = {:id}").Prepare()
		defer setOrigin.Close()
		for i, t := range templates {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if opts.Progress != nil {
					opts.Progress("write", i, len(templates))
				}
			}
			techID := techniques[t.TechniqueID]
			if techID == "" && t.TechniqueID != "" {
				unknown[t.TechniqueID]++
			}
			var inputs any = t.InputArguments
			if len(t.InputArguments) == 0 {
				inputs = nil
			}
			platforms := t.Platforms
			if platforms == nil {
				platforms = []string{}
			}
			out, id, err := up.Put(map[string]any{
				"source": t.Source, "source_id": t.SourceID, "technique": techID,
				"technique_attack_id": t.TechniqueID, "name": t.Name, "description": t.Description,
				"platforms": platforms, "executor": t.Executor, "input_arguments": jsonOrNull(inputs),
				"dependencies": jsonOrNull(t.Dependencies), "path": t.Path,
				"removed": false,
			})
			if err != nil {
				return err
			}
			// The origin is bookkeeping, not content: the same corpus read
			// through another URL or folder is unchanged.
			if origin != "" && origins[id] != origin {
				if _, err := setOrigin.Bind(dbx.Params{"o": origin, "id": id}).Execute(); err != nil {
					return fmt.Errorf("template %s: %w", t.SourceID, err)
				}
			}
			switch out {
			case bulk.Created:
				rep.Created++
			case bulk.Updated:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
		if opts.Progress != nil {
			opts.Progress("write", len(templates), len(templates))
		}
		if origin != "" && len(templates) > 0 {
			n, err := retire(tx, up, origin, templates, rep)
			if err != nil {
				return err
			}
			rep.Removed += n
		}
		if rep.Created+rep.Updated+rep.Removed == 0 {
			return nil
		}
		return audit.Write(tx, audit.Entry{
			Actor: opts.Actor, ActorKind: actorKind(opts.Actor), Action: "import",
			Collection: collections.TestTemplates,
			Details: map[string]any{"kind": rep.Kind, "source": rep.Source,
				"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged, "removed": rep.Removed},
		})
	})
	if err != nil {
		rep.Created, rep.Updated, rep.Unchanged, rep.Removed = 0, 0, 0, 0
		return err
	}
	ids := make([]string, 0, len(unknown))
	for id := range unknown {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rep.Skipped = append(rep.Skipped, importers.Skip{Id: id, Reason: fmt.Sprintf(
			"technique not in the ATT&CK catalogue: %d template(s) stored without a technique link; import ATT&CK and re-import to link", unknown[id])})
	}
	if rep.Counts == nil {
		rep.Counts = map[string]int{}
	}
	rep.Counts["unknown_techniques"] = len(ids)
	rep.NoChange = rep.Created+rep.Updated+rep.Removed == 0
	return nil
}

// retire marks removed the templates of the batch's sources last seen in
// origin that this run did not write.
func retire(tx core.App, up *bulk.Upserter, origin string, templates []Template, rep *importers.Report) (int, error) {
	sources := map[string]bool{}
	for _, t := range templates {
		sources[t.Source] = true
	}
	failed := map[string]bool{}
	for _, fe := range rep.FileErrors {
		failed[fe.Path] = true
	}
	n := 0
	for src := range sources {
		var rows []struct {
			Id   string `db:"id"`
			Path string `db:"path"`
		}
		if err := tx.DB().NewQuery(`SELECT [[id]], [[path]] FROM {{test_templates}} WHERE [[source]] = {:s} AND [[origin]] = {:o}
			AND [[removed]] = FALSE`).Bind(dbx.Params{"s": src, "o": origin}).All(&rows); err != nil {
			return n, fmt.Errorf("load %s templates: %w", src, err)
		}
		q := tx.DB().NewQuery(`UPDATE {{test_templates}} SET [[removed]] = TRUE, [[content_hash]] = '', [[updated]] = {:now}
			WHERE [[id]] = {:id}`).Prepare()
		now := types.NowDateTime().String()
		for _, r := range rows {
			if up.Seen(r.Id) || failed[r.Path] {
				continue
			}
			if _, err := q.Bind(dbx.Params{"id": r.Id, "now": now}).Execute(); err != nil {
				q.Close()
				return n, fmt.Errorf("mark template %s removed: %w", r.Id, err)
			}
			n++
		}
		q.Close()
	}
	return n, nil
}

// jsonOrNull keeps empty optional JSON fields NULL rather than "null" text.
func jsonOrNull(v any) any {
	if v == nil {
		return nullJSON{}
	}
	return v
}

type nullJSON struct{}

func (nullJSON) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

func actorKind(actor string) string {
	if actor == "" {
		return audit.KindSystem
	}
	return audit.KindUser
}

// TechniqueIDs maps ATT&CK ids to technique record ids, preferring an
// active technique when a revoked or deprecated one shares the id and
// following a revoked id to its successor.
func TechniqueIDs(app core.App) (map[string]string, error) {
	ix, err := attackref.Load(app)
	if err != nil {
		return nil, err
	}
	return ix.Map(), nil
}

// LinkTechniques links templates imported before their technique existed.
// The ATT&CK importer (or anyone) can call it after adding techniques; it
// returns how many templates it linked.
func LinkTechniques(app core.App) (int64, error) {
	res, err := app.DB().NewQuery(`UPDATE {{test_templates}} SET [[technique]] = (
		SELECT t.id FROM {{techniques}} t WHERE t.attack_id = {{test_templates}}.technique_attack_id
		ORDER BY t.revoked ASC, t.deprecated ASC LIMIT 1)
		WHERE [[technique]] = '' AND [[technique_attack_id]] != ''
		AND EXISTS (SELECT 1 FROM {{techniques}} t WHERE t.attack_id = {{test_templates}}.technique_attack_id)`).Execute()
	if err != nil {
		return 0, fmt.Errorf("link templates to techniques: %w", err)
	}
	return res.RowsAffected()
}
