package store

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Set describes a prepared write of a few columns of records by id: the
// bookkeeping an import does outside the content hash (a technique link,
// an origin, a test moved to a successor technique).
type Set struct {
	Collection string
	Columns    []string // the columns Setter.Set writes, in order
	Touch      bool     // also set updated to the run's time
	Revision   bool     // also bump revision, so an open editor gets a conflict
}

// Setter writes Set's columns. Close it before the transaction ends.
type Setter struct {
	q   *dbx.Query
	set Set
	now string
}

// NewSetter prepares the statement in tx.
func NewSetter(tx core.App, s Set) *Setter {
	sets := make([]string, 0, len(s.Columns)+2)
	for i, c := range s.Columns {
		sets = append(sets, "[["+c+"]] = {:c"+strconv.Itoa(i)+"}")
	}
	if s.Revision {
		sets = append(sets, "[[revision]] = [[revision]] + 1")
	}
	if s.Touch {
		sets = append(sets, "[[updated]] = {:now}")
	}
	q := tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET %s WHERE [[id]] = {:id}", s.Collection, strings.Join(sets, ", ")))
	return &Setter{q: q.Prepare(), set: s, now: types.NowDateTime().String()}
}

// Set writes vals (one per Set.Columns) into the record id.
func (s *Setter) Set(id string, vals ...any) error {
	if len(vals) != len(s.set.Columns) {
		return fmt.Errorf("store %s: %d values for %d columns", s.set.Collection, len(vals), len(s.set.Columns))
	}
	p := dbx.Params{"id": id, "now": s.now}
	for i, v := range vals {
		sv, err := sqlValue(v)
		if err != nil {
			return fmt.Errorf("store %s: column %s: %w", s.set.Collection, s.set.Columns[i], err)
		}
		p["c"+strconv.Itoa(i)] = sv
	}
	if _, err := s.q.Bind(p).Execute(); err != nil {
		return fmt.Errorf("store %s: set %s of %s: %w", s.set.Collection, strings.Join(s.set.Columns, ", "), id, err)
	}
	return nil
}

// Close releases the prepared statement.
func (s *Setter) Close() { s.q.Close() }
