// Package store is the one place importers write through. It holds:
//
//   - the Upserter (upsert.go): many records of one collection by natural
//     key inside the caller's transaction, with prepared raw SQL instead of
//     one app.Save per record (about ten times faster; see the PocketBase
//     field guide §3). A hash of the written values decides whether an
//     existing row changed, so an unchanged re-import writes nothing; it
//     counts created, updated, unchanged and removed-or-marked rows;
//   - the Table (table.go) under it, for an importer that tracks ids and
//     hashes itself (ATT&CK), and the Setter (setter.go) for bookkeeping
//     columns outside the content hash (a technique link, an origin);
//   - the technique index (techniques.go): ATT&CK id → technique record,
//     the active technique of an id winning and revoked ids following their
//     successor;
//   - the typed writers built on them: detection rules (rules.go, Sigma and
//     Elastic) and procedure templates (templates.go, Atomic and CALDERA);
//   - the import transaction with its one audit entry, and the periodic
//     cancel/progress check of write loops (commit.go);
//   - report helpers (report.go): counts, skips, unknown ids.
//
// Raw SQL skips PocketBase validation, hooks and realtime events: callers
// validate their values (select values, required fields) before Put, and
// the import writes one audit entry for the whole run (Commit).
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Outcome says what Put did with a record.
type Outcome int

const (
	Unchanged Outcome = iota
	Created
	Updated
)

func (o Outcome) String() string {
	return [...]string{"unchanged", "created", "updated"}[o]
}

// Spec describes the upsert of one collection.
type Spec struct {
	Collection string   // collection name
	Key        []string // natural key columns (a unique index)
	Columns    []string // every column Put writes, key columns included
	// HashColumn stores the hash of the written values ("content_hash").
	// When empty, the current values of Columns are read and compared
	// instead (for collections whose content_hash means something else).
	HashColumn string
	// OnInsert are values written only when a record is created (e.g. a
	// rule's `enabled`, which belongs to the team afterwards).
	OnInsert map[string]any
	// Removed names the boolean column Retire sets ("removed"); a retired
	// record that comes back is written again by Put.
	Removed string
}

type existingRow struct{ id, hash string }

// Upserter writes records of one collection. Use it only with the
// transaction's app it was made with, and Close it before the transaction
// ends.
type Upserter struct {
	spec     Spec
	existing map[string]existingRow
	table    *Table
	rmv      *dbx.Query
	now      string
	seen     map[string]bool
	counts   Counts
}

// Counts are what an Upserter did: the numbers an import report adds up.
type Counts struct {
	Created, Updated, Unchanged, Removed int
}

// Changed is the number of rows written.
func (c Counts) Changed() int { return c.Created + c.Updated + c.Removed }

// New prepares an upserter and loads the existing keys and hashes of the
// collection. Every column must be a field of the collection.
func New(tx core.App, spec Spec) (*Upserter, error) {
	col, err := tx.FindCachedCollectionByNameOrId(spec.Collection)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", spec.Collection, err)
	}
	if err := spec.check(col); err != nil {
		return nil, err
	}
	now := types.NowDateTime().String()
	u := &Upserter{spec: spec, existing: map[string]existingRow{}, now: now, seen: map[string]bool{}}
	if err := u.load(tx); err != nil {
		return nil, err
	}
	u.table = prepareTable(tx, col, spec, now)
	if spec.Removed != "" {
		set := "[[" + spec.Removed + "]] = TRUE"
		if spec.HashColumn != "" {
			set += ", [[" + spec.HashColumn + "]] = ''"
		}
		if u.table.timestamps {
			set += ", [[updated]] = {:now}"
		}
		u.rmv = tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET %s WHERE [[id]] = {:id}", spec.Collection, set)).Prepare()
	}
	return u, nil
}

// check verifies that every column the spec names is a writable field.
func (spec Spec) check(col *core.Collection) error {
	if len(spec.Key) == 0 {
		return fmt.Errorf("store %s: a key is required", spec.Collection)
	}
	if err := spec.checkColumns(col); err != nil {
		return err
	}
	for _, k := range spec.Key {
		if !slices.Contains(spec.Columns, k) {
			return fmt.Errorf("store %s: key column %q missing from columns", spec.Collection, k)
		}
	}
	return nil
}

// checkColumns verifies that every column the spec names is a writable
// field of the collection.
func (spec Spec) checkColumns(col *core.Collection) error {
	all := append(append([]string{}, spec.written()...), spec.Key...)
	for c := range spec.OnInsert {
		all = append(all, c)
	}
	if spec.Removed != "" {
		all = append(all, spec.Removed)
	}
	for _, c := range all {
		if col.Fields.GetByName(c) == nil || c == "id" || c == "created" || c == "updated" {
			return fmt.Errorf("store %s: %q is not a writable field", spec.Collection, c)
		}
	}
	return nil
}

// written lists the columns Put writes: Columns and the hash column.
func (spec Spec) written() []string {
	if spec.HashColumn == "" {
		return spec.Columns
	}
	return append(append([]string{}, spec.Columns...), spec.HashColumn)
}

// load reads the key and hash of every existing row; without a hash
// column it hashes the row's current values the way Put hashes new ones.
func (u *Upserter) load(tx core.App) error {
	cols := []string{"[[id]]"}
	if u.spec.HashColumn != "" {
		cols = append(cols, "[["+u.spec.HashColumn+"]]")
	} else {
		for _, c := range u.spec.Columns {
			cols = append(cols, "[["+c+"]]")
		}
	}
	for _, k := range u.spec.Key {
		cols = append(cols, "[["+k+"]]")
	}
	rows, err := tx.DB().NewQuery(fmt.Sprintf("SELECT %s FROM {{%s}}", strings.Join(cols, ", "), u.spec.Collection)).Rows()
	if err != nil {
		return fmt.Errorf("store %s: load keys: %w", u.spec.Collection, err)
	}
	defer rows.Close()
	nk := len(u.spec.Key)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("store %s: load keys: %w", u.spec.Collection, err)
		}
		hash := asString(vals[1])
		if u.spec.HashColumn == "" {
			hash = u.compareHash(vals[1 : len(vals)-nk])
		}
		u.existing[keyOf(vals[len(vals)-nk:])] = existingRow{id: asString(vals[0]), hash: hash}
	}
	return rows.Err()
}

// compareHash hashes column values as SQLite returns them (booleans as 0
// and 1), so a stored row and the same values about to be written hash
// alike.
func (u *Upserter) compareHash(vals []any) string {
	h := sha256.New()
	for i, c := range u.spec.Columns {
		v := vals[i]
		if b, ok := v.(bool); ok {
			v = 0
			if b {
				v = 1
			}
		}
		fmt.Fprintf(h, "%s=%s\x00", c, asString(v))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Close releases the prepared statements.
func (u *Upserter) Close() {
	u.table.Close()
	if u.rmv != nil {
		u.rmv.Close()
	}
}

// Counts returns what the upserter did so far.
func (u *Upserter) Counts() Counts { return u.counts }

// Put writes values (one per Spec.Columns; a missing column is written as its
// zero value) and returns what it did and the record id. Values may be
// string, bool, integers, floats or anything JSON-marshalable (JSON fields).
func (u *Upserter) Put(values map[string]any) (Outcome, string, error) {
	row := make([]any, len(u.spec.Columns))
	h := sha256.New()
	for i, c := range u.spec.Columns {
		v, err := sqlValue(values[c])
		if err != nil {
			return Unchanged, "", fmt.Errorf("store %s: column %s: %w", u.spec.Collection, c, err)
		}
		row[i] = v
		fmt.Fprintf(h, "%s=%v\x00", c, v)
	}
	hash := hex.EncodeToString(h.Sum(nil))
	if u.spec.HashColumn == "" {
		hash = u.compareHash(row)
	}
	keyVals := make([]any, len(u.spec.Key))
	for i, k := range u.spec.Key {
		keyVals[i], _ = sqlValue(values[k])
	}
	key := keyOf(keyVals)
	if ex, ok := u.existing[key]; ok {
		return u.update(key, ex, hash, row)
	}
	id := core.GenerateDefaultRandomId()
	if err := u.table.Write(true, id, row, hash); err != nil {
		return Unchanged, "", fmt.Errorf("store %s: insert %s: %w", u.spec.Collection, key, err)
	}
	u.existing[key] = existingRow{id: id, hash: hash}
	u.seen[id] = true
	u.counts.Created++
	return Created, id, nil
}

// PutWith is Put with the insert-only values of this record (overriding
// Spec.OnInsert; they are written only if the record is created).
func (u *Upserter) PutWith(values, onInsert map[string]any) (Outcome, string, error) {
	u.table.override = onInsert
	defer func() { u.table.override = nil }()
	return u.Put(values)
}

// update writes an existing row whose hash differs; an equal hash writes
// nothing.
func (u *Upserter) update(key string, ex existingRow, hash string, row []any) (Outcome, string, error) {
	u.seen[ex.id] = true
	if ex.hash == hash {
		u.counts.Unchanged++
		return Unchanged, ex.id, nil
	}
	if err := u.table.Write(false, ex.id, row, hash); err != nil {
		return Unchanged, "", fmt.Errorf("store %s: update %s: %w", u.spec.Collection, key, err)
	}
	u.existing[key] = existingRow{id: ex.id, hash: hash}
	u.counts.Updated++
	return Updated, ex.id, nil
}

// Seen reports whether Put touched the record id in this run; callers use it
// to find records that disappeared upstream.
func (u *Upserter) Seen(id string) bool { return u.seen[id] }

// Retire marks the record id removed (Spec.Removed) and counts it; the
// record stays, so what points at it keeps working, and Put writes it again
// when the source brings it back.
func (u *Upserter) Retire(id string) error {
	if u.rmv == nil {
		return fmt.Errorf("store %s: no removed column to mark", u.spec.Collection)
	}
	if _, err := u.rmv.Bind(dbx.Params{"id": id, "now": u.now}).Execute(); err != nil {
		return fmt.Errorf("store %s: mark %s removed: %w", u.spec.Collection, id, err)
	}
	u.counts.Removed++
	return nil
}

// sqlValue turns a Go value into what the SQLite column stores: text,
// numbers and bools as they are, everything else as JSON text.
func sqlValue(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string, bool, int, int64, float64:
		return x, nil
	case json.RawMessage:
		return string(x), nil
	case types.DateTime:
		return x.String(), nil
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
}

func keyOf(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = asString(v)
	}
	return strings.Join(parts, "\x00")
}

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

// Lookup maps the values of keyColumn to record ids for a whole collection
// (e.g. techniques.attack_id → id). When several rows share a value, the
// row ordered last by orderBy wins (e.g. "revoked DESC" prefers the active
// technique). orderBy must be a constant, never user input.
func Lookup(app core.App, collection, keyColumn, orderBy string) (map[string]string, error) {
	q := fmt.Sprintf("SELECT [[id]], [[%s]] FROM {{%s}}", keyColumn, collection)
	if orderBy != "" {
		q += " ORDER BY " + orderBy
	}
	var rows []struct {
		Id  string `db:"id"`
		Key string `db:"k"`
	}
	q = strings.Replace(q, "[["+keyColumn+"]]", "[["+keyColumn+"]] AS k", 1)
	if err := app.DB().NewQuery(q).All(&rows); err != nil {
		return nil, fmt.Errorf("lookup %s.%s: %w", collection, keyColumn, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		if r.Key != "" {
			out[r.Key] = r.Id
		}
	}
	return out, nil
}

// Delete removes the record id and counts it removed: for rows that carry
// no organisation data (a stale mapping), where marking is not needed.
func (u *Upserter) Delete(tx core.App, id string) error {
	if _, err := tx.DB().Delete(u.spec.Collection, dbx.HashExp{"id": id}).Execute(); err != nil {
		return fmt.Errorf("store %s: delete %s: %w", u.spec.Collection, id, err)
	}
	u.counts.Removed++
	return nil
}
