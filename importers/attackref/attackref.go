// Package attackref resolves ATT&CK technique ids to technique records the
// same way for every importer: the active technique of an id wins, a revoked
// technique leads to its revoked-by successor, and references stored while
// the catalogue lacked an id (pending_attack_refs) wait for the import that
// brings it.
package attackref

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
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

// Load reads the technique catalogue (through tx inside a transaction).
func Load(app core.App) (*Index, error) {
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

// Pending is one reference waiting for its ATT&CK id.
type Pending struct {
	Kind     string         // collections.Ref*
	AttackID string         // the id as the source wrote it (canonical form)
	Owner    string         // record the reference belongs to (control, D3FEND technique, campaign)
	Detail   string         // distinguishes several references of one owner to one id (mapping type)
	Data     map[string]any // what is needed to create the reference
	Source   string         // the import that recorded it
}

// Remember stores a pending reference; the same one twice is kept once.
// It reports whether a new row was written.
func Remember(tx core.App, p Pending) (bool, error) {
	data := p.Data
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return false, fmt.Errorf("pending reference %s: %w", p.AttackID, err)
	}
	now := types.NowDateTime().String()
	res, err := tx.DB().NewQuery(`INSERT OR IGNORE INTO {{pending_attack_refs}}
		([[id]], [[kind]], [[attack_id]], [[owner]], [[detail]], [[data]], [[source]], [[created]], [[updated]])
		VALUES ({:id}, {:kind}, {:aid}, {:owner}, {:detail}, {:data}, {:source}, {:now}, {:now})`).Bind(dbx.Params{
		"id": core.GenerateDefaultRandomId(), "kind": p.Kind, "aid": strings.ToUpper(p.AttackID), "owner": p.Owner,
		"detail": p.Detail, "data": string(b), "source": p.Source, "now": now}).Execute()
	if err != nil {
		return false, fmt.Errorf("remember reference to %s: %w", p.AttackID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Forget drops the pending references of one owner and kind (an import that
// rewrites an owner's mappings records the still-missing ones again).
func Forget(tx core.App, kind, owner string) error {
	_, err := tx.DB().NewQuery("DELETE FROM {{pending_attack_refs}} WHERE [[kind]] = {:k} AND [[owner]] = {:o}").
		Bind(dbx.Params{"k": kind, "o": owner}).Execute()
	if err != nil {
		return fmt.Errorf("forget pending references: %w", err)
	}
	return nil
}
