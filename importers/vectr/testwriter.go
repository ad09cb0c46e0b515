package vectr

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/bulk"
	"github.com/pocketbase/pocketbase/core"
)

// TestWriter writes the tests of a VECTR import, CSV or bundle: an upsert by
// import key with a content hash, the imported-outcome mark of each test
// (Trust), and the counts both importers report.
type TestWriter struct {
	tu    *bulk.Upserter
	trust *Trust
	rep   *importers.Report
}

// NewTestWriter prepares the writer inside the import's transaction; columns
// are the tests fields the importer fills. Close it when done.
func NewTestWriter(tx core.App, actor string, columns []string, rep *importers.Report) (*TestWriter, error) {
	trust, err := NewTrust(tx, actor)
	if err != nil {
		return nil, err
	}
	tu, err := bulk.New(tx, bulk.Spec{Collection: collections.Tests, Key: []string{"import_key"},
		Columns: columns, HashColumn: "import_hash"})
	if err != nil {
		trust.Close()
		return nil, err
	}
	return &TestWriter{tu: tu, trust: trust, rep: rep}, nil
}

// Put writes one test with the outcome it carries and counts it: a test
// whose row is unchanged but whose mark changed counts as updated.
func (w *TestWriter) Put(row map[string]any, prevention, detection string) (bulk.Outcome, error) {
	out, id, err := w.tu.Put(row)
	if err != nil {
		return out, err
	}
	marked, err := w.trust.Mark(id, out != bulk.Unchanged, prevention, detection)
	if err != nil {
		return out, err
	}
	if marked && out == bulk.Unchanged {
		out = bulk.Updated
	}
	if w.trust.Unconfirmed(id) {
		w.rep.Counts["outcomes_unconfirmed"]++
	}
	w.rep.Counts["tests_"+out.String()]++
	if state, _ := row["state"].(string); state != "" {
		w.rep.Counts["state:"+state]++
	}
	Tally(w.rep, out)
	return out, nil
}

// Close releases the prepared statements.
func (w *TestWriter) Close() {
	w.tu.Close()
	w.trust.Close()
}

// Tally counts one upsert outcome in the report's totals.
func Tally(rep *importers.Report, out bulk.Outcome) {
	switch out {
	case bulk.Created:
		rep.Created++
	case bulk.Updated:
		rep.Updated++
	default:
		rep.Unchanged++
	}
}
