package store

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Table is the prepared INSERT and UPDATE of one collection by record id:
// the statements under the Upserter, and what an importer that tracks ids
// and hashes itself (ATT&CK, for speed) writes through. Only Spec's
// Collection, Columns, HashColumn and OnInsert matter here.
type Table struct {
	spec       Spec
	ins, upd   *dbx.Query
	timestamps bool
	now        string
	onInsert   []string       // OnInsert's columns, sorted
	override   map[string]any // OnInsert values of the next insert (Upserter.PutWith)
}

// NewTable prepares the statements in tx; now is the timestamp written to
// created/updated (one per import run). Close it before the transaction ends.
func NewTable(tx core.App, spec Spec, now string) (*Table, error) {
	col, err := tx.FindCachedCollectionByNameOrId(spec.Collection)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", spec.Collection, err)
	}
	if err := spec.checkColumns(col); err != nil {
		return nil, err
	}
	if now == "" {
		now = types.NowDateTime().String()
	}
	return prepareTable(tx, col, spec, now), nil
}

func prepareTable(tx core.App, col *core.Collection, spec Spec, now string) *Table {
	t := &Table{spec: spec, now: now,
		timestamps: col.Fields.GetByName("created") != nil && col.Fields.GetByName("updated") != nil}
	for c := range spec.OnInsert {
		t.onInsert = append(t.onInsert, c)
	}
	sort.Strings(t.onInsert)
	names := []string{"[[id]]"}
	vals := []string{"{:id}"}
	sets := []string{}
	if t.timestamps {
		names = append(names, "[[created]]", "[[updated]]")
		vals = append(vals, "{:now}", "{:now}")
		sets = append(sets, "[[updated]] = {:now}")
	}
	for i, c := range spec.written() {
		names = append(names, "[["+c+"]]")
		vals = append(vals, "{:c"+strconv.Itoa(i)+"}")
		sets = append(sets, "[["+c+"]] = {:c"+strconv.Itoa(i)+"}")
	}
	for i, c := range t.onInsert {
		names = append(names, "[["+c+"]]")
		vals = append(vals, "{:i"+strconv.Itoa(i)+"}")
	}
	t.ins = tx.DB().NewQuery(fmt.Sprintf("INSERT INTO {{%s}} (%s) VALUES (%s)",
		spec.Collection, strings.Join(names, ", "), strings.Join(vals, ", "))).Prepare()
	t.upd = tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET %s WHERE [[id]] = {:id}",
		spec.Collection, strings.Join(sets, ", "))).Prepare()
	return t
}

// Write inserts (isNew) or updates the record id with vals in
// Spec.Columns order (text, numbers and bools as they are, anything else as
// JSON) and hash in the hash column; OnInsert values are written on insert
// only.
func (t *Table) Write(isNew bool, id string, vals []any, hash string) error {
	p := make(dbx.Params, len(vals)+len(t.onInsert)+3)
	p["id"], p["now"] = id, t.now
	for i, v := range vals {
		sv, err := sqlValue(v)
		if err != nil {
			return fmt.Errorf("column %s: %w", t.spec.Columns[i], err)
		}
		p["c"+strconv.Itoa(i)] = sv
	}
	if t.spec.HashColumn != "" {
		p["c"+strconv.Itoa(len(vals))] = hash
	}
	q := t.upd
	if isNew {
		q = t.ins
		for i, c := range t.onInsert {
			val, ok := t.override[c]
			if !ok {
				val = t.spec.OnInsert[c]
			}
			v, err := sqlValue(val)
			if err != nil {
				return fmt.Errorf("column %s: %w", c, err)
			}
			p["i"+strconv.Itoa(i)] = v
		}
	}
	_, err := q.Bind(p).Execute()
	return err
}

// Close releases the prepared statements.
func (t *Table) Close() {
	t.ins.Close()
	t.upd.Close()
}
