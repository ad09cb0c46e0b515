// Package bulk upserts many records of one collection by natural key inside
// a transaction, with prepared raw SQL instead of one app.Save per record
// (about ten times faster; see the PocketBase field guide §3). A hash of the
// written values decides whether an existing row changed, so an unchanged
// re-import writes nothing.
//
// Raw SQL skips PocketBase validation, hooks and realtime events: callers
// validate their values (select values, required fields) before Put, and
// write one audit entry for the whole import themselves.
package bulk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
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
	HashColumn string   // column that stores the values' hash ("content_hash"); required
}

type existingRow struct{ id, hash string }

// Upserter writes records of one collection. Use it only with the
// transaction's app it was made with, and Close it before the transaction
// ends.
type Upserter struct {
	spec       Spec
	existing   map[string]existingRow
	ins, upd   *dbx.Query
	timestamps bool
	now        string
	seen       map[string]bool
}

// New prepares an upserter and loads the existing keys and hashes of the
// collection. Every column must be a field of the collection.
func New(tx core.App, spec Spec) (*Upserter, error) {
	col, err := tx.FindCachedCollectionByNameOrId(spec.Collection)
	if err != nil {
		return nil, fmt.Errorf("bulk %s: %w", spec.Collection, err)
	}
	if spec.HashColumn == "" || len(spec.Key) == 0 {
		return nil, fmt.Errorf("bulk %s: key and hash column are required", spec.Collection)
	}
	all := append(append([]string{}, spec.Columns...), spec.HashColumn)
	for _, c := range append(all, spec.Key...) {
		if col.Fields.GetByName(c) == nil || c == "id" || c == "created" || c == "updated" {
			return nil, fmt.Errorf("bulk %s: %q is not a writable field", spec.Collection, c)
		}
	}
	for _, k := range spec.Key {
		if !contains(spec.Columns, k) {
			return nil, fmt.Errorf("bulk %s: key column %q missing from columns", spec.Collection, k)
		}
	}
	u := &Upserter{
		spec:       spec,
		existing:   map[string]existingRow{},
		timestamps: col.Fields.GetByName("created") != nil && col.Fields.GetByName("updated") != nil,
		now:        types.NowDateTime().String(),
		seen:       map[string]bool{},
	}
	if err := u.load(tx); err != nil {
		return nil, err
	}

	names := []string{"[[id]]"}
	vals := []string{"{:id}"}
	sets := []string{}
	if u.timestamps {
		names = append(names, "[[created]]", "[[updated]]")
		vals = append(vals, "{:now}", "{:now}")
		sets = append(sets, "[[updated]] = {:now}")
	}
	for i, c := range all {
		names = append(names, "[["+c+"]]")
		vals = append(vals, "{:c"+strconv.Itoa(i)+"}")
		sets = append(sets, "[["+c+"]] = {:c"+strconv.Itoa(i)+"}")
	}
	u.ins = tx.DB().NewQuery(fmt.Sprintf("INSERT INTO {{%s}} (%s) VALUES (%s)",
		spec.Collection, strings.Join(names, ", "), strings.Join(vals, ", "))).Prepare()
	u.upd = tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET %s WHERE [[id]] = {:id}",
		spec.Collection, strings.Join(sets, ", "))).Prepare()
	return u, nil
}

func (u *Upserter) load(tx core.App) error {
	cols := []string{"[[id]]", "[[" + u.spec.HashColumn + "]]"}
	for _, k := range u.spec.Key {
		cols = append(cols, "[["+k+"]]")
	}
	rows, err := tx.DB().NewQuery(fmt.Sprintf("SELECT %s FROM {{%s}}", strings.Join(cols, ", "), u.spec.Collection)).Rows()
	if err != nil {
		return fmt.Errorf("bulk %s: load keys: %w", u.spec.Collection, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("bulk %s: load keys: %w", u.spec.Collection, err)
		}
		key := make([]any, len(u.spec.Key))
		copy(key, vals[2:])
		u.existing[keyOf(key)] = existingRow{id: asString(vals[0]), hash: asString(vals[1])}
	}
	return rows.Err()
}

// Close releases the prepared statements.
func (u *Upserter) Close() {
	u.ins.Close()
	u.upd.Close()
}

// Put writes values (one per Spec.Columns; a missing column is written as its
// zero value) and returns what it did and the record id. Values may be
// string, bool, integers, floats or anything JSON-marshalable (JSON fields).
func (u *Upserter) Put(values map[string]any) (Outcome, string, error) {
	params := dbx.Params{"now": u.now}
	h := sha256.New()
	for i, c := range u.spec.Columns {
		v, err := sqlValue(values[c])
		if err != nil {
			return Unchanged, "", fmt.Errorf("bulk %s: column %s: %w", u.spec.Collection, c, err)
		}
		params["c"+strconv.Itoa(i)] = v
		fmt.Fprintf(h, "%s=%v\x00", c, v)
	}
	hash := hex.EncodeToString(h.Sum(nil))
	params["c"+strconv.Itoa(len(u.spec.Columns))] = hash

	keyVals := make([]any, len(u.spec.Key))
	for i, k := range u.spec.Key {
		keyVals[i], _ = sqlValue(values[k])
	}
	key := keyOf(keyVals)
	row, ok := u.existing[key]
	if ok {
		u.seen[row.id] = true
		if row.hash == hash {
			return Unchanged, row.id, nil
		}
		params["id"] = row.id
		if _, err := u.upd.Bind(params).Execute(); err != nil {
			return Unchanged, "", fmt.Errorf("bulk %s: update %s: %w", u.spec.Collection, key, err)
		}
		u.existing[key] = existingRow{id: row.id, hash: hash}
		return Updated, row.id, nil
	}
	id := core.GenerateDefaultRandomId()
	params["id"] = id
	if _, err := u.ins.Bind(params).Execute(); err != nil {
		return Unchanged, "", fmt.Errorf("bulk %s: insert %s: %w", u.spec.Collection, key, err)
	}
	u.existing[key] = existingRow{id: id, hash: hash}
	u.seen[id] = true
	return Created, id, nil
}

// Seen reports whether Put touched the record id in this run; callers use it
// to find records that disappeared upstream.
func (u *Upserter) Seen(id string) bool { return u.seen[id] }

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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
