package vectrtests

import (
	"slices"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/pocketbase/pocketbase/core"
)

// TestWriter writes the tests of a VECTR import, CSV or bundle: an upsert by
// import key with a content hash, the imported-outcome mark of each test
// (Trust), and the counts both importers report.
type TestWriter struct {
	tu    *store.Upserter
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
	tu, err := store.New(tx, store.Spec{Collection: collections.Tests, Key: []string{"import_key"},
		Columns: columns, HashColumn: "import_hash"})
	if err != nil {
		trust.Close()
		return nil, err
	}
	return &TestWriter{tu: tu, trust: trust, rep: rep}, nil
}

// Put writes one test with the outcome it carries and counts it: a test
// whose row is unchanged but whose mark changed counts as updated.
func (w *TestWriter) Put(row map[string]any, prevention, detection string) (store.Outcome, error) {
	out, id, err := w.tu.Put(row)
	if err != nil {
		return out, err
	}
	marked, err := w.trust.Mark(id, out != store.Unchanged, prevention, detection)
	if err != nil {
		return out, err
	}
	if marked && out == store.Unchanged {
		out = store.Updated
	}
	if w.trust.Unconfirmed(id) {
		w.rep.Counts["outcomes_unconfirmed"]++
	}
	w.rep.Counts["tests_"+out.String()]++
	if state, _ := row["state"].(string); state != "" {
		w.rep.Counts["state:"+state]++
	}
	store.Tally(w.rep, out)
	return out, nil
}

// Close releases the prepared statements.
func (w *TestWriter) Close() {
	w.tu.Close()
	w.trust.Close()
}

// UnknownReason is the skip reason of an ATT&CK id the catalogue lacks
// (store.SkipUnknown): the tests are stored without a technique, keep the
// id in technique_attack_id, and link when a catalogue import brings it.
const UnknownReason = "technique not in the ATT&CK catalogue: %d test(s) stored without a technique link until a catalogue import brings it"

// WriteCampaigns upserts the campaigns of an import by import key (in
// order; values gives the row of a key), counts them in rep and returns
// import key → campaign id. owner is written on insert only when set.
func WriteCampaigns(tx core.App, columns []string, owner string, order []string, values func(key string) map[string]any,
	rep *importers.Report) (map[string]string, error) {
	spec := store.Spec{Collection: collections.Campaigns, Key: []string{"import_key"}, Columns: columns, HashColumn: "import_hash"}
	if owner != "" && !slices.Contains(columns, "owner") {
		spec.OnInsert = map[string]any{"owner": owner}
	}
	cu, err := store.New(tx, spec)
	if err != nil {
		return nil, err
	}
	defer cu.Close()
	ids := make(map[string]string, len(order))
	for _, key := range order {
		row := values(key)
		row["import_key"] = key
		out, id, err := cu.Put(row)
		if err != nil {
			return nil, err
		}
		ids[key] = id
		rep.Counts["campaigns_"+out.String()]++
		store.Tally(rep, out)
	}
	return ids, nil
}

// Owner is the user who runs the import when it is a user (the owner of
// the campaigns it creates), or "".
func Owner(tx core.App, actor string) string {
	if actor == "" {
		return ""
	}
	u, err := tx.FindRecordById(collections.Users, actor)
	if err != nil {
		return ""
	}
	return u.Id
}
