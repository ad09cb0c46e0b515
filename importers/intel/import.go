package intel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Kind is the import kind.
const Kind = "intel"

// MaxFileSize bounds one bundle.
const MaxFileSize = 64 << 20

// NewLink is an actor–technique pair a report states and the catalogue's
// actor_techniques does not have yet.
type NewLink struct {
	Actor     string `json:"actor"`
	ActorName string `json:"actor_name"`
	Technique string `json:"technique"`
	AttackID  string `json:"attack_id"`
}

// Import reads STIX bundles from src (every .json file, or whatever a TAXII
// collection yields) and upserts intel_reports by report id in one
// transaction. Actors not in the catalogue are created with source intel.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var reports []Report
	seen := map[string]string{} // report id → title
	err := filewalk.Each(ctx, src, filewalk.Ext(".json", ".stix", ".stix2"), MaxFileSize, rep, opts.Progress, "parse", func(p string, data []byte) error {
		rs, err := Parse(data)
		if errors.Is(err, ErrNoReport) {
			rep.Skipped = append(rep.Skipped, importers.Skip{Id: p, Reason: err.Error()})
			return nil
		}
		if err != nil {
			return err
		}
		for _, r := range rs {
			if title, dup := seen[r.ExternalID]; dup {
				if title == r.Title {
					rep.Skipped = append(rep.Skipped, importers.Skip{Id: r.ExternalID, Reason: p + ": report already read from another file"})
					continue
				}
				// A different report reusing an id (the Attack Flow corpus
				// copies flow ids between files): keep it under a derived id.
				r.ExternalID += "#" + path.Base(p)
				rep.Counts["id_clashes"]++
			}
			seen[r.ExternalID] = r.Title
			reports = append(reports, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import intel %s: %w", src, err)
	}
	err = store.Commit(ctx, app, rep, opts, collections.IntelReports, func(tx core.App, _ map[string]any) error {
		return write(ctx, tx, reports, rep)
	})
	if err != nil {
		return nil, fmt.Errorf("import intel %s: %w", src, err)
	}
	rep.Counts["reports"] = len(reports)
	rep.Finish(start)
	return rep, nil
}

type actorIndex struct {
	byAttack map[string]string
	byName   map[string]string
	names    map[string]string // id → name
}

func loadActors(tx core.App) (*actorIndex, error) {
	var rows []struct {
		Id       string `db:"id"`
		AttackId string `db:"attack_id"`
		Name     string `db:"name"`
		Aliases  string `db:"aliases"`
	}
	if err := tx.DB().NewQuery("SELECT id, attack_id, name, COALESCE(aliases, '') AS aliases FROM {{threat_actors}} ORDER BY revoked DESC, deprecated DESC").All(&rows); err != nil {
		return nil, fmt.Errorf("load actors: %w", err)
	}
	ix := &actorIndex{byAttack: map[string]string{}, byName: map[string]string{}, names: map[string]string{}}
	for _, r := range rows {
		ix.names[r.Id] = r.Name
		if r.AttackId != "" {
			ix.byAttack[strings.ToUpper(r.AttackId)] = r.Id
		}
		ix.byName[strings.ToLower(r.Name)] = r.Id
		var aliases []string
		_ = json.Unmarshal([]byte(r.Aliases), &aliases)
		for _, a := range aliases {
			if _, taken := ix.byName[strings.ToLower(a)]; !taken {
				ix.byName[strings.ToLower(a)] = r.Id
			}
		}
	}
	return ix, nil
}

func (ix *actorIndex) find(a Actor) string {
	if a.AttackID != "" {
		if id, ok := ix.byAttack[a.AttackID]; ok {
			return id
		}
	}
	if id, ok := ix.byName[strings.ToLower(a.Name)]; ok {
		return id
	}
	for _, al := range a.Aliases {
		if id, ok := ix.byName[strings.ToLower(al)]; ok {
			return id
		}
	}
	return ""
}

func write(ctx context.Context, tx core.App, reports []Report, rep *importers.Report) error {
	techs, err := store.Techniques(tx)
	if err != nil {
		return err
	}
	actors, err := loadActors(tx)
	if err != nil {
		return err
	}
	known, err := knownLinks(tx)
	if err != nil {
		return err
	}
	newActor, err := store.NewTable(tx, store.Spec{Collection: collections.ThreatActors,
		Columns: []string{"stix_id", "attack_id", "name", "aliases", "description"}, OnInsert: map[string]any{"source": "intel"}}, "")
	if err != nil {
		return err
	}
	defer newActor.Close()
	up, err := store.New(tx, store.Spec{Collection: collections.IntelReports, Key: []string{"external_id"},
		Columns: []string{"source", "external_id", "title", "published", "url", "techniques", "actors", "summary",
			"new_links", "unknown_techniques"}, HashColumn: "content_hash"})
	if err != nil {
		return err
	}
	defer up.Close()
	distinct := map[string]bool{}
	for _, r := range reports {
		if err := ctx.Err(); err != nil {
			return err
		}
		techIDs, attackIDs, unknown := linkTechniques(r, techs, distinct, rep)
		actorIDs := []string{}
		for _, a := range r.Actors {
			id := actors.find(a)
			if id == "" {
				if id, err = actors.create(newActor, a); err != nil {
					return err
				}
				rep.Counts["actors_created"]++
			}
			if !slices.Contains(actorIDs, id) {
				actorIDs = append(actorIDs, id)
			}
		}
		newLinks := []NewLink{}
		for _, a := range actorIDs {
			for _, t := range techIDs {
				if !known[[2]string{a, t}] {
					newLinks = append(newLinks, NewLink{Actor: a, ActorName: actors.names[a], Technique: t, AttackID: attackIDs[t]})
				}
			}
		}
		rep.Counts["new_links"] += len(newLinks)
		if _, _, err := up.Put(map[string]any{"source": r.Kind, "external_id": r.ExternalID, "title": r.Title,
			"published": normTime(r.Published), "url": r.URL, "techniques": techIDs, "actors": actorIDs, "summary": r.Summary,
			"new_links": newLinks, "unknown_techniques": unknown}); err != nil {
			return fmt.Errorf("report %s: %w", r.ExternalID, err)
		}
	}
	store.Add(rep, up.Counts())
	rep.Counts["distinct_techniques"] = len(distinct)
	return nil
}

// linkTechniques resolves a report's ATT&CK ids: the technique records, the
// ATT&CK id of each, and the ids (unknown or malformed) that stay text.
func linkTechniques(r Report, techs map[string]string, distinct map[string]bool, rep *importers.Report) ([]string, map[string]string, []string) {
	techIDs, unknown := []string{}, []string{}
	attackIDs := map[string]string{}
	for _, t := range r.Techniques {
		distinct[t] = true
		if id, ok := techs[t]; ok {
			techIDs = append(techIDs, id)
			attackIDs[id] = t
		} else {
			unknown = append(unknown, t)
			store.Skip(rep, r.ExternalID, "technique %s not in the ATT&CK catalogue", t)
		}
	}
	for _, m := range r.Malformed {
		unknown = append(unknown, m)
		store.Skip(rep, r.ExternalID, "malformed ATT&CK technique id %q", m)
	}
	sort.Strings(unknown)
	return techIDs, attackIDs, unknown
}

// knownLinks lists the actor → technique links the catalogue already has.
func knownLinks(tx core.App) (map[[2]string]bool, error) {
	var links []struct {
		Actor string `db:"actor"`
		Tech  string `db:"technique"`
	}
	if err := tx.DB().NewQuery("SELECT actor, technique FROM {{actor_techniques}}").All(&links); err != nil {
		return nil, fmt.Errorf("load actor techniques: %w", err)
	}
	known := make(map[[2]string]bool, len(links))
	for _, l := range links {
		known[[2]string{l.Actor, l.Tech}] = true
	}
	return known, nil
}

// create stores an actor the catalogue does not have (source intel).
func (ix *actorIndex) create(t *store.Table, a Actor) (string, error) {
	id := core.GenerateDefaultRandomId()
	if err := t.Write(true, id, []any{a.StixID, a.AttackID, a.Name, store.NonNil(a.Aliases), a.Description}, ""); err != nil {
		return "", fmt.Errorf("create actor %s: %w", a.Name, err)
	}
	ix.byName[strings.ToLower(a.Name)] = id
	if a.AttackID != "" {
		ix.byAttack[a.AttackID] = id
	}
	ix.names[id] = a.Name
	return id, nil
}

// normTime turns a STIX timestamp into PocketBase's date format, or "".
func normTime(s string) string {
	if s == "" {
		return ""
	}
	dt, err := types.ParseDateTime(s)
	if err != nil || dt.IsZero() {
		return ""
	}
	return dt.String()
}
