package vectr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aegis-sec/aegis/importers"
	"github.com/pocketbase/pocketbase/core"
)

// Techniques resolves ATT&CK ids to technique record ids as tests need them:
// an active technique first; a revoked one follows its revoked-by chain to
// the successor (where its tests would have moved); an id the catalogue
// does not have resolves to "" (the test keeps the raw id in
// technique_attack_id and waits for a catalogue that has it).
type Techniques struct {
	byAttackID map[string]string // attack id → preferred record id
	revokedBy  map[string]string // record id → successor record id
}

// LoadTechniques reads the catalogue's ids.
func LoadTechniques(tx core.App) (*Techniques, error) {
	var rows []struct {
		ID        string `db:"id"`
		AttackID  string `db:"attack_id"`
		RevokedBy string `db:"revoked_by"`
	}
	// Ordered so that the active technique comes last and wins its id.
	if err := tx.DB().NewQuery(`SELECT [[id]], [[attack_id]], [[revoked_by]] FROM {{techniques}}
		ORDER BY [[revoked]] DESC, [[deprecated]] DESC, [[id]]`).All(&rows); err != nil {
		return nil, fmt.Errorf("read techniques: %w", err)
	}
	t := &Techniques{byAttackID: make(map[string]string, len(rows)), revokedBy: map[string]string{}}
	for _, r := range rows {
		if r.AttackID != "" {
			t.byAttackID[strings.ToUpper(r.AttackID)] = r.ID
		}
		if r.RevokedBy != "" {
			t.revokedBy[r.ID] = r.RevokedBy
		}
	}
	return t, nil
}

// Resolve returns the record id for an ATT&CK id, or "".
func (t *Techniques) Resolve(attackID string) string {
	id := t.byAttackID[strings.ToUpper(strings.TrimSpace(attackID))]
	for i := 0; i < 16 && id != ""; i++ { // bounded: a malformed cycle cannot loop
		next, ok := t.revokedBy[id]
		if !ok || next == "" {
			break
		}
		id = next
	}
	return id
}

// ReportUnknown lists the ATT&CK ids the catalogue lacks (id → number of
// tests) in rep: the tests are stored without a technique, keep the id in
// technique_attack_id, and link when a catalogue import brings it.
func ReportUnknown(rep *importers.Report, unknown map[string]int) {
	ids := make([]string, 0, len(unknown))
	for id := range unknown {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rep.Skipped = append(rep.Skipped, importers.Skip{Id: id, Reason: fmt.Sprintf(
			"technique not in the ATT&CK catalogue: %d test(s) stored without a technique link until a catalogue import brings it", unknown[id])})
	}
	if len(ids) > 0 {
		rep.Counts["unknown_techniques"] = len(ids)
	}
}
