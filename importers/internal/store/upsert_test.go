package store_test

import (
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

var spec = store.Spec{Collection: collections.TestTemplates, Key: []string{"source", "source_id"},
	Columns: []string{"source", "source_id", "name", "platforms", "executor"}, HashColumn: "content_hash"}

func TestUpserter(t *testing.T) {
	app := testutil.NewApp(t)
	var outcomes []string
	put := func(values map[string]any) string {
		t.Helper()
		var id string
		err := app.RunInTransaction(func(tx core.App) error {
			u, err := store.New(tx, spec)
			if err != nil {
				return err
			}
			defer u.Close()
			out, rid, err := u.Put(values)
			outcomes = append(outcomes, out.String())
			id = rid
			return err
		})
		require.NoError(t, err)
		return id
	}
	row := map[string]any{"source": "manual", "source_id": "a1", "name": "first",
		"platforms": []string{"linux"}, "executor": map[string]any{"name": "sh"}}
	id := put(row)
	require.Equal(t, id, put(row), "same key, different id")
	row["name"] = "renamed"
	put(row)
	put(map[string]any{"source": "manual", "source_id": "a2", "name": "second"})
	assert.Equal(t, []string{"created", "unchanged", "updated", "created"}, outcomes)
	r, err := app.FindRecordById(collections.TestTemplates, id)
	require.NoError(t, err)
	var exec map[string]any
	_ = r.UnmarshalJSONField("executor", &exec)
	assert.Equal(t, "renamed", r.GetString("name"))
	assert.Equal(t, "sh", exec["name"])
	assert.NotEmpty(t, r.GetString("created"))
	assert.NotEmpty(t, r.GetString("content_hash"))
	assert.Equal(t, []string{"linux"}, r.GetStringSlice("platforms"))
	// The record is a normal PocketBase record: it validates.
	require.NoError(t, app.Validate(r), "raw-written record does not validate")
}

func TestSpecErrors(t *testing.T) {
	app := testutil.NewApp(t)
	for name, s := range map[string]store.Spec{
		"unknown collection": {Collection: "nope", Key: []string{"a"}, Columns: []string{"a"}, HashColumn: "content_hash"},
		"unknown column":     {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source", "bogus"}, HashColumn: "content_hash"},
		"id column":          {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source", "id"}, HashColumn: "content_hash"},
		"key not written":    {Collection: collections.TestTemplates, Key: []string{"source_id"}, Columns: []string{"source"}, HashColumn: "content_hash"},
		"no key":             {Collection: collections.TestTemplates, Columns: []string{"source"}, HashColumn: "content_hash"},
		"unknown on-insert":  {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source"}, OnInsert: map[string]any{"bogus": 1}},
		"unknown removed":    {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source"}, Removed: "bogus"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := store.New(app, s)
			require.Error(t, err, "an invalid spec is accepted")
		})
	}
}

func TestLookupPrefersLastOrdered(t *testing.T) {
	app := testutil.NewApp(t)
	col, _ := app.FindCollectionByNameOrId(collections.Techniques)
	ids := map[bool]string{}
	for _, revoked := range []bool{false, true} {
		r := core.NewRecord(col)
		r.Load(map[string]any{"stix_id": "attack-pattern--" + map[bool]string{false: "new", true: "old"}[revoked],
			"attack_id": "T9001", "name": "x", "revoked": revoked})
		require.NoError(t, app.Save(r))
		ids[revoked] = r.Id
	}
	m, err := store.Lookup(app, collections.Techniques, "attack_id", "revoked DESC")
	require.NoErrorf(t, err, "lookup %v %v, want the active technique %s", m, err, ids[false])
	require.EqualValuesf(t, ids[false], m["T9001"], "lookup %v %v, want the active technique %s", m, err, ids[false])
}

// TestUpserterCompareAndRetire: without a hash column the stored values are
// compared (booleans and JSON included), insert-only values are written once,
// and a retired record that comes back is written again.
func TestUpserterCompareAndRetire(t *testing.T) {
	app := testutil.NewApp(t)
	spec := store.Spec{Collection: collections.DetectionRules, Key: []string{"source", "source_rule_id"},
		Columns:  []string{"source", "source_rule_id", "title", "techniques", "removed"},
		OnInsert: map[string]any{"enabled": true}, Removed: "removed"}
	run := func(f func(u *store.Upserter)) store.Counts {
		t.Helper()
		var c store.Counts
		require.NoError(t, app.RunInTransaction(func(tx core.App) error {
			u, err := store.New(tx, spec)
			if err != nil {
				return err
			}
			defer u.Close()
			f(u)
			c = u.Counts()
			return nil
		}))
		return c
	}
	row := map[string]any{"source": "sigma", "source_rule_id": "r1", "title": "one", "techniques": []string{}, "removed": false}
	var id string
	put := func(u *store.Upserter) {
		_, rid, err := u.Put(row)
		require.NoError(t, err)
		id = rid
	}
	assert.Equal(t, store.Counts{Created: 1}, run(put))
	assert.Equal(t, store.Counts{Unchanged: 1}, run(put), "same values are rewritten")

	r, err := app.FindRecordById(collections.DetectionRules, id)
	require.NoError(t, err)
	assert.True(t, r.GetBool("enabled"), "insert-only value missing")
	r.Set("enabled", false)
	require.NoError(t, app.Save(r))
	assert.Equal(t, store.Counts{Unchanged: 1}, run(put), "insert-only column counts as content")

	assert.Equal(t, store.Counts{Removed: 1}, run(func(u *store.Upserter) { require.NoError(t, u.Retire(id)) }))
	r, err = app.FindRecordById(collections.DetectionRules, id)
	require.NoError(t, err)
	assert.True(t, r.GetBool("removed"))
	assert.Equal(t, store.Counts{Updated: 1}, run(put), "a retired record that comes back is not rewritten")
	r, err = app.FindRecordById(collections.DetectionRules, id)
	require.NoError(t, err)
	assert.False(t, r.GetBool("removed"))
	assert.False(t, r.GetBool("enabled"), "an update overwrote the insert-only value")
}

// TestTableAndSetter: the Table writes by id with insert-only values and
// the hash given; the Setter writes bookkeeping columns, bumps the revision
// and refuses a value count that does not match its columns.
func TestTableAndSetter(t *testing.T) {
	app := testutil.NewApp(t)
	spec := store.Spec{Collection: collections.TestTemplates, Columns: []string{"source", "source_id", "name", "platforms"},
		HashColumn: "content_hash", OnInsert: map[string]any{"origin": "first"}}
	id := "tabletest000001"
	require.NoError(t, app.RunInTransaction(func(tx core.App) error {
		tb, err := store.NewTable(tx, spec, "")
		if err != nil {
			return err
		}
		defer tb.Close()
		if err := tb.Write(true, id, []any{"manual", "t1", "one", []string{"linux"}}, "h1"); err != nil {
			return err
		}
		return tb.Write(false, id, []any{"manual", "t1", "renamed", []string{"linux", "windows"}}, "h2")
	}))
	r, err := app.FindRecordById(collections.TestTemplates, id)
	require.NoError(t, err)
	assert.Equal(t, "renamed", r.GetString("name"))
	assert.Equal(t, "h2", r.GetString("content_hash"))
	assert.Equal(t, "first", r.GetString("origin"), "insert-only value")
	assert.Equal(t, []string{"linux", "windows"}, r.GetStringSlice("platforms"))

	_, err = store.NewTable(app, store.Spec{Collection: collections.TestTemplates, Columns: []string{"bogus"}}, "")
	require.Error(t, err, "a table with an unknown column")

	require.NoError(t, app.RunInTransaction(func(tx core.App) error {
		s := store.NewSetter(tx, store.Set{Collection: collections.TestTemplates, Columns: []string{"origin"}, Touch: true})
		defer s.Close()
		require.Error(t, s.Set(id, "a", "b"), "two values for one column")
		return s.Set(id, "second")
	}))
	r, err = app.FindRecordById(collections.TestTemplates, id)
	require.NoError(t, err)
	assert.Equal(t, "second", r.GetString("origin"))
	assert.Equal(t, "h2", r.GetString("content_hash"), "a bookkeeping write changed the content hash")
}
