package attack

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/attackref"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Kind is the import kind this package registers.
const Kind = "attack"

// Changes is the attack_releases changelog: ATT&CK ids per kind of change.
type Changes struct {
	Added      []string          `json:"added"`
	Changed    []string          `json:"changed"`
	Revoked    []string          `json:"revoked"`
	Deprecated []string          `json:"deprecated"`
	Successors map[string]string `json:"successors,omitempty"` // revoked id → successor id
	MovedTests []MovedTest       `json:"moved_tests,omitempty"`
	Removed    int               `json:"removed_relationships"`
	// Resolved counts the stored references (rules, templates, mappings,
	// intel reports, planned tests) this import resolved or moved off
	// revoked techniques.
	Resolved attackref.Resolved `json:"resolved"`
}

// MovedTest is a test that followed its revoked technique to the successor.
type MovedTest struct {
	Test string `json:"test"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Import reads every STIX bundle in src and upserts the ATT&CK catalogue of
// its domain in one transaction. It is an importers.Func.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	cat, err := read(ctx, src, opts, rep)
	if err != nil {
		return nil, fmt.Errorf("import attack %s: %w", src, err)
	}
	rep.Version = cat.version
	rep.Counts = cat.counts
	err = app.RunInTransaction(func(tx core.App) error {
		return apply(ctx, tx, cat, rep, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("import attack %s: %w", src, err)
	}
	rep.Skipped = cat.skippedReport()
	rep.Finish(start)
	app.Logger().Info("ATT&CK import", "source", rep.Source, "domain", cat.domain, "version", rep.Version,
		"created", rep.Created, "updated", rep.Updated, "unchanged", rep.Unchanged, "seconds", rep.Seconds)
	return rep, nil
}

// read parses every JSON file of the source into one catalogue.
func read(ctx context.Context, src source.Source, opts importers.Options, rep *importers.Report) (*catalogue, error) {
	cat := &catalogue{byID: map[string]*Object{}, counts: map[string]int{}, skips: map[string][]string{}}
	names := []string{src.String()}
	var notBundles []importers.FileError
	files := 0
	err := src.Walk(ctx, func(e source.Entry) error {
		ext := strings.ToLower(path.Ext(e.Path))
		if ext != ".json" && ext != "" {
			return nil
		}
		b, err := ParseBundle(e.Body)
		if errors.Is(err, ErrNotBundle) {
			notBundles = append(notBundles, importers.FileError{Path: e.Path, Error: err.Error()})
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		if err := cat.merge(b); err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		files++
		names = append(names, e.Path)
		if opts.Progress != nil {
			opts.Progress("read", files, 0)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if files == 0 {
		if len(notBundles) > 0 {
			return nil, fmt.Errorf("%s: %s", notBundles[0].Path, notBundles[0].Error)
		}
		return nil, fmt.Errorf("no JSON file in the source: expected an ATT&CK STIX bundle (.json, .json.gz or an archive of them)")
	}
	rep.Files = files
	rep.FileErrors = append(rep.FileErrors, notBundles...)
	if err := cat.detectDomain(); err != nil {
		return nil, err
	}
	cat.detectVersion(names)
	return cat, nil
}

// state is one import's working set inside the transaction.
type state struct {
	tx   core.App
	cat  *catalogue
	rep  *importers.Report
	now  string
	hash func([]any) string

	ids        map[string]string // stix id → record id, bundle and database
	techDomain map[string]string // technique record id → domain
	first      bool              // no technique of this domain existed
	changes    Changes
	shortnames map[string]string // tactic shortname → record id, this domain
}

func apply(ctx context.Context, tx core.App, cat *catalogue, rep *importers.Report, opts importers.Options) error {
	h := sha256.New()
	st := &state{tx: tx, cat: cat, rep: rep, now: types.NowDateTime().String(),
		hash: func(v []any) string { return hashValues(h, v) },
		ids:  map[string]string{}, techDomain: map[string]string{}}
	st.changes = Changes{Added: []string{}, Changed: []string{}, Revoked: []string{}, Deprecated: []string{}, Successors: map[string]string{}}

	tables := []table{tacticsTable, dataComponentsTable, techniquesTable, mitigationsTable, strategiesTable,
		actorsTable, softwareTable, campaignsTable}
	prev, err := st.load(tables)
	if err != nil {
		return err
	}
	rel, err := st.resolveRelationships()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	planned := map[string][]*row{}
	for _, t := range tables {
		planned[t.name] = st.plan(t, prev[t.name], rel)
	}
	atRows, atDelete, err := st.planActorTechniques(rel)
	if err != nil {
		return err
	}
	planned[actorTechniquesTable.name] = atRows
	moves, err := st.planTestMoves(rel)
	if err != nil {
		return err
	}

	writes := 0
	for _, rows := range planned {
		writes += len(rows)
	}
	if writes == 0 && len(atDelete) == 0 && len(moves) == 0 {
		// Nothing new in the catalogue, but references stored while it
		// lacked an id (or before references were resolved at all) may
		// resolve now.
		res, err := attackref.ResolveAll(tx)
		if err != nil {
			return err
		}
		if res.Total() == 0 {
			rep.NoChange = true
			return nil
		}
		st.changes.Resolved = res
		return st.record(opts)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	if err := st.write(append(tables, actorTechniquesTable), planned, writes, opts); err != nil {
		return err
	}
	if len(atDelete) > 0 {
		ids := make([]any, len(atDelete))
		for i, id := range atDelete {
			ids[i] = id
		}
		if _, err := tx.DB().Delete(actorTechniquesTable.name, dbx.In("id", ids...)).Execute(); err != nil {
			return fmt.Errorf("remove relationships gone upstream: %w", err)
		}
		rep.Removed = len(atDelete)
		st.changes.Removed = len(atDelete)
	}
	if err := st.moveTests(moves, opts); err != nil {
		return err
	}
	// References stored before this import brought their ids, or naming
	// techniques it revoked, resolve in the same transaction.
	res, err := attackref.ResolveAll(tx)
	if err != nil {
		return err
	}
	st.changes.Resolved = res
	return st.record(opts)
}

// load reads what the catalogue collections hold (table → stix id → row),
// gives every object a record id (new objects get theirs now so relations
// resolve in one pass) and notes whether this is the domain's first import.
func (st *state) load(tables []table) (map[string]map[string]existing, error) {
	prev := map[string]map[string]existing{} // table → stix id → row
	for _, t := range tables {
		rows, err := loadExisting(st.tx, t)
		if err != nil {
			return nil, err
		}
		m := make(map[string]existing, len(rows))
		for _, r := range rows {
			m[r.stixID] = r
			st.ids[r.stixID] = r.id
			if t.name == techniquesTable.name {
				st.techDomain[r.id] = r.domain
			}
		}
		prev[t.name] = m
	}
	st.first = true
	for _, r := range prev[techniquesTable.name] {
		if r.domain == st.cat.domain {
			st.first = false
			break
		}
	}
	// New objects get their record ids now so relations resolve in one pass.
	for _, o := range st.cat.order {
		if tableOf(o.Type) == "" {
			continue
		}
		if _, ok := st.ids[o.ID]; !ok {
			st.ids[o.ID] = core.GenerateDefaultRandomId()
		}
		if o.Type == "attack-pattern" {
			st.techDomain[st.ids[o.ID]] = st.cat.domain
		}
	}
	return prev, nil
}

// write runs the planned inserts and updates, table by table.
func (st *state) write(tables []table, planned map[string][]*row, writes int, opts importers.Options) error {
	done := 0
	for _, t := range tables {
		w, err := newWriter(st.tx, t, st.now)
		if err != nil {
			return err
		}
		for _, r := range planned[t.name] {
			if err := w.Write(r.isNew, r.id, r.vals, r.hash); err != nil {
				w.Close()
				return fmt.Errorf("write %s %s: %w", t.name, r.attackID, err)
			}
			done++
			if opts.Progress != nil && done%500 == 0 {
				opts.Progress("write", done, writes)
			}
		}
		w.Close()
	}
	if opts.Progress != nil {
		opts.Progress("write", writes, writes)
	}
	return nil
}

// tableOf is the collection an object type is stored in ("" = not stored).
func tableOf(typ string) string {
	switch typ {
	case "x-mitre-tactic":
		return tacticsTable.name
	case "attack-pattern":
		return techniquesTable.name
	case "x-mitre-data-component":
		return dataComponentsTable.name
	case "course-of-action":
		return mitigationsTable.name
	case "x-mitre-detection-strategy":
		return strategiesTable.name
	case "intrusion-set":
		return actorsTable.name
	case "malware", "tool":
		return softwareTable.name
	case "campaign":
		return campaignsTable.name
	}
	return ""
}

func stixType(id string) string {
	if i := strings.Index(id, "--"); i > 0 {
		return id[:i]
	}
	return ""
}

// relations is what the relationships say, by STIX id.
type relations struct {
	parent      map[string]string   // sub-technique → parent
	revokedBy   map[string]string   // revoked object → successor
	mitigates   map[string][]string // mitigation → techniques
	detects     map[string][]string // detection strategy → techniques
	dcDetects   map[string][]string // technique → data components (pre-v18 detects)
	actorUses   []*Object           // intrusion-set → attack-pattern
	swTechs     map[string][]string // software → techniques
	swActors    map[string][]string // software → groups
	tacticOrder map[string]int      // tactic → matrix column (1-based)
	techDCs     map[string][]string // technique → data components via v18 analytics
	byAttackID  map[string]string   // technique ATT&CK id → STIX id (active first)
	campTechs   map[string][]string // campaign → techniques
	campSW      map[string][]string // campaign → software
	campActors  map[string][]string // campaign → attributed groups
}

func (st *state) resolveRelationships() (*relations, error) {
	cat := st.cat
	r := &relations{parent: map[string]string{}, revokedBy: map[string]string{}, mitigates: map[string][]string{},
		detects: map[string][]string{}, dcDetects: map[string][]string{}, swTechs: map[string][]string{},
		swActors: map[string][]string{}, tacticOrder: map[string]int{}, techDCs: map[string][]string{},
		byAttackID: map[string]string{}, campTechs: map[string][]string{}, campSW: map[string][]string{},
		campActors: map[string][]string{}}
	for _, o := range cat.order {
		if o.Type == "attack-pattern" && !o.IsSubtechnique {
			aid, _ := o.attackRef()
			if _, taken := r.byAttackID[aid]; !taken || !o.Revoked {
				r.byAttackID[aid] = o.ID
			}
		}
	}
	var dangling []string
	known := func(id string) bool {
		if _, ok := cat.byID[id]; ok {
			return true
		}
		_, ok := st.ids[id]
		return ok
	}
	for _, o := range cat.relationships {
		if o.SourceRef == "" || o.TargetRef == "" {
			return nil, fmt.Errorf("relationship %s has no source_ref or target_ref", o.ID)
		}
		for _, ref := range []string{o.SourceRef, o.TargetRef} {
			if !known(ref) {
				dangling = append(dangling, fmt.Sprintf("%s (%s) → %s", o.ID, o.RelationshipType, ref))
			}
		}
		if o.Revoked || o.Deprecated {
			cat.skip("revoked or deprecated relationship", o.ID)
			continue
		}
		s, t := stixType(o.SourceRef), stixType(o.TargetRef)
		switch {
		case o.RelationshipType == "subtechnique-of" && s == "attack-pattern" && t == "attack-pattern":
			r.parent[o.SourceRef] = o.TargetRef
		case o.RelationshipType == "revoked-by":
			r.revokedBy[o.SourceRef] = o.TargetRef
		case o.RelationshipType == "mitigates" && s == "course-of-action" && t == "attack-pattern":
			r.mitigates[o.SourceRef] = append(r.mitigates[o.SourceRef], o.TargetRef)
		case o.RelationshipType == "detects" && s == "x-mitre-detection-strategy" && t == "attack-pattern":
			r.detects[o.SourceRef] = append(r.detects[o.SourceRef], o.TargetRef)
		case o.RelationshipType == "detects" && s == "x-mitre-data-component" && t == "attack-pattern":
			r.dcDetects[o.TargetRef] = append(r.dcDetects[o.TargetRef], o.SourceRef)
		case o.RelationshipType == "uses" && s == "intrusion-set" && t == "attack-pattern":
			r.actorUses = append(r.actorUses, o)
		case o.RelationshipType == "uses" && (s == "malware" || s == "tool") && t == "attack-pattern":
			r.swTechs[o.SourceRef] = append(r.swTechs[o.SourceRef], o.TargetRef)
		case o.RelationshipType == "uses" && s == "intrusion-set" && (t == "malware" || t == "tool"):
			r.swActors[o.TargetRef] = append(r.swActors[o.TargetRef], o.SourceRef)
		case o.RelationshipType == "uses" && s == "campaign" && t == "attack-pattern":
			r.campTechs[o.SourceRef] = append(r.campTechs[o.SourceRef], o.TargetRef)
		case o.RelationshipType == "uses" && s == "campaign" && (t == "malware" || t == "tool"):
			r.campSW[o.SourceRef] = append(r.campSW[o.SourceRef], o.TargetRef)
		case o.RelationshipType == "attributed-to" && s == "campaign" && t == "intrusion-set":
			r.campActors[o.SourceRef] = append(r.campActors[o.SourceRef], o.TargetRef)
		default:
			cat.skip(fmt.Sprintf("%s relationship from %s to %s is not used", o.RelationshipType, s, t), o.ID)
		}
	}
	if len(dangling) > 0 {
		more := ""
		if len(dangling) > 3 {
			more = fmt.Sprintf(" and %d more", len(dangling)-3)
		}
		return nil, fmt.Errorf("%d relationship reference(s) point to objects that are neither in the bundle nor in the catalogue: %s%s",
			len(dangling), strings.Join(dangling[:min(3, len(dangling))], "; "), more)
	}
	r.linkDataComponents(cat)
	r.orderTactics(cat)
	for _, o := range cat.order {
		switch o.Type {
		case "campaign", "x-mitre-data-source", "x-mitre-analytic", "x-mitre-matrix", "x-mitre-collection",
			"identity", "marking-definition", "relationship", "attack-pattern", "x-mitre-tactic",
			"x-mitre-data-component", "course-of-action", "x-mitre-detection-strategy", "intrusion-set", "malware", "tool":
		default:
			cat.skip("object type "+o.Type+" is not part of ATT&CK", o.ID)
		}
	}
	return r, nil
}

// linkDataComponents: since v18 a technique's data components are those
// its detection strategies' analytics read.
func (r *relations) linkDataComponents(cat *catalogue) {
	for det, techs := range r.detects {
		d, ok := cat.byID[det]
		if !ok {
			continue
		}
		var dcs []string
		for _, an := range d.AnalyticRefs {
			if a, ok := cat.byID[an]; ok {
				for _, ls := range a.LogSourceRefs {
					if ls.DataComponentRef != "" {
						dcs = append(dcs, ls.DataComponentRef)
					}
				}
			}
		}
		for _, t := range techs {
			r.techDCs[t] = append(r.techDCs[t], dcs...)
		}
	}
}

// orderTactics numbers the tactics in matrix order: active matrices first
// (their tactic_refs are the columns left to right), deprecated after.
func (r *relations) orderTactics(cat *catalogue) {
	var matrices []*Object
	for _, o := range cat.order {
		if o.Type == "x-mitre-matrix" {
			matrices = append(matrices, o)
		}
	}
	sort.SliceStable(matrices, func(i, j int) bool { return !matrices[i].Deprecated && matrices[j].Deprecated })
	n := 0
	for _, m := range matrices {
		for _, t := range m.TacticRefs {
			if _, ok := r.tacticOrder[t]; !ok {
				n++
				r.tacticOrder[t] = n
			}
		}
	}
}

// plan builds the rows of one table and keeps those that differ from the
// database.
func (st *state) plan(t table, prev map[string]existing, rel *relations) []*row {
	cat := st.cat
	var out []*row
	for _, o := range cat.order {
		if tableOf(o.Type) != t.name {
			continue
		}
		aid, url := o.attackRef()
		vals := st.values(t, o, aid, url, prev[o.ID], rel)
		r := &row{id: st.ids[o.ID], attackID: aid, vals: vals, hash: st.hash(vals)}
		p, ok := prev[o.ID]
		r.isNew = !ok
		st.track(t, o, aid, r, p, ok, rel)
		if ok && p.hash == r.hash {
			st.rep.Unchanged++
			continue
		}
		if r.isNew {
			st.rep.Created++
		} else {
			st.rep.Updated++
		}
		out = append(out, r)
	}
	return out
}

// track records the changelog entries of one object.
func (st *state) track(t table, o *Object, aid string, r *row, p existing, existed bool, rel *relations) {
	label := aid
	if label == "" {
		label = o.Name
	}
	if existed && p.hash != r.hash {
		st.changes.Changed = append(st.changes.Changed, label)
	}
	if !existed {
		st.changes.Added = append(st.changes.Added, label)
	}
	if !t.hasFlags {
		return
	}
	newly := func(now, before bool) bool {
		if !now {
			return false
		}
		if existed {
			return !before
		}
		return !st.first
	}
	if newly(o.Revoked, p.revoked) {
		st.changes.Revoked = append(st.changes.Revoked, label)
		st.rep.Revoked++
		if succ, ok := rel.revokedBy[o.ID]; ok {
			if so, ok := st.cat.byID[succ]; ok {
				sid, _ := so.attackRef()
				st.changes.Successors[label] = sid
			}
		}
	} else if !o.Revoked && newly(o.Deprecated, p.deprecated) {
		st.changes.Deprecated = append(st.changes.Deprecated, label)
		st.rep.Deprecated++
	}
}

// values is the column values of one object, in table.cols order.
func (st *state) values(t table, o *Object, aid, url string, p existing, rel *relations) []any {
	cat := st.cat
	switch t.name {
	case tacticsTable.name:
		order, ok := rel.tacticOrder[o.ID]
		if !ok {
			order = 1000 // not on any matrix: after the columns
		}
		return []any{o.ID, aid, o.Name, o.Shortname, cat.domain, order, o.Description, url}
	case dataComponentsTable.name:
		ds := ""
		if src, ok := cat.byID[o.DataSourceRef]; ok {
			ds = src.Name
		}
		return []any{o.ID, aid, o.Name, ds, jsonOf(nonNil(o.LogSources)), o.Description, st.sharedDomain(o),
			o.Deprecated, o.Revoked, url}
	case techniquesTable.name:
		return st.techniqueValues(o, aid, url, rel)
	case mitigationsTable.name:
		techs := st.mergeTechniques(p.rel, rel.mitigates[o.ID])
		return []any{o.ID, aid, o.Name, o.Description, st.sharedDomain(o), techs, o.Revoked, o.Deprecated, url}
	case strategiesTable.name:
		techs := st.mergeTechniques(p.rel, rel.detects[o.ID])
		return []any{o.ID, aid, o.Name, st.sharedDomain(o), techs, st.analytics(o), o.Revoked, o.Deprecated}
	case actorsTable.name:
		return []any{o.ID, aid, o.Name, jsonOf(nonNil(o.Aliases)), o.Description, jsonOf(references(o)),
			st.sharedDomain(o), o.Revoked, o.Deprecated, url}
	case softwareTable.name:
		techs := st.mergeTechniques(p.rel, rel.swTechs[o.ID])
		actors := st.recordIDs(rel.swActors[o.ID])
		return []any{o.ID, aid, o.Name, o.Type, jsonOf(nonNil(o.MitreAliases)), o.Description,
			jsonOf(nonNil(o.Platforms)), st.sharedDomain(o), techs, actors, o.Revoked, o.Deprecated, url}
	case campaignsTable.name:
		techs := st.mergeTechniques(p.rel, rel.campTechs[o.ID])
		return []any{o.ID, aid, o.Name, jsonOf(nonNil(o.Aliases)), o.Description, jsonOf(references(o)),
			st.sharedDomain(o), dateOf(o.FirstSeen), dateOf(o.LastSeen), techs, st.recordIDs(rel.campSW[o.ID]),
			st.recordIDs(rel.campActors[o.ID]), o.Revoked, o.Deprecated, url}
	}
	panic("attack: no values for " + t.name)
}

type techniqueMeta struct {
	Created              string              `json:"created,omitempty"`
	Contributors         []string            `json:"contributors,omitempty"`
	PermissionsRequired  []string            `json:"permissions_required,omitempty"`
	EffectivePermissions []string            `json:"effective_permissions,omitempty"`
	DefenseBypassed      []string            `json:"defense_bypassed,omitempty"`
	SystemRequirements   []string            `json:"system_requirements,omitempty"`
	ImpactType           []string            `json:"impact_type,omitempty"`
	TacticType           []string            `json:"tactic_type,omitempty"`
	RemoteSupport        bool                `json:"remote_support,omitempty"`
	NetworkRequirements  bool                `json:"network_requirements,omitempty"`
	DataSources          []string            `json:"data_sources,omitempty"`
	References           []ExternalReference `json:"references,omitempty"`
}

func (st *state) techniqueValues(o *Object, aid, url string, rel *relations) []any {
	cat := st.cat
	var tactics []string
	for _, k := range o.KillChainPhases {
		if !strings.HasPrefix(k.KillChainName, "mitre-") {
			continue
		}
		if id, ok := st.tacticByShortname(k.PhaseName); ok {
			tactics = append(tactics, id)
		} else {
			cat.skip("kill chain phase names no tactic of the domain (technique kept without it)", o.ID+" "+k.PhaseName)
		}
	}
	dcs := append(append([]string{}, rel.dcDetects[o.ID]...), rel.techDCs[o.ID]...)
	parent := ""
	if p, ok := rel.parent[o.ID]; ok {
		parent = st.ids[p]
	} else if o.IsSubtechnique {
		// Revoked sub-techniques lost their subtechnique-of link upstream;
		// the id still names the parent (T1053.001 → T1053).
		if dot := strings.IndexByte(aid, '.'); dot > 0 {
			if p, ok := rel.byAttackID[aid[:dot]]; ok {
				parent = st.ids[p]
			}
		}
	}
	revokedBy := ""
	if s, ok := rel.revokedBy[o.ID]; ok && stixType(s) == "attack-pattern" {
		revokedBy = st.ids[s]
	}
	meta := techniqueMeta{Created: o.Created, Contributors: o.Contributors, PermissionsRequired: o.PermissionsRequired,
		EffectivePermissions: o.EffectivePermissions, DefenseBypassed: o.DefenseBypassed,
		SystemRequirements: o.SystemRequirements, ImpactType: o.ImpactType, TacticType: o.TacticType,
		RemoteSupport: o.RemoteSupport, NetworkRequirements: o.NetworkRequirements, DataSources: o.DataSources,
		References: references(o)}
	return []any{o.ID, aid, o.Name, o.Description, st.cat.domain, idList(tactics), jsonOf(nonNil(o.Platforms)),
		o.IsSubtechnique, o.Detection, st.recordIDs(dcs), o.Revoked, o.Deprecated, o.Version,
		dateOf(o.Modified), url, jsonOf(meta), parent, revokedBy}
}

// tacticByShortname finds the tactic record of this domain by shortname:
// the bundle's tactics first, then the database's (partial imports).
func (st *state) tacticByShortname(short string) (string, bool) {
	if st.shortnames == nil {
		st.shortnames = map[string]string{}
		var rows []struct {
			Id        string `db:"id"`
			Shortname string `db:"shortname"`
		}
		_ = st.tx.DB().Select("id", "shortname").From(tacticsTable.name).
			Where(dbx.HashExp{"domain": st.cat.domain}).All(&rows)
		for _, r := range rows {
			st.shortnames[r.Shortname] = r.Id
		}
		for _, o := range st.cat.order {
			if o.Type == "x-mitre-tactic" && !o.Revoked {
				st.shortnames[o.Shortname] = st.ids[o.ID]
			}
		}
	}
	id, ok := st.shortnames[short]
	return id, ok
}

// analyticJSON is one analytic inside detection_strategies.analytics.
type analyticJSON struct {
	ID              string           `json:"id"`
	StixID          string           `json:"stix_id"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	Platforms       []string         `json:"platforms"`
	LogSources      []analyticLog    `json:"log_sources"`
	MutableElements []MutableElement `json:"mutable_elements,omitempty"`
	URL             string           `json:"url,omitempty"`
	Revoked         bool             `json:"revoked,omitempty"`
	Deprecated      bool             `json:"deprecated,omitempty"`
}

type analyticLog struct {
	DataComponent     string `json:"data_component"`      // record id
	DataComponentID   string `json:"data_component_id"`   // DC0084
	DataComponentName string `json:"data_component_name"` // Active Directory Credential Request
	Name              string `json:"name"`
	Channel           string `json:"channel"`
}

func (st *state) analytics(o *Object) string {
	out := make([]analyticJSON, 0, len(o.AnalyticRefs))
	for _, ref := range o.AnalyticRefs {
		a, ok := st.cat.byID[ref]
		if !ok {
			st.cat.skip("analytic referenced by a detection strategy is missing", o.ID+" → "+ref)
			continue
		}
		aid, url := a.attackRef()
		j := analyticJSON{ID: aid, StixID: a.ID, Name: a.Name, Description: a.Description, Platforms: nonNil(a.Platforms),
			LogSources: []analyticLog{}, MutableElements: a.MutableElements, URL: url, Revoked: a.Revoked, Deprecated: a.Deprecated}
		for _, ls := range a.LogSourceRefs {
			l := analyticLog{DataComponent: st.ids[ls.DataComponentRef], Name: ls.Name, Channel: ls.Channel}
			if dc, ok := st.cat.byID[ls.DataComponentRef]; ok {
				l.DataComponentID, _ = dc.attackRef()
				l.DataComponentName = dc.Name
			}
			j.LogSources = append(j.LogSources, l)
		}
		out = append(out, j)
	}
	return jsonOf(out)
}

// sharedDomain is the domain column of objects several domains share
// (groups, software, mitigations, data components): their ATT&CK domains,
// sorted and comma-joined, so every domain's import writes the same value.
func (st *state) sharedDomain(o *Object) string {
	var ds []string
	for _, d := range o.Domains {
		if knownDomains[d] {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return st.cat.domain
	}
	sort.Strings(ds)
	return strings.Join(ds, ",")
}

// mergeTechniques keeps the links to other domains' techniques that the
// row already has and replaces this domain's with what the bundle says.
func (st *state) mergeTechniques(prevJSON string, stixIDs []string) string {
	var ids []string
	if prevJSON != "" && prevJSON != "[]" {
		var old []string
		if json.Unmarshal([]byte(prevJSON), &old) == nil {
			for _, id := range old {
				// A partial import (TAXII added_after: no matrix) only adds links.
				if d, ok := st.techDomain[id]; ok && (d != st.cat.domain || !st.cat.fullRelease) {
					ids = append(ids, id)
				}
			}
		}
	}
	for _, s := range stixIDs {
		if id, ok := st.ids[s]; ok {
			ids = append(ids, id)
		}
	}
	return idList(ids)
}

// recordIDs maps STIX ids to record ids as a sorted JSON list.
func (st *state) recordIDs(stixIDs []string) string {
	ids := make([]string, 0, len(stixIDs))
	for _, s := range stixIDs {
		if id, ok := st.ids[s]; ok {
			ids = append(ids, id)
		}
	}
	return idList(ids)
}

// idList is a sorted, de-duplicated JSON array of record ids (which are
// [a-z0-9] only, so no escaping is needed).
func idList(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	sort.Strings(ids)
	var b strings.Builder
	b.WriteByte('[')
	last := ""
	for i, id := range ids {
		if i > 0 && id == last {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(id)
		b.WriteByte('"')
		last = id
	}
	b.WriteByte(']')
	return b.String()
}

func references(o *Object) []ExternalReference {
	out := make([]ExternalReference, 0, len(o.ExternalReferences))
	for _, r := range o.ExternalReferences {
		switch r.SourceName {
		case "mitre-attack", "mitre-mobile-attack", "mitre-ics-attack", "mitre-pre-attack":
			continue
		}
		out = append(out, r)
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func dateOf(s string) string {
	if s == "" {
		return ""
	}
	d, err := types.ParseDateTime(s)
	if err != nil {
		return ""
	}
	return d.String()
}
