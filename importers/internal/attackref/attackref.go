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

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

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
