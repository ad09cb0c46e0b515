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
	"github.com/aegis-sec/aegis/importers/internal/bulk"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
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
	"platforms", "executor", "input_arguments", "dependencies", "path"}

// Write upserts templates in one transaction and fills rep (created,
// updated, unchanged, unknown techniques). Templates must already be valid:
// source in collections.TemplateSources, source_id and name non-empty.
func Write(ctx context.Context, app core.App, templates []Template, rep *importers.Report, opts importers.Options) error {
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
			out, _, err := up.Put(map[string]any{
				"source": t.Source, "source_id": t.SourceID, "technique": techID,
				"technique_attack_id": t.TechniqueID, "name": t.Name, "description": t.Description,
				"platforms": platforms, "executor": t.Executor, "input_arguments": jsonOrNull(inputs),
				"dependencies": jsonOrNull(t.Dependencies), "path": t.Path,
			})
			if err != nil {
				return err
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
		if rep.Created+rep.Updated == 0 {
			return nil
		}
		return audit.Write(tx, audit.Entry{
			Actor: opts.Actor, ActorKind: actorKind(opts.Actor), Action: "import",
			Collection: collections.TestTemplates,
			Details: map[string]any{"kind": rep.Kind, "source": rep.Source,
				"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged},
		})
	})
	if err != nil {
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
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
	rep.NoChange = rep.Created+rep.Updated == 0
	return nil
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
// active technique when a revoked or deprecated one shares the id.
func TechniqueIDs(app core.App) (map[string]string, error) {
	return bulk.Lookup(app, collections.Techniques, "attack_id", "revoked DESC, deprecated DESC")
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
