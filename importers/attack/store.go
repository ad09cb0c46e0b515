package attack

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/pocketbase/pocketbase/core"
)

// table is how one catalogue collection is written: the columns every
// import writes (and hashes), and the columns only written on creation
// because the organisation owns them afterwards (scope, priority, sectors).
type table struct {
	name       string
	cols       []string
	insertOnly map[string]any
	hasFlags   bool   // revoked / deprecated columns exist
	relCol     string // multi-relation to techniques merged across domains
}

var (
	tacticsTable = table{name: "tactics", cols: []string{"stix_id", "attack_id", "name", "shortname", "domain",
		"matrix_order", "description", "url"}}
	dataComponentsTable = table{name: "data_components", cols: []string{"stix_id", "attack_id", "name", "data_source",
		"log_sources", "description", "domain", "deprecated", "revoked", "url"}, hasFlags: true}
	techniquesTable = table{name: "techniques", cols: []string{"stix_id", "attack_id", "name", "description", "domain",
		"tactics", "platforms", "is_subtechnique", "detection", "data_components", "revoked", "deprecated", "version",
		"modified", "url", "meta", "parent", "revoked_by"},
		insertOnly: map[string]any{"in_scope": true, "priority": ""}, hasFlags: true}
	mitigationsTable = table{name: "mitigations", cols: []string{"stix_id", "attack_id", "name", "description", "domain",
		"techniques", "revoked", "deprecated", "url"}, hasFlags: true, relCol: "techniques"}
	strategiesTable = table{name: "detection_strategies", cols: []string{"stix_id", "attack_id", "name", "domain",
		"techniques", "analytics", "revoked", "deprecated"}, hasFlags: true, relCol: "techniques"}
	actorsTable = table{name: "threat_actors", cols: []string{"stix_id", "attack_id", "name", "aliases", "description",
		"references", "domain", "revoked", "deprecated", "url"},
		insertOnly: map[string]any{"target_sectors": "[]", "target_regions": "[]", "source": "attack"}, hasFlags: true}
	softwareTable = table{name: "software", cols: []string{"stix_id", "attack_id", "name", "kind", "aliases",
		"description", "platforms", "domain", "techniques", "actors", "revoked", "deprecated", "url"},
		hasFlags: true, relCol: "techniques"}
	campaignsTable = table{name: "attack_campaigns", cols: []string{"stix_id", "attack_id", "name", "aliases",
		"description", "references", "domain", "first_seen", "last_seen", "techniques", "software", "actors",
		"revoked", "deprecated", "url"}, hasFlags: true, relCol: "techniques"}
	actorTechniquesTable = table{name: "actor_techniques", cols: []string{"actor", "technique", "procedure",
		"references", "stix_id", "source"}}
)

// existing is what the database holds for one row before the import.
type existing struct {
	id, stixID, attackID, hash string
	revoked, deprecated        bool
	rel                        string // JSON of relCol
	domain                     string
	actor, technique, source   string // actor_techniques
}

// loadExisting reads the keys and hashes of a collection in one query.
func loadExisting(tx core.App, t table) ([]existing, error) {
	cols := []string{"id", "content_hash"}
	switch t.name {
	case actorTechniquesTable.name:
		cols = append(cols, "stix_id", "actor", "technique", "source")
	default:
		cols = append(cols, "stix_id", "attack_id", "domain")
		if t.hasFlags {
			cols = append(cols, "revoked", "deprecated")
		}
		if t.relCol != "" {
			cols = append(cols, t.relCol)
		}
	}
	q := "SELECT [[" + strings.Join(cols, "]], [[") + "]] FROM {{" + t.name + "}}"
	rows, err := tx.DB().NewQuery(q).Rows()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", t.name, err)
	}
	defer rows.Close()
	var out []existing
	for rows.Next() {
		var e existing
		var rel, hash *string
		ptrs := []any{&e.id, &hash}
		switch t.name {
		case actorTechniquesTable.name:
			ptrs = append(ptrs, &e.stixID, &e.actor, &e.technique, &e.source)
		default:
			ptrs = append(ptrs, &e.stixID, &e.attackID, &e.domain)
			if t.hasFlags {
				ptrs = append(ptrs, &e.revoked, &e.deprecated)
			}
			if t.relCol != "" {
				ptrs = append(ptrs, &rel)
			}
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("load %s: %w", t.name, err)
		}
		if rel != nil {
			e.rel = *rel
		}
		if hash != nil {
			e.hash = *hash
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// row is one record to upsert: its values in table.cols order.
type row struct {
	id       string // record id, existing or freshly generated
	isNew    bool
	attackID string
	vals     []any
	hash     string
}

// hashValues fingerprints the written values. Only string, bool and int
// occur; each is tagged and length-prefixed so ("ab","c") ≠ ("a","bc").
func hashValues(h hash.Hash, vals []any) string {
	h.Reset()
	var buf [9]byte
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			buf[0] = 's'
			binary.LittleEndian.PutUint64(buf[1:], uint64(len(x)))
			h.Write(buf[:])
			h.Write([]byte(x))
		case bool:
			buf[0] = 'b'
			if x {
				buf[1] = 1
			} else {
				buf[1] = 0
			}
			h.Write(buf[:2])
		case int:
			buf[0] = 'i'
			binary.LittleEndian.PutUint64(buf[1:], uint64(x))
			h.Write(buf[:])
		default:
			panic(fmt.Sprintf("attack: unexpected column value %T", v))
		}
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// newWriter prepares the statements of one table (store.Table).
func newWriter(tx core.App, t table, now string) (*store.Table, error) {
	return store.NewTable(tx, store.Spec{Collection: t.name, Columns: t.cols, HashColumn: "content_hash",
		OnInsert: t.insertOnly}, now)
}
