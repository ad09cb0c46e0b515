package coverage

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Load reads everything the model needs with one query per entity (JSON
// arrays through json_each, relations as columns). It only reads.
func Load(app core.App) (*Data, error) {
	d := &Data{Now: time.Now().UTC(), Settings: LoadSettings(app), in: interner{}, shared: &sharedValues{}}
	defer func() { d.in = nil }()
	steps := []struct {
		name string
		fn   func(core.App, *Data) error
	}{
		{"tactics", loadTactics}, {"techniques", loadTechniques}, {"tests", loadTests},
		{"rules", loadRules}, {"countermeasures", loadCountermeasures}, {"controls", loadControls},
		{"actors", loadActors}, {"campaigns", loadCampaigns}, {"attack campaigns", loadAttackCampaigns},
		{"assessments", loadAssessments}, {"templates", loadTemplates},
	}
	for _, s := range steps {
		if err := s.fn(app, d); err != nil {
			return nil, fmt.Errorf("load coverage %s: %w", s.name, err)
		}
	}
	var v sql.NullString
	_ = app.DB().NewQuery("SELECT version FROM attack_releases WHERE domain = 'enterprise-attack' ORDER BY imported_at DESC LIMIT 1").Row(&v)
	d.AttackVersion = v.String
	return d, nil
}

// LoadSettings reads the scoring settings, keeping defaults for anything the
// record does not set.
func LoadSettings(app core.App) collections.ScoringSettings {
	s := collections.DefaultScoring()
	var raw sql.NullString
	if err := app.DB().NewQuery("SELECT scoring FROM settings WHERE key = 'default' LIMIT 1").Row(&raw); err == nil && raw.String != "" {
		var over collections.ScoringSettings
		if json.Unmarshal([]byte(raw.String), &over) == nil {
			merge(&s, over)
		}
	}
	return s
}

func merge(s *collections.ScoringSettings, o collections.ScoringSettings) {
	set := func(dst *float64, v float64) {
		if v > 0 {
			*dst = v
		}
	}
	// Weights may legitimately be zero, so take them together when any is set.
	if o.WeightValidation+o.WeightRules+o.WeightMitigation > 0 {
		s.WeightValidation, s.WeightRules, s.WeightMitigation = o.WeightValidation, o.WeightRules, o.WeightMitigation
	}
	switch {
	case o.WeightDettect > 0:
		s.WeightDettect = o.WeightDettect
	case o.WeightDettect < 0:
		s.WeightDettect = 0
	}
	set(&s.HalfLifeDays, o.HalfLifeDays)
	set(&s.FreshDays, o.FreshDays)
	set(&s.LevelLow, o.LevelLow)
	set(&s.LevelGood, o.LevelGood)
	set(&s.ValidatedV, o.ValidatedV)
	for k, v := range o.Prevention {
		s.Prevention[k] = v
	}
	for k, v := range o.Detection {
		s.Detection[k] = v
	}
	for k, v := range o.RuleStatus {
		s.RuleStatus[k] = v
	}
}

func query(app core.App, q string, params dbx.Params, each func(*dbx.Rows) error) error {
	rows, err := app.DB().NewQuery(q).Bind(params).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func loadTactics(app core.App, d *Data) error {
	return query(app, "SELECT id, attack_id, name, shortname, domain, matrix_order FROM tactics", nil, func(r *dbx.Rows) error {
		var t Tactic
		var order float64
		if err := r.Scan(&t.ID, &t.AttackID, &t.Name, &t.Shortname, &t.Domain, &order); err != nil {
			return err
		}
		t.Order = int(order)
		d.Tactics = append(d.Tactics, t)
		return nil
	})
}

func loadTechniques(app core.App, d *Data) error {
	err := query(app, `SELECT id, attack_id, name, domain, is_subtechnique, parent, in_scope, priority, revoked, deprecated,
		(SELECT group_concat(j.value, ',') FROM json_each(CASE WHEN json_valid(tactics) THEN tactics ELSE '[]' END) j),
		(SELECT group_concat(j.value, char(31)) FROM json_each(CASE WHEN json_valid(platforms) THEN platforms ELSE '[]' END) j)
		FROM techniques ORDER BY attack_id, id`, nil, func(r *dbx.Rows) error {
		var t Technique
		var sub, scope, revoked, deprecated bool
		var tactics, platforms sql.NullString
		if err := r.Scan(&t.ID, &t.AttackID, &t.Name, &t.Domain, &sub, &t.Parent, &scope, &t.Priority, &revoked, &deprecated,
			&tactics, &platforms); err != nil {
			return err
		}
		t.ID, t.Domain, t.Priority = d.in.of(t.ID), d.in.of(t.Domain), d.in.of(t.Priority)
		t.IsSub, t.InScope, t.Retired = sub, scope, revoked || deprecated
		t.Tactics = split(tactics.String, ",")
		t.Platforms = split(platforms.String, "\x1f")
		d.Techniques = append(d.Techniques, t)
		return nil
	})
	return err
}

const testColumns = `SELECT id, name, technique, campaign, template,
		CASE WHEN template = '' AND state IN ('validated', 'closed') THEN procedure ELSE '' END, platform, state, prevention, detection,
		executed_at, detected_at, validated_at, updated, revealed,
		outcome_imported = 1 AND outcome_confirmed_by = '' AND outcome_confirmed_at = '' FROM tests`

// loadTests reads the tests in table order (one pass over the table, the
// cheapest read) into one array, puts it in technique order in place, and
// files each technique's run of it as its tests; repeated strings are
// shared (see Test).
func loadTests(app core.App, d *Data) error {
	var n int
	if err := app.DB().NewQuery("SELECT count(*) FROM tests").Row(&n); err != nil {
		return err
	}
	in := d.in
	if in == nil {
		in = interner{}
	}
	all := make([]Test, 0, n+16)
	if err := queryTests(app, testColumns, nil, in, func(t Test) { all = append(all, t) }); err != nil {
		return err
	}
	byTechnique(all)
	d.byTech = make(map[string][]Test, len(d.Techniques))
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].Technique == all[i].Technique {
			j++
		}
		// A full slice expression: appending to one technique's tests
		// never writes into the next one's.
		d.byTech[all[i].Technique] = all[i:j:j]
		i = j
	}
	d.nTests = len(all)
	return nil
}

// byTechnique orders tests by technique (techniques in first-seen order,
// tests in their order within one), in place: a counting sort gives each
// test its place, and the permutation is applied by following its cycles,
// so no second array of tests is needed.
func byTechnique(all []Test) {
	group := map[string]int32{}
	var counts []int32
	g := make([]int32, len(all))
	for i := range all {
		k, ok := group[all[i].Technique]
		if !ok {
			k = int32(len(counts))
			group[all[i].Technique] = k
			counts = append(counts, 0)
		}
		g[i] = k
		counts[k]++
	}
	next := make([]int32, len(counts))
	for k, off := 1, int32(0); k < len(counts); k++ {
		off += counts[k-1]
		next[k] = off
	}
	dest := g // reuse: g[i] becomes the place of test i
	for i := range dest {
		k := dest[i]
		dest[i] = next[k]
		next[k]++
	}
	for i := range all {
		for int(dest[i]) != i {
			j := dest[i]
			all[i], all[j] = all[j], all[i]
			dest[i], dest[j] = dest[j], dest[i]
		}
	}
}

func queryTests(app core.App, q string, params dbx.Params, in interner, each func(Test)) error {
	return query(app, q, params, func(r *dbx.Rows) error {
		var t Test
		var proc, exec, det, val, upd string
		if err := r.Scan(&t.ID, &t.Name, &t.Technique, &t.Campaign, &t.Template, &proc, &t.Platform, &t.State,
			&t.Prevention, &t.Detection, &exec, &det, &val, &upd, &t.Revealed, &t.Unconfirmed); err != nil {
			return err
		}
		if p := strings.TrimSpace(proc); p != "" {
			h := fnv.New64a()
			h.Write([]byte(p))
			t.Procedure = strconv.FormatUint(h.Sum64(), 36)
		}
		t.Name, t.Technique, t.Campaign, t.Template = in.of(t.Name), in.of(t.Technique), in.of(t.Campaign), in.of(t.Template)
		t.Procedure, t.Platform, t.State = in.of(t.Procedure), in.of(t.Platform), in.of(t.State)
		t.Prevention, t.Detection = in.of(t.Prevention), in.of(t.Detection)
		t.ExecutedAt, t.DetectedAt, t.ValidatedAt = parseStamp(exec), parseStamp(det), parseStamp(val)
		if t.ValidatedAt.IsZero() && t.Validated() {
			t.ValidatedAt = parseStamp(upd)
		}
		each(t)
		return nil
	})
}

func parseStamp(s string) Stamp { return StampOf(ParseTime(s)) }

// PatchTests returns a copy of d in which the tests ids are read again (a
// test no longer in the database is dropped, a new one added), and the
// techniques those tests were or now are about: the reload after a test
// changes reads those rows, not the organisation. Only the touched
// techniques' tests are copied; everything else is shared with d, which is
// left as it was.
func PatchTests(app core.App, d *Data, ids []string) (*Data, []string, error) {
	ids = uniq(ids)
	changed := make(map[string]*Test, len(ids))
	if len(ids) > 0 {
		params := dbx.Params{}
		ph := make([]string, len(ids))
		for i, id := range ids {
			k := "p" + strconv.Itoa(i)
			params[k] = id
			ph[i] = "{:" + k + "}"
		}
		err := queryTests(app, testColumns+" WHERE id IN ("+strings.Join(ph, ", ")+")", params, interner{}, func(t Test) {
			changed[t.ID] = &t
		})
		if err != nil {
			return nil, nil, fmt.Errorf("patch coverage tests: %w", err)
		}
	}
	nd := &Data{Now: time.Now().UTC(), Settings: d.Settings, AttackVersion: d.AttackVersion, Tactics: d.Tactics,
		Techniques: d.Techniques, Rules: d.Rules, Countermeasures: d.Countermeasures, Controls: d.Controls,
		Actors: d.Actors, Campaigns: d.Campaigns, AttackCampaigns: d.AttackCampaigns, Assessments: d.Assessments,
		Templates: d.Templates, byTech: make(map[string][]Test, len(d.byTech)+1), nTests: d.nTests, shared: d.shared}
	for k, v := range d.byTech {
		nd.byTech[k] = v
	}
	if len(d.GivenTests) > 0 { // a model built by hand: file its tests by technique
		nd.groupTests(d.GivenTests)
	}
	// Where each id is now: its new technique's tests first (the usual
	// case, a test keeps its technique), else a scan of all of them.
	where := make(map[string]string, len(ids))
	for _, id := range ids {
		if c := changed[id]; c != nil && indexOf(nd.byTech[c.Technique], id) >= 0 {
			where[id] = c.Technique
			continue
		}
		for tech, ts := range nd.byTech {
			if indexOf(ts, id) >= 0 {
				where[id] = tech
				break
			}
		}
	}
	touched := map[string]bool{}
	for _, id := range ids {
		old, had := where[id]
		c := changed[id]
		if had {
			touched[old] = true
			ts := nd.byTech[old]
			i := indexOf(ts, id)
			if c != nil && c.Technique == old { // in place, in a copy
				cp := append([]Test(nil), ts...)
				cp[i] = *c
				nd.byTech[old] = cp
				continue
			}
			cp := make([]Test, 0, len(ts)-1)
			cp = append(append(cp, ts[:i]...), ts[i+1:]...)
			nd.setTests(old, cp)
			nd.nTests--
		}
		if c != nil {
			touched[c.Technique] = true
			ts := nd.byTech[c.Technique]
			cp := make([]Test, 0, len(ts)+1)
			nd.byTech[c.Technique] = append(append(cp, ts...), *c)
			nd.nTests++
		}
	}
	techs := make([]string, 0, len(touched))
	for id := range touched {
		if id != "" {
			techs = append(techs, id)
		}
	}
	return nd, techs, nil
}

// setTests sets a technique's tests, dropping the key when there are none.
func (d *Data) setTests(tech string, ts []Test) {
	if len(ts) == 0 {
		delete(d.byTech, tech)
		return
	}
	d.byTech[tech] = ts
}

func indexOf(ts []Test, id string) int {
	for i := range ts {
		if ts[i].ID == id {
			return i
		}
	}
	return -1
}

func loadRules(app core.App, d *Data) error {
	pos := map[string]int{}
	return query(app, `SELECT r.id, r.title, r.source, r.status, r.enabled, r.removed, ifnull(j.value, '')
		FROM detection_rules r LEFT JOIN json_each(CASE WHEN json_valid(r.techniques) THEN r.techniques ELSE '[]' END) j
		WHERE r.enabled = 1 AND r.removed = 0 ORDER BY r.id`, nil, func(r *dbx.Rows) error {
		var x Rule
		var tech string
		if err := r.Scan(&x.ID, &x.Title, &x.Source, &x.Status, &x.Enabled, &x.Removed, &tech); err != nil {
			return err
		}
		x.Source, x.Status, tech = d.in.of(x.Source), d.in.of(x.Status), d.in.of(tech)
		appendGrouped(&d.Rules, pos, x.ID, x, tech, func(v *Rule) *[]string { return &v.Techniques })
		return nil
	})
}

func loadCountermeasures(app core.App, d *Data) error {
	pos := map[string]int{}
	return query(app, `SELECT c.id, c.d3fend_id, c.name, c.status, m.technique
		FROM d3fend_mappings m JOIN d3fend_techniques c ON c.id = m.d3fend WHERE m.removed = FALSE ORDER BY c.id`, nil, func(r *dbx.Rows) error {
		var x Countermeasure
		var tech string
		if err := r.Scan(&x.ID, &x.D3fendID, &x.Name, &x.Status, &tech); err != nil {
			return err
		}
		x.Status, tech = d.in.of(x.Status), d.in.of(tech)
		appendGrouped(&d.Countermeasures, pos, x.ID, x, tech, func(v *Countermeasure) *[]string { return &v.Techniques })
		return nil
	})
}

func loadControls(app core.App, d *Data) error {
	pos := map[string]int{}
	return query(app, `SELECT c.id, c.framework, ifnull(f.name, ''), c.control_id, c.title, c.status, ifnull(m.technique, '')
		FROM compliance_controls c LEFT JOIN compliance_frameworks f ON f.id = c.framework
		LEFT JOIN control_mappings m ON m.control = c.id ORDER BY c.framework, c.control_id, c.id`, nil, func(r *dbx.Rows) error {
		var x Control
		var tech string
		if err := r.Scan(&x.ID, &x.Framework, &x.FrameworkName, &x.ControlID, &x.Title, &x.Status, &tech); err != nil {
			return err
		}
		x.Framework, x.FrameworkName, x.Status, tech = d.in.of(x.Framework), d.in.of(x.FrameworkName), d.in.of(x.Status), d.in.of(tech)
		appendGrouped(&d.Controls, pos, x.ID, x, tech, func(v *Control) *[]string { return &v.Techniques })
		return nil
	})
}

func loadActors(app core.App, d *Data) error {
	pos := map[string]int{}
	return query(app, `SELECT a.id, a.attack_id, a.name, ifnull(at.technique, '')
		FROM threat_actors a LEFT JOIN actor_techniques at ON at.actor = a.id
		WHERE a.revoked = 0 AND a.deprecated = 0 ORDER BY a.attack_id, a.name, a.id`, nil, func(r *dbx.Rows) error {
		var x Actor
		var tech string
		if err := r.Scan(&x.ID, &x.AttackID, &x.Name, &tech); err != nil {
			return err
		}
		tech = d.in.of(tech)
		appendGrouped(&d.Actors, pos, x.ID, x, tech, func(v *Actor) *[]string { return &v.Techniques })
		return nil
	})
}

func loadTemplates(app core.App, d *Data) error {
	return query(app, `SELECT id, name, source, technique FROM test_templates
		WHERE technique != '' AND removed = FALSE ORDER BY technique, source, name, id`, nil, func(r *dbx.Rows) error {
		var x Template
		if err := r.Scan(&x.ID, &x.Name, &x.Source, &x.Technique); err != nil {
			return err
		}
		d.Templates = append(d.Templates, x)
		return nil
	})
}

func loadAssessments(app core.App, d *Data) error {
	return query(app, `SELECT a.id, a.technique, a.kind, a.applicable_to, a.score, a.scored_at, a.comment
		FROM technique_assessments a WHERE a.technique != '' ORDER BY a.technique, a.kind, a.applicable_to`, nil, func(r *dbx.Rows) error {
		var x Assessment
		if err := r.Scan(&x.ID, &x.Technique, &x.Kind, &x.ApplicableTo, &x.Score, &x.ScoredAt, &x.Comment); err != nil {
			return err
		}
		d.Assessments = append(d.Assessments, x)
		return nil
	})
}

func loadAttackCampaigns(app core.App, d *Data) error {
	pos := map[string]int{}
	return query(app, `SELECT c.id, c.attack_id, c.name, ifnull(j.value, '')
		FROM attack_campaigns c LEFT JOIN json_each(c.techniques) j
		WHERE c.revoked = 0 AND c.deprecated = 0 ORDER BY c.attack_id, c.name, c.id`, nil, func(r *dbx.Rows) error {
		var x Actor
		var tech string
		if err := r.Scan(&x.ID, &x.AttackID, &x.Name, &tech); err != nil {
			return err
		}
		appendGrouped(&d.AttackCampaigns, pos, x.ID, x, tech, func(v *Actor) *[]string { return &v.Techniques })
		return nil
	})
}

func loadCampaigns(app core.App, d *Data) error {
	return query(app, "SELECT id, name, status, threat_actor, round, parent FROM campaigns ORDER BY created, id", nil, func(r *dbx.Rows) error {
		var c Campaign
		var round float64
		if err := r.Scan(&c.ID, &c.Name, &c.Status, &c.Actor, &round, &c.Parent); err != nil {
			return err
		}
		c.Round = int(round)
		d.Campaigns = append(d.Campaigns, c)
		return nil
	})
}

// appendGrouped folds the rows of a query that returns one row per entity
// and technique: the first row of an id adds the entity, every row adds its
// technique (none for an entity without mappings).
func appendGrouped[T any](list *[]T, pos map[string]int, id string, x T, tech string, techniques func(*T) *[]string) {
	i, ok := pos[id]
	if !ok {
		i = len(*list)
		pos[id] = i
		*list = append(*list, x)
	}
	if tech != "" {
		t := techniques(&(*list)[i])
		*t = append(*t, tech)
	}
}

// ParseTime reads a PocketBase date column; empty or invalid gives zero.
func ParseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse("2006-01-02 15:04:05.000Z", s); err == nil {
		return t
	}
	dt, err := types.ParseDateTime(s)
	if err != nil {
		return time.Time{}
	}
	return dt.Time()
}

func split(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}
