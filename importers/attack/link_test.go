package attack_test

import (
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// A test library imported before ATT&CK keeps its templates unlinked; the
// ATT&CK import links them in the same transaction.
func TestImportLinksWaitingTemplates(t *testing.T) {
	app := testutil.NewApp(t)
	col, _ := app.FindCachedCollectionByNameOrId(collections.TestTemplates)
	tpl := core.NewRecord(col)
	tpl.Set("source", "atomic")
	tpl.Set("source_id", "0f4a0c76-ab2d-4cb0-85d3-3f0efb8cba0d")
	tpl.Set("name", "Waiting for its technique")
	tpl.Set("technique_attack_id", "T1000")
	require.NoError(t, app.Save(tpl))
	mustImport(t, app, "testdata/release-1.json")
	got, err := app.FindRecordById(collections.TestTemplates, tpl.Id)
	require.NoError(t, err)
	tech, err := app.FindFirstRecordByData(collections.Techniques, "attack_id", "T1000")
	require.NoError(t, err)
	require.EqualValuesf(t, tech.Id, got.GetString("technique"), "template technique = %q, want %q", got.GetString("technique"), tech.Id)
}
