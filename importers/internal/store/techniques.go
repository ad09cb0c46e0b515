package store

import (
	"fmt"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Technique is the part of a technique record references need.
type Technique struct {
	ID, AttackID, Domain, RevokedBy string
	Revoked, Deprecated             bool
}

// Index maps ATT&CK technique ids to technique records.
type Index struct {
	byAttack map[string]string     // upper-case ATT&CK id → record id
	byID     map[string]*Technique // record id → technique
}

// LoadTechniques reads the technique catalogue (through tx inside a transaction).
func LoadTechniques(app core.App) (*Index, error) {
	var rows []struct {
		Id         string `db:"id"`
		AttackId   string `db:"attack_id"`
		Domain     string `db:"domain"`
		RevokedBy  string `db:"revoked_by"`
		Revoked    bool   `db:"revoked"`
		Deprecated bool   `db:"deprecated"`
	}
	// Ordered so the preferred row of an id comes last: active before
	// deprecated before revoked, enterprise before other domains.
	err := app.DB().NewQuery(fmt.Sprintf(`SELECT [[id]], [[attack_id]], [[domain]], [[revoked_by]], [[revoked]], [[deprecated]]
		FROM {{%s}} WHERE [[attack_id]] != ''
		ORDER BY [[revoked]] DESC, [[deprecated]] DESC, ([[domain]] = 'enterprise-attack') ASC, [[id]]`,
		collections.Techniques)).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("load techniques: %w", err)
	}
	ix := &Index{byAttack: make(map[string]string, len(rows)), byID: make(map[string]*Technique, len(rows))}
	for _, r := range rows {
		ix.byID[r.Id] = &Technique{ID: r.Id, AttackID: r.AttackId, Domain: r.Domain, RevokedBy: r.RevokedBy,
			Revoked: r.Revoked, Deprecated: r.Deprecated}
		ix.byAttack[strings.ToUpper(r.AttackId)] = r.Id
	}
	return ix, nil
}

// Successor follows a revoked technique's revoked-by chain to an active
// technique; it returns id itself when the technique is not revoked or has
// no known successor.
func (ix *Index) Successor(id string) string {
	cur := id
	for hops := 0; hops < 16; hops++ {
		t, ok := ix.byID[cur]
		if !ok || !t.Revoked || t.RevokedBy == "" || t.RevokedBy == cur {
			break
		}
		cur = t.RevokedBy
	}
	if t, ok := ix.byID[cur]; ok && !t.Revoked {
		return cur
	}
	return id
}

// Resolve returns the technique record an ATT&CK id names (following
// revocation to the successor) and whether the catalogue has it.
func (ix *Index) Resolve(attackID string) (string, bool) {
	id, ok := ix.byAttack[strings.ToUpper(strings.TrimSpace(attackID))]
	if !ok {
		return "", false
	}
	return ix.Successor(id), true
}

// Technique returns the record of a technique id, or nil.
func (ix *Index) Technique(id string) *Technique { return ix.byID[id] }

// Map is the index as a plain ATT&CK id → record id map (revoked ids map to
// their successor).
func (ix *Index) Map() map[string]string {
	out := make(map[string]string, len(ix.byAttack))
	for aid, id := range ix.byAttack {
		out[aid] = ix.Successor(id)
	}
	return out
}

// Techniques is the technique index as a plain map (LoadTechniques(app).Map()):
// what an importer that only links ids needs.
func Techniques(app core.App) (map[string]string, error) {
	ix, err := LoadTechniques(app)
	if err != nil {
		return nil, err
	}
	return ix.Map(), nil
}

// ID is Resolve without the flag: the record id, or "" when the catalogue
// lacks the id.
func (ix *Index) ID(attackID string) string {
	id, _ := ix.Resolve(attackID)
	return id
}
