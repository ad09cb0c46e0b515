package store_test

import (
	"context"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestLinkTechniques(t *testing.T) {
	app := testutil.NewApp(t)
	rep := &importers.Report{}
	tpls := []store.Template{
		{Source: "atomic", SourceID: "g1", TechniqueID: "T9001", Name: "one", Executor: store.Executor{Name: "sh"}},
		{Source: "caldera", SourceID: "g2", TechniqueID: "T9002", Name: "two", Executor: store.Executor{Name: "psh"}},
	}
	require.NoError(t, store.WriteTemplates(context.Background(), app, tpls, rep, importers.Options{}))
	require.EqualValuesf(t, 2, rep.Created, "report %+v", rep)
	require.Lenf(t, rep.Skipped, 2, "report %+v", rep)
	require.EqualValuesf(t, 2, rep.Counts["unknown_techniques"], "report %+v", rep)
	col, _ := app.FindCollectionByNameOrId(collections.Techniques)
	tech := core.NewRecord(col)
	tech.Load(map[string]any{"stix_id": "attack-pattern--x", "attack_id": "T9001", "name": "x"})
	require.NoError(t, app.Save(tech))
	n, err := store.LinkTechniques(app)
	require.NoErrorf(t, err, "linked %d, %v", n, err)
	require.EqualValuesf(t, 1, n, "linked %d, %v", n, err)
	r, _ := app.FindFirstRecordByData(collections.TestTemplates, "source_id", "g1")
	require.EqualValuesf(t, tech.Id, r.GetString("technique"), "template not linked: %v", r.FieldsData())
}
