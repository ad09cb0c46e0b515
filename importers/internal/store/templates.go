package store

// Procedure templates (the test library) of the Atomic Red Team and CALDERA
// importers go into test_templates: one upsert per (source, source_id) with
// a content hash, technique links resolved through the technique index when
// the technique is there, and the shared report counts.

import (
	"context"
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/pocketbase/dbx"
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

var templateColumns = []string{"source", "source_id", "technique", "technique_attack_id", "name", "description",
	"platforms", "executor", "input_arguments", "dependencies", "path", "removed"}

// WriteTemplates upserts templates in one transaction and fills rep
// (created, updated, unchanged, unknown techniques). Templates must already
// be valid: source in collections.TemplateSources, source_id and name
// non-empty. Nothing is marked removed (see WriteTemplatesFrom).
func WriteTemplates(ctx context.Context, app core.App, templates []Template, rep *importers.Report, opts importers.Options) error {
	return WriteTemplatesFrom(ctx, app, "", templates, rep, opts)
}

// WriteTemplatesFrom is WriteTemplates for a whole source (origin names its
// folder, archive or repository): templates last seen in the same origin
// that it no longer has are marked removed, never deleted (tests keep
// pointing at them), and come back when the source lists them again.
// Templates of files that failed to parse this run (rep.FileErrors) are
// left alone.
func WriteTemplatesFrom(ctx context.Context, app core.App, origin string, templates []Template, rep *importers.Report, opts importers.Options) error {
	unknown := map[string]int{}
	err := Commit(ctx, app, rep, opts, collections.TestTemplates, func(tx core.App, _ map[string]any) error {
		return writeTemplates(ctx, tx, origin, templates, unknown, rep, opts)
	})
	if err != nil {
		return err
	}
	SkipUnknown(rep, unknown, "technique not in the ATT&CK catalogue: %d template(s) stored without a technique link; import ATT&CK and re-import to link")
	return nil
}

func writeTemplates(ctx context.Context, tx core.App, origin string, templates []Template, unknown map[string]int,
	rep *importers.Report, opts importers.Options) error {
	techniques, err := Techniques(tx)
	if err != nil {
		return err
	}
	up, err := New(tx, Spec{Collection: collections.TestTemplates, Key: []string{"source", "source_id"},
		Columns: templateColumns, HashColumn: "content_hash", Removed: "removed"})
	if err != nil {
		return err
	}
	defer up.Close()
	origins, err := templateOrigins(tx, origin)
	if err != nil {
		return err
	}
	setOrigin := NewSetter(tx, Set{Collection: collections.TestTemplates, Columns: []string{"origin"}})
	defer setOrigin.Close()
	for i, t := range templates {
		if err := Tick(ctx, opts.Progress, i, len(templates), 256); err != nil {
			return err
		}
		techID := techniques[t.TechniqueID]
		if techID == "" && t.TechniqueID != "" {
			unknown[t.TechniqueID]++
		}
		var inputs any = t.InputArguments
		if len(t.InputArguments) == 0 {
			inputs = nil
		}
		_, id, err := up.Put(map[string]any{
			"source": t.Source, "source_id": t.SourceID, "technique": techID,
			"technique_attack_id": t.TechniqueID, "name": t.Name, "description": t.Description,
			"platforms": NonNil(t.Platforms), "executor": t.Executor, "input_arguments": jsonOrNull(inputs),
			"dependencies": jsonOrNull(t.Dependencies), "path": t.Path,
			"removed": false,
		})
		if err != nil {
			return err
		}
		// The origin is bookkeeping, not content: the same corpus read
		// through another URL or folder is unchanged.
		if origin != "" && origins[id] != origin {
			if err := setOrigin.Set(id, origin); err != nil {
				return fmt.Errorf("template %s: %w", t.SourceID, err)
			}
		}
	}
	if opts.Progress != nil {
		opts.Progress("write", len(templates), len(templates))
	}
	if origin != "" && len(templates) > 0 {
		if err := retireTemplates(tx, up, origin, templates, rep); err != nil {
			return err
		}
	}
	Add(rep, up.Counts())
	return nil
}

// templateOrigins maps template ids to the origin they were last seen in
// (nothing when origin is empty: single uploads do not track it).
func templateOrigins(tx core.App, origin string) (map[string]string, error) {
	origins := map[string]string{}
	if origin == "" {
		return origins, nil
	}
	var rows []struct {
		Id     string `db:"id"`
		Origin string `db:"origin"`
	}
	if err := tx.DB().NewQuery("SELECT [[id]], [[origin]] FROM {{test_templates}}").All(&rows); err != nil {
		return nil, fmt.Errorf("load template origins: %w", err)
	}
	for _, r := range rows {
		origins[r.Id] = r.Origin
	}
	return origins, nil
}

// retireTemplates marks removed the templates of the batch's sources last
// seen in origin that this run did not write.
func retireTemplates(tx core.App, up *Upserter, origin string, templates []Template, rep *importers.Report) error {
	sources := map[string]bool{}
	for _, t := range templates {
		sources[t.Source] = true
	}
	failed := map[string]bool{}
	for _, fe := range rep.FileErrors {
		failed[fe.Path] = true
	}
	for src := range sources {
		var rows []struct {
			Id   string `db:"id"`
			Path string `db:"path"`
		}
		if err := tx.DB().NewQuery(`SELECT [[id]], [[path]] FROM {{test_templates}} WHERE [[source]] = {:s} AND [[origin]] = {:o}
			AND [[removed]] = FALSE`).Bind(dbx.Params{"s": src, "o": origin}).All(&rows); err != nil {
			return fmt.Errorf("load %s templates: %w", src, err)
		}
		for _, r := range rows {
			if up.Seen(r.Id) || failed[r.Path] {
				continue
			}
			if err := up.Retire(r.Id); err != nil {
				return err
			}
		}
	}
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
