package migrations_test

import (
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// The kept test counts follow every write, and their triggers survive what
// later migrations do to the tests collection (a field added, renamed and
// dropped, the indexes rebuilt): the counts always equal a GROUP BY.
func TestTestCountsFollowWritesAndSchemaChanges(t *testing.T) {
	app := testutil.NewApp(t)
	type row struct {
		State    string `db:"state"`
		Revealed int    `db:"revealed"`
		N        int    `db:"n"`
	}
	check := func(step string) {
		t.Helper()
		var kept, counted []row
		require.NoError(t, app.DB().NewQuery("SELECT state, revealed, n FROM `"+c.TestCountsTable+"` WHERE n != 0 ORDER BY 1, 2").All(&kept), step)
		require.NoError(t, app.DB().NewQuery("SELECT state, CASE WHEN revealed THEN 1 ELSE 0 END AS revealed, COUNT(*) AS n FROM tests GROUP BY 1, 2 ORDER BY 1, 2").All(&counted), step)
		require.Equal(t, counted, kept, step)
	}
	col, err := app.FindCollectionByNameOrId(c.Tests)
	require.NoError(t, err)
	add := func(state string, revealed bool) *core.Record {
		r := core.NewRecord(col)
		r.Set("name", "t")
		r.Set("state", state)
		r.Set("revealed", revealed)
		require.NoError(t, app.SaveNoValidate(r))
		return r
	}
	a := add(c.StateDraft, true)
	add(c.StateDraft, false)
	add(c.StateValidated, true)
	check("created")

	col.Fields.Add(&core.TextField{Name: "scratch"})
	require.NoError(t, app.Save(col))
	a, err = app.FindRecordById(c.Tests, a.Id)
	require.NoError(t, err)
	a.Set("state", c.StateReady)
	require.NoError(t, app.SaveNoValidate(a))
	check("field added")

	col, err = app.FindCollectionByNameOrId(c.Tests)
	require.NoError(t, err)
	col.Fields.GetByName("scratch").SetName("scratch2")
	col.AddIndex("idx_tests_scratch2", false, "scratch2", "")
	require.NoError(t, app.Save(col))
	add(c.StateReady, false)
	check("field renamed, index added")

	col, err = app.FindCollectionByNameOrId(c.Tests)
	require.NoError(t, err)
	col.RemoveIndex("idx_tests_scratch2")
	col.Fields.RemoveByName("scratch2")
	require.NoError(t, app.Save(col))
	a, err = app.FindRecordById(c.Tests, a.Id)
	require.NoError(t, err)
	require.NoError(t, app.Delete(a))
	_, err = app.DB().NewQuery("UPDATE tests SET revealed = 1, state = 'closed' WHERE revealed = 0").Execute()
	require.NoError(t, err)
	check("field dropped, bulk update")
}
