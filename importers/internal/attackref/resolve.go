package attackref

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Resolved counts what one catalogue import did to stored references: ids
// that were unknown and now resolve, and references moved off revoked
// techniques to their successor.
type Resolved struct {
	Rules           int `json:"rules"`            // rules that gained at least one technique link
	Templates       int `json:"templates"`        // templates linked to their technique
	Tests           int `json:"tests"`            // imported tests (VECTR) linked to their technique
	IntelReports    int `json:"intel_reports"`    // reports that gained at least one technique
	ControlMappings int `json:"control_mappings"` // control mappings created from pending references
	D3fendMappings  int `json:"d3fend_mappings"`  // D3FEND mappings created from pending references
	CampaignTests   int `json:"campaign_tests"`   // planned tests created from pending references
	Assessments     int `json:"assessments"`      // DeTT&CT scores linked to their technique

	MovedRules           int `json:"moved_rules"`            // rules moved off a revoked technique
	MovedTemplates       int `json:"moved_templates"`        // templates moved off a revoked technique
	MovedControlMappings int `json:"moved_control_mappings"` // control mappings moved off a revoked technique
	MovedD3fendMappings  int `json:"moved_d3fend_mappings"`  // D3FEND mappings moved off a revoked technique
	MovedAssessments     int `json:"moved_assessments"`      // DeTT&CT scores moved off a revoked technique

	StillUnknownRules int `json:"still_unknown_rules"` // rules naming ids the catalogue still lacks
	DeprecatedRules   int `json:"deprecated_rules"`    // enabled-or-not rules linked to deprecated techniques
}

// Total is the number of references resolved or moved.
func (r Resolved) Total() int {
	return r.Rules + r.Templates + r.Tests + r.IntelReports + r.ControlMappings + r.D3fendMappings + r.CampaignTests +
		r.Assessments + r.MovedRules + r.MovedTemplates + r.MovedControlMappings + r.MovedD3fendMappings + r.MovedAssessments
}

// PendingResolver creates the references of one kind whose ATT&CK id now
// resolves; it returns how many it created. The rows it handled are deleted
// by the caller.
type PendingResolver func(tx core.App, ix *store.Index, refs []PendingRow) (int, error)

// PendingRow is a stored pending reference with the technique it resolves to.
type PendingRow struct {
	ID        string
	Kind      string
	AttackID  string
	Owner     string
	Detail    string
	Data      map[string]any
	Technique string // resolved technique record id
}

var (
	resolversMu sync.RWMutex
	resolvers   = map[string]PendingResolver{}
)

// RegisterResolver sets the resolver of a kind of pending reference (the
// campaigns package registers planned tests).
func RegisterResolver(kind string, f PendingResolver) {
	resolversMu.Lock()
	defer resolversMu.Unlock()
	resolvers[kind] = f
}

// ResolveAll brings every stored reference up to date with the catalogue:
// unknown ids that now exist are linked, references to revoked techniques
// follow the successor, and pending references whose id exists are created.
// Run it inside the catalogue import's transaction.
func ResolveAll(tx core.App) (Resolved, error) {
	var out Resolved
	ix, err := store.LoadTechniques(tx)
	if err != nil {
		return out, err
	}
	now := types.NowDateTime().String()
	steps := []func() error{
		func() error {
			return resolveRelList(tx, ix, now, collections.DetectionRules, &out.Rules, &out.MovedRules, &out.StillUnknownRules)
		},
		func() error {
			var moved, unknown int
			return resolveRelList(tx, ix, now, collections.IntelReports, &out.IntelReports, &moved, &unknown)
		},
		func() error {
			return resolveTechniqueColumn(tx, ix, now, collections.TestTemplates, true, &out.Templates, &out.MovedTemplates)
		},
		func() error {
			var moved int
			return resolveTechniqueColumn(tx, ix, now, collections.Tests, false, &out.Tests, &moved)
		},
		func() error { return resolveAssessments(tx, ix, &out) },
		func() error {
			n, err := moveMappings(tx, ix, collections.ControlMappings)
			out.MovedControlMappings = n
			return err
		},
		func() error {
			n, err := moveMappings(tx, ix, collections.D3fendMappings)
			out.MovedD3fendMappings = n
			return err
		},
		func() error { return resolvePending(tx, ix, now, &out) },
		func() error {
			var n struct {
				N int `db:"n"`
			}
			err := tx.DB().NewQuery(`SELECT COUNT(DISTINCT r.id) AS n FROM {{detection_rules}} r, json_each(r.techniques) j
				JOIN {{techniques}} t ON t.id = j.value WHERE t.deprecated = TRUE AND t.revoked = FALSE AND r.removed = FALSE`).One(&n)
			out.DeprecatedRules = n.N
			return err
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// resolveRelList updates a collection with a `techniques` relation list and
// an `unknown_techniques` JSON list of ATT&CK ids (detection rules, intel
// reports): links move off revoked techniques, unknown ids that resolve
// become links.
func resolveRelList(tx core.App, ix *store.Index, now, collection string, resolved, moved, stillUnknown *int) error {
	var rows []struct {
		Id      string `db:"id"`
		Techs   string `db:"techniques"`
		Unknown string `db:"unknown_techniques"`
	}
	err := tx.DB().NewQuery(fmt.Sprintf(`SELECT [[id]], COALESCE([[techniques]], '[]') AS techniques,
		COALESCE([[unknown_techniques]], '[]') AS unknown_techniques FROM {{%s}}
		WHERE COALESCE([[unknown_techniques]], '[]') NOT IN ('[]', 'null', '')
		OR EXISTS (SELECT 1 FROM json_each(COALESCE({{%s}}.[[techniques]], '[]')) j JOIN {{techniques}} t ON t.id = j.value
			WHERE t.revoked = TRUE AND t.revoked_by != '')`, collection, collection)).All(&rows)
	if err != nil {
		return fmt.Errorf("load %s references: %w", collection, err)
	}
	upd := tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET [[techniques]] = {:t}, [[unknown_techniques]] = {:u}, [[updated]] = {:now} WHERE [[id]] = {:id}",
		collection)).Prepare()
	defer upd.Close()
	for _, r := range rows {
		var links, unknown []string
		_ = json.Unmarshal([]byte(r.Techs), &links)
		_ = json.Unmarshal([]byte(r.Unknown), &unknown)
		newLinks := make([]string, 0, len(links)+len(unknown))
		didMove, didResolve := false, false
		for _, l := range links {
			s := ix.Successor(l)
			if s != l {
				didMove = true
			}
			if !slices.Contains(newLinks, s) {
				newLinks = append(newLinks, s)
			}
		}
		left := []string{}
		for _, u := range unknown {
			id, ok := ix.Resolve(u)
			if !ok {
				left = append(left, u)
				continue
			}
			didResolve = true
			if !slices.Contains(newLinks, id) {
				newLinks = append(newLinks, id)
			}
		}
		if len(left) > 0 {
			*stillUnknown++
		}
		if !didMove && !didResolve {
			continue
		}
		tj, _ := json.Marshal(newLinks)
		uj, _ := json.Marshal(left)
		if _, err := upd.Bind(dbx.Params{"t": string(tj), "u": string(uj), "now": now, "id": r.Id}).Execute(); err != nil {
			return fmt.Errorf("resolve %s %s: %w", collection, r.Id, err)
		}
		if didResolve {
			*resolved++
		}
		if didMove {
			*moved++
		}
	}
	return nil
}

// resolveTechniqueColumn links the records of a collection with one
// `technique` relation and a raw `technique_attack_id` that were stored
// before the catalogue had the id (test templates, tests imported from
// VECTR), and, when moveRevoked, moves links off revoked techniques to their
// successor (tests are moved by the catalogue import itself, with audit).
func resolveTechniqueColumn(tx core.App, ix *store.Index, now, collection string, moveRevoked bool, resolved, moved *int) error {
	q := `SELECT [[id]], [[technique]], [[technique_attack_id]] FROM {{` + collection + `}}
		WHERE ([[technique]] = '' AND [[technique_attack_id]] != '')`
	if moveRevoked {
		q += ` OR [[technique]] IN (SELECT [[id]] FROM {{techniques}} WHERE [[revoked]] = TRUE AND [[revoked_by]] != '')`
	}
	var rows []struct {
		Id       string `db:"id"`
		Tech     string `db:"technique"`
		AttackId string `db:"technique_attack_id"`
	}
	if err := tx.DB().NewQuery(q).All(&rows); err != nil {
		return fmt.Errorf("load %s references: %w", collection, err)
	}
	upd := tx.DB().NewQuery("UPDATE {{" + collection + "}} SET [[technique]] = {:t}, [[updated]] = {:now} WHERE [[id]] = {:id}").Prepare()
	defer upd.Close()
	for _, r := range rows {
		var to string
		if r.Tech == "" {
			id, ok := ix.Resolve(r.AttackId)
			if !ok {
				continue
			}
			to = id
			*resolved++
		} else {
			to = ix.Successor(r.Tech)
			if to == r.Tech {
				continue
			}
			*moved++
		}
		if _, err := upd.Bind(dbx.Params{"t": to, "now": now, "id": r.Id}).Execute(); err != nil {
			return fmt.Errorf("link %s %s: %w", collection, r.Id, err)
		}
	}
	return nil
}

// resolveAssessments links DeTT&CT scores stored before their technique
// existed and moves them off revoked techniques (the technique link is not
// part of their content hash, so a re-import stays a no-op).
func resolveAssessments(tx core.App, ix *store.Index, out *Resolved) error {
	var rows []struct {
		Id       string `db:"id"`
		Tech     string `db:"technique"`
		AttackId string `db:"attack_id"`
	}
	err := tx.DB().NewQuery(`SELECT [[id]], [[technique]], [[attack_id]] FROM {{technique_assessments}}
		WHERE [[technique]] = '' OR [[technique]] IN (SELECT [[id]] FROM {{techniques}} WHERE [[revoked]] = TRUE AND [[revoked_by]] != '')`).All(&rows)
	if err != nil {
		return fmt.Errorf("load assessment references: %w", err)
	}
	upd := tx.DB().NewQuery("UPDATE {{technique_assessments}} SET [[technique]] = {:t} WHERE [[id]] = {:id}").Prepare()
	defer upd.Close()
	for _, r := range rows {
		to := ""
		if r.Tech == "" {
			id, ok := ix.Resolve(r.AttackId)
			if !ok {
				continue
			}
			to = id
			out.Assessments++
		} else {
			if to = ix.Successor(r.Tech); to == r.Tech {
				continue
			}
			out.MovedAssessments++
		}
		if _, err := upd.Bind(dbx.Params{"t": to, "id": r.Id}).Execute(); err != nil {
			return fmt.Errorf("link assessment %s: %w", r.Id, err)
		}
	}
	return nil
}

// moveMappings points mappings (technique + something, unique) at the
// successor of their revoked technique; a mapping the successor already
// has makes the revoked one redundant, and it is dropped.
func moveMappings(tx core.App, ix *store.Index, collection string) (int, error) {
	var rows []struct {
		Id   string `db:"id"`
		Tech string `db:"technique"`
	}
	err := tx.DB().NewQuery(fmt.Sprintf(`SELECT [[id]], [[technique]] FROM {{%s}} WHERE [[technique]] IN
		(SELECT [[id]] FROM {{techniques}} WHERE [[revoked]] = TRUE AND [[revoked_by]] != '') ORDER BY [[id]]`, collection)).All(&rows)
	if err != nil {
		return 0, fmt.Errorf("load %s on revoked techniques: %w", collection, err)
	}
	upd := tx.DB().NewQuery(fmt.Sprintf("UPDATE OR IGNORE {{%s}} SET [[technique]] = {:t} WHERE [[id]] = {:id}", collection)).Prepare()
	defer upd.Close()
	del := tx.DB().NewQuery(fmt.Sprintf("DELETE FROM {{%s}} WHERE [[id]] = {:id} AND [[technique]] = {:old}", collection)).Prepare()
	defer del.Close()
	n := 0
	for _, r := range rows {
		to := ix.Successor(r.Tech)
		if to == r.Tech {
			continue
		}
		if _, err := upd.Bind(dbx.Params{"t": to, "id": r.Id}).Execute(); err != nil {
			return n, fmt.Errorf("move %s %s: %w", collection, r.Id, err)
		}
		// Still on the old technique: the successor already had it.
		if _, err := del.Bind(dbx.Params{"id": r.Id, "old": r.Tech}).Execute(); err != nil {
			return n, fmt.Errorf("drop redundant %s %s: %w", collection, r.Id, err)
		}
		n++
	}
	return n, nil
}

// resolvePending creates pending references whose id now resolves and
// drops their pending rows.
func resolvePending(tx core.App, ix *store.Index, now string, out *Resolved) error {
	var rows []struct {
		Id       string `db:"id"`
		Kind     string `db:"kind"`
		AttackId string `db:"attack_id"`
		Owner    string `db:"owner"`
		Detail   string `db:"detail"`
		Data     string `db:"data"`
	}
	if err := tx.DB().NewQuery("SELECT [[id]], [[kind]], [[attack_id]], [[owner]], [[detail]], COALESCE([[data]], '{}') AS data FROM {{pending_attack_refs}} ORDER BY [[kind]], [[owner]], [[attack_id]]").
		All(&rows); err != nil {
		return fmt.Errorf("load pending references: %w", err)
	}
	byKind := map[string][]PendingRow{}
	for _, r := range rows {
		tech, ok := ix.Resolve(r.AttackId)
		if !ok {
			continue
		}
		p := PendingRow{ID: r.Id, Kind: r.Kind, AttackID: r.AttackId, Owner: r.Owner, Detail: r.Detail, Technique: tech}
		_ = json.Unmarshal([]byte(r.Data), &p.Data)
		byKind[r.Kind] = append(byKind[r.Kind], p)
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	del := tx.DB().NewQuery("DELETE FROM {{pending_attack_refs}} WHERE [[id]] = {:id}").Prepare()
	defer del.Close()
	for _, k := range kinds {
		refs := byKind[k]
		var n int
		var err error
		switch k {
		case collections.RefControlMapping:
			n, err = createControlMappings(tx, now, refs)
			out.ControlMappings += n
		case collections.RefD3fendMapping:
			n, err = createD3fendMappings(tx, now, refs)
			out.D3fendMappings += n
		default:
			resolversMu.RLock()
			f := resolvers[k]
			resolversMu.RUnlock()
			if f == nil {
				continue // no resolver in this binary: keep them waiting
			}
			n, err = f(tx, ix, refs)
			if k == collections.RefCampaignTest {
				out.CampaignTests += n
			}
		}
		if err != nil {
			return fmt.Errorf("resolve %s references: %w", k, err)
		}
		for _, r := range refs {
			if _, err := del.Bind(dbx.Params{"id": r.ID}).Execute(); err != nil {
				return fmt.Errorf("drop resolved reference: %w", err)
			}
		}
	}
	return nil
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func createControlMappings(tx core.App, now string, refs []PendingRow) (int, error) {
	ins := tx.DB().NewQuery(`INSERT OR IGNORE INTO {{control_mappings}} ([[id]], [[control]], [[technique]], [[mapping_type]], [[source]], [[created]], [[updated]])
		SELECT {:id}, {:control}, {:tech}, {:type}, {:source}, {:now}, {:now} WHERE EXISTS (SELECT 1 FROM {{compliance_controls}} WHERE [[id]] = {:control})`).Prepare()
	defer ins.Close()
	n := 0
	for _, r := range refs {
		res, err := ins.Bind(dbx.Params{"id": core.GenerateDefaultRandomId(), "control": r.Owner, "tech": r.Technique,
			"type": r.Detail, "source": str(r.Data, "source"), "now": now}).Execute()
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	return n, nil
}

func createD3fendMappings(tx core.App, now string, refs []PendingRow) (int, error) {
	ins := tx.DB().NewQuery(`INSERT OR IGNORE INTO {{d3fend_mappings}} ([[id]], [[technique]], [[d3fend]], [[via]], [[removed]], [[created]], [[updated]])
		SELECT {:id}, {:tech}, {:d3}, {:via}, FALSE, {:now}, {:now} WHERE EXISTS (SELECT 1 FROM {{d3fend_techniques}} WHERE [[id]] = {:d3})`).Prepare()
	defer ins.Close()
	n := 0
	for _, r := range refs {
		res, err := ins.Bind(dbx.Params{"id": core.GenerateDefaultRandomId(), "tech": r.Technique, "d3": r.Owner,
			"via": str(r.Data, "via"), "now": now}).Execute()
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	return n, nil
}
