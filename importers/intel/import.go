package intel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/filewalk"
	"github.com/aegis-sec/aegis/importers/rulestore"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/dbx"
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
	rep := &importers.Report{Kind: Kind, Source: src.String(), Skipped: []importers.Skip{},
		FileErrors: []importers.FileError{}, Counts: map[string]int{}}
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
	err = app.RunInTransaction(func(tx core.App) error {
		return write(ctx, tx, reports, rep, opts)
	})
	if err != nil {
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
		return nil, fmt.Errorf("import intel %s: %w", src, err)
	}
	rep.Counts["reports"] = len(reports)
	rep.NoChange = rep.Created+rep.Updated == 0
	rep.Duration = time.Since(start)
	rep.Seconds = rep.Duration.Seconds()
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

func write(ctx context.Context, tx core.App, reports []Report, rep *importers.Report, opts importers.Options) error {
	now := types.NowDateTime().String()
	techs, err := rulestore.TechniqueIndex(tx)
	if err != nil {
		return err
	}
	actors, err := loadActors(tx)
	if err != nil {
		return err
	}
	var links []struct {
		Actor string `db:"actor"`
		Tech  string `db:"technique"`
	}
	if err := tx.DB().NewQuery("SELECT actor, technique FROM {{actor_techniques}}").All(&links); err != nil {
		return err
	}
	known := map[[2]string]bool{}
	for _, l := range links {
		known[[2]string{l.Actor, l.Tech}] = true
	}
	var existing []struct {
		Id   string `db:"id"`
		Ext  string `db:"external_id"`
		Hash string `db:"content_hash"`
	}
	if err := tx.DB().NewQuery("SELECT id, external_id, content_hash FROM {{intel_reports}}").All(&existing); err != nil {
		return err
	}
	old := map[string][2]string{}
	for _, e := range existing {
		old[e.Ext] = [2]string{e.Id, e.Hash}
	}
	newActor := tx.DB().NewQuery(`INSERT INTO {{threat_actors}} (id, stix_id, attack_id, name, aliases, description, source, created, updated)
		VALUES ({:id}, {:stix}, {:aid}, {:name}, {:aliases}, {:desc}, 'intel', {:now}, {:now})`).Prepare()
	defer newActor.Close()
	ins := tx.DB().NewQuery(`INSERT INTO {{intel_reports}} (id, source, external_id, title, published, url, techniques, actors, summary,
		new_links, unknown_techniques, content_hash, created, updated) VALUES ({:id}, {:source}, {:ext}, {:title}, {:published}, {:url},
		{:techniques}, {:actors}, {:summary}, {:links}, {:unknown}, {:hash}, {:now}, {:now})`).Prepare()
	defer ins.Close()
	upd := tx.DB().NewQuery(`UPDATE {{intel_reports}} SET source = {:source}, title = {:title}, published = {:published}, url = {:url},
		techniques = {:techniques}, actors = {:actors}, summary = {:summary}, new_links = {:links}, unknown_techniques = {:unknown},
		content_hash = {:hash}, updated = {:now} WHERE id = {:id}`).Prepare()
	defer upd.Close()

	distinct := map[string]bool{}
	for _, r := range reports {
		if err := ctx.Err(); err != nil {
			return err
		}
		techIDs := []string{}
		unknown := []string{}
		attackIDs := map[string]string{}
		for _, t := range r.Techniques {
			distinct[t] = true
			if id, ok := techs[t]; ok {
				techIDs = append(techIDs, id)
				attackIDs[id] = t
			} else {
				unknown = append(unknown, t)
				rep.Skipped = append(rep.Skipped, importers.Skip{Id: r.ExternalID, Reason: fmt.Sprintf("technique %s not in the ATT&CK catalogue", t)})
			}
		}
		for _, m := range r.Malformed {
			unknown = append(unknown, m)
			rep.Skipped = append(rep.Skipped, importers.Skip{Id: r.ExternalID, Reason: fmt.Sprintf("malformed ATT&CK technique id %q", m)})
		}
		actorIDs := []string{}
		for _, a := range r.Actors {
			id := actors.find(a)
			if id == "" {
				id = core.GenerateDefaultRandomId()
				aliases, _ := json.Marshal(nonNil(a.Aliases))
				if _, err := newActor.Bind(dbx.Params{"id": id, "stix": a.StixID, "aid": a.AttackID, "name": a.Name,
					"aliases": string(aliases), "desc": a.Description, "now": now}).Execute(); err != nil {
					return fmt.Errorf("create actor %s: %w", a.Name, err)
				}
				actors.byName[strings.ToLower(a.Name)] = id
				if a.AttackID != "" {
					actors.byAttack[a.AttackID] = id
				}
				actors.names[id] = a.Name
				rep.Counts["actors_created"]++
			}
			if !containsStr(actorIDs, id) {
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
		sort.Strings(unknown)
		vals := []any{r.Kind, r.Title, normTime(r.Published), r.URL, techIDs, actorIDs, r.Summary, newLinks, unknown}
		enc, err := json.Marshal(vals)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(enc)
		hash := hex.EncodeToString(sum[:])
		params := dbx.Params{"source": r.Kind, "ext": r.ExternalID, "title": r.Title, "published": normTime(r.Published), "url": r.URL,
			"techniques": mustJSON(techIDs), "actors": mustJSON(actorIDs), "summary": r.Summary, "links": mustJSON(newLinks),
			"unknown": mustJSON(unknown), "hash": hash, "now": now}
		rep.Counts["new_links"] += len(newLinks)
		if o, ok := old[r.ExternalID]; ok {
			if o[1] == hash {
				rep.Unchanged++
				continue
			}
			params["id"] = o[0]
			if _, err := upd.Bind(params).Execute(); err != nil {
				return fmt.Errorf("update report %s: %w", r.ExternalID, err)
			}
			rep.Updated++
			continue
		}
		params["id"] = core.GenerateDefaultRandomId()
		if _, err := ins.Bind(params).Execute(); err != nil {
			return fmt.Errorf("insert report %s: %w", r.ExternalID, err)
		}
		rep.Created++
	}
	rep.Counts["distinct_techniques"] = len(distinct)
	if rep.Created+rep.Updated == 0 {
		return nil
	}
	kind := audit.KindSystem
	if opts.Actor != "" {
		kind = audit.KindUser
	}
	return audit.Write(tx, audit.Entry{Actor: opts.Actor, ActorKind: kind, Action: "import", Collection: collections.IntelReports,
		Details: map[string]any{"kind": Kind, "created": rep.Created, "updated": rep.Updated}})
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

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
