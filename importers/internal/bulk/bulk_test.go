package bulk_test

import (
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/internal/bulk"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

var spec = bulk.Spec{Collection: collections.TestTemplates, Key: []string{"source", "source_id"},
	Columns: []string{"source", "source_id", "name", "platforms", "executor"}, HashColumn: "content_hash"}

func TestUpserter(t *testing.T) {
	app := testutil.NewApp(t)
	var outcomes []string
	put := func(values map[string]any) string {
		t.Helper()
		var id string
		err := app.RunInTransaction(func(tx core.App) error {
			u, err := bulk.New(tx, spec)
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
	if put(row) != id {
		t.Fatal("same key, different id")
	}
	row["name"] = "renamed"
	put(row)
	put(map[string]any{"source": "manual", "source_id": "a2", "name": "second"})
	if strings.Join(outcomes, ",") != "created,unchanged,updated,created" {
		t.Fatalf("outcomes %v", outcomes)
	}
	r, err := app.FindRecordById(collections.TestTemplates, id)
	require.NoError(t, err)
	var exec map[string]any
	_ = r.UnmarshalJSONField("executor", &exec)
	if r.GetString("name") != "renamed" || exec["name"] != "sh" || r.GetString("created") == "" ||
		r.GetString("content_hash") == "" || strings.Join(r.GetStringSlice("platforms"), ",") != "linux" {
		t.Fatalf("record %v", r.FieldsData())
	}
	// The record is a normal PocketBase record: it validates.
	require.NoError(t, app.Validate(r), "raw-written record does not validate")
}

func TestSpecErrors(t *testing.T) {
	app := testutil.NewApp(t)
	for name, s := range map[string]bulk.Spec{
		"unknown collection": {Collection: "nope", Key: []string{"a"}, Columns: []string{"a"}, HashColumn: "content_hash"},
		"unknown column":     {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source", "bogus"}, HashColumn: "content_hash"},
		"id column":          {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source", "id"}, HashColumn: "content_hash"},
		"key not written":    {Collection: collections.TestTemplates, Key: []string{"source_id"}, Columns: []string{"source"}, HashColumn: "content_hash"},
		"no hash column":     {Collection: collections.TestTemplates, Key: []string{"source"}, Columns: []string{"source"}},
	} {
		if _, err := bulk.New(app, s); err == nil {
			t.Errorf("%s: accepted", name)
		}
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
	m, err := bulk.Lookup(app, collections.Techniques, "attack_id", "revoked DESC")
	if err != nil || m["T9001"] != ids[false] {
		t.Fatalf("lookup %v %v, want the active technique %s", m, err, ids[false])
	}
}
