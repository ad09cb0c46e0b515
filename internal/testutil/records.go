package testutil

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// Save creates a record of collection with fields through app.Save (hooks,
// validation and the audit trail run as for any write) and fails the test
// if it cannot.
func Save(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	return save(t, app, collection, fields, app.Save)
}

// SaveNoValidate is Save without the record's validation (app.SaveNoValidate):
// for states a test reaches only through the workflow, set directly.
func SaveNoValidate(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	return save(t, app, collection, fields, app.SaveNoValidate)
}

func save(t testing.TB, app core.App, collection string, fields map[string]any, write func(core.Model) error) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatalf("find the collection %s: %v", collection, err)
	}
	r := core.NewRecord(col)
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := write(r); err != nil {
		t.Fatalf("save a %s record: %v", collection, err)
	}
	return r
}
