package attackref

import (
	"encoding/json"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// UnknownID is one ATT&CK id that stored content names and the catalogue
// does not have (a newer ATT&CK release, or a typo upstream).
type UnknownID struct {
	AttackID string `json:"attack_id"`
	Rules    int    `json:"rules"`
	Pending  int    `json:"pending"` // mappings and planned tests waiting for it
}

// UnknownRule is a rule that names at least one such id.
type UnknownRule struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Source  string   `json:"source"`
	Unknown []string `json:"unknown"`
}

// DeprecatedRule is a rule linked to a technique ATT&CK deprecated: it still
// counts, but the team should know.
type DeprecatedRule struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Source     string `json:"source"`
	Techniques string `json:"techniques"` // comma-joined ATT&CK ids
}

// UnknownReport is what GET /api/aegis/content/unknown-techniques answers.
type UnknownReport struct {
	IDs        []UnknownID      `json:"ids"`
	Rules      []UnknownRule    `json:"rules"`
	RuleCount  int              `json:"rule_count"`
	Deprecated []DeprecatedRule `json:"deprecated"`
	Pending    map[string]int   `json:"pending"` // by kind
	// DeprecatedOther counts templates, control and D3FEND mappings and
	// DeTT&CT scores on techniques ATT&CK deprecated (still counted, flagged).
	DeprecatedOther map[string]int `json:"deprecated_other"`
}

// Unknown lists the ATT&CK ids stored content names that the catalogue does
// not have, the rules naming them (up to limit), and the rules linked to
// deprecated techniques.
func Unknown(app core.App, limit int) (UnknownReport, error) {
	out := UnknownReport{IDs: []UnknownID{}, Rules: []UnknownRule{}, Deprecated: []DeprecatedRule{}, Pending: map[string]int{},
		DeprecatedOther: map[string]int{}}
	var ids []struct {
		Id      string `db:"id"`
		Rules   int    `db:"rules"`
		Pending int    `db:"pending"`
	}
	err := app.DB().NewQuery(`SELECT id, SUM(rules) AS rules, SUM(pending) AS pending FROM (
			SELECT u.value AS id, COUNT(DISTINCT r.id) AS rules, 0 AS pending FROM {{detection_rules}} r, json_each(r.unknown_techniques) u
				WHERE r.removed = FALSE GROUP BY u.value
			UNION ALL SELECT attack_id AS id, 0 AS rules, COUNT(*) AS pending FROM {{pending_attack_refs}} GROUP BY attack_id)
		GROUP BY id ORDER BY rules DESC, pending DESC, id`).All(&ids)
	if err != nil {
		return out, fmt.Errorf("unknown technique ids: %w", err)
	}
	for _, r := range ids {
		out.IDs = append(out.IDs, UnknownID{AttackID: r.Id, Rules: r.Rules, Pending: r.Pending})
	}
	var rules []struct {
		Id      string `db:"id"`
		Title   string `db:"title"`
		Source  string `db:"source"`
		Unknown string `db:"unknown_techniques"`
	}
	if err := app.DB().NewQuery(`SELECT id, title, source, unknown_techniques FROM {{detection_rules}}
		WHERE removed = FALSE AND json_array_length(COALESCE(unknown_techniques, '[]')) > 0 ORDER BY title, id`).All(&rules); err != nil {
		return out, fmt.Errorf("rules naming unknown techniques: %w", err)
	}
	out.RuleCount = len(rules)
	for i, r := range rules {
		if i >= limit {
			break
		}
		u := UnknownRule{ID: r.Id, Title: r.Title, Source: r.Source}
		_ = json.Unmarshal([]byte(r.Unknown), &u.Unknown)
		out.Rules = append(out.Rules, u)
	}
	var dep []struct {
		Id    string `db:"id"`
		Title string `db:"title"`
		Src   string `db:"source"`
		Techs string `db:"techs"`
	}
	if err := app.DB().NewQuery(`SELECT r.id, r.title, r.source, group_concat(t.attack_id, ', ') AS techs
		FROM {{detection_rules}} r, json_each(r.techniques) j JOIN {{techniques}} t ON t.id = j.value
		WHERE t.deprecated = TRUE AND t.revoked = FALSE AND r.removed = FALSE
		GROUP BY r.id ORDER BY r.title, r.id LIMIT {:lim}`).Bind(dbx.Params{"lim": limit}).All(&dep); err != nil {
		return out, fmt.Errorf("rules on deprecated techniques: %w", err)
	}
	for _, d := range dep {
		out.Deprecated = append(out.Deprecated, DeprecatedRule{ID: d.Id, Title: d.Title, Source: d.Src, Techniques: d.Techs})
	}
	var pend []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := app.DB().NewQuery(`SELECT kind, COUNT(*) AS n FROM {{pending_attack_refs}} GROUP BY kind`).All(&pend); err != nil {
		return out, fmt.Errorf("pending references: %w", err)
	}
	for _, p := range pend {
		out.Pending[p.Kind] = p.N
	}
	for _, c := range []string{"test_templates", "control_mappings", "d3fend_mappings", "technique_assessments"} {
		var n int
		if err := app.DB().NewQuery(`SELECT COUNT(*) FROM {{` + c + `}} x JOIN {{techniques}} t ON t.id = x.technique
			WHERE t.deprecated = TRUE AND t.revoked = FALSE`).Row(&n); err != nil {
			return out, fmt.Errorf("%s on deprecated techniques: %w", c, err)
		}
		if n > 0 {
			out.DeprecatedOther[c] = n
		}
	}
	return out, nil
}
