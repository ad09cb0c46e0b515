package attackref_test

import (
	"context"
	"encoding/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/d3fend"
	"github.com/aegis-sec/aegis/importers/internal/attackref"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

// TestTemplatesRemovedUpstreamAreKept: an Atomic technique file that
// disappears from its folder marks its templates removed (a test still
// points at one), another folder never retires them, and they come back
// when the file does.
func TestTemplatesRemovedUpstreamAreKept(t *testing.T) {
	app := testutil.NewApp(t)
	techs := contenttest.SeedTechniques(t, app, "T9001", "T9002.001")
	dir := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"T9001/T9001.yaml", "T9002.001/T9002.001.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "atomic", "testdata", "atomics", f))
		require.NoError(t, err)
		files[f] = string(b)
	}
	contenttest.WriteFiles(t, dir, files)
	run := func(path string) *importers.Report {
		t.Helper()
		rep, err := atomic.Import(context.Background(), app, contenttest.Open(t, path), importers.Options{})
		require.NoError(t, err)
		return rep
	}
	first := run(dir)
	require.Equal(t, 3, first.Created, first.FileErrors)

	tpl, err := app.FindFirstRecordByData(collections.TestTemplates, "technique", techs["T9002.001"])
	require.NoError(t, err)
	camp := save(t, app, collections.Campaigns, map[string]any{"name": "Kept", "status": "planned"})
	test := save(t, app, collections.Tests, map[string]any{"name": "uses T9002.001", "technique": techs["T9002.001"],
		"campaign": camp.Id, "template": tpl.Id, "state": collections.StateDraft})

	require.NoError(t, os.RemoveAll(filepath.Join(dir, "T9002.001")))
	gone := run(dir)
	assert.Equal(t, 1, gone.Removed, "the template of the deleted file is retired")
	assert.False(t, gone.NoChange)
	tpl, err = app.FindRecordById(collections.TestTemplates, tpl.Id)
	require.NoError(t, err, "never deleted")
	assert.True(t, tpl.GetBool("removed"))
	test, err = app.FindRecordById(collections.Tests, test.Id)
	require.NoError(t, err)
	assert.Equal(t, tpl.Id, test.GetString("template"), "the test keeps its template")

	// One file from elsewhere retires nothing.
	other := t.TempDir()
	contenttest.WriteFiles(t, other, map[string]string{"T9001/T9001.yaml": files["T9001/T9001.yaml"]})
	assert.Zero(t, run(other).Removed)

	contenttest.WriteFiles(t, dir, map[string]string{"T9002.001/T9002.001.yaml": files["T9002.001/T9002.001.yaml"]})
	back := run(dir)
	assert.Equal(t, 1, back.Updated, "the returning template is un-removed")
	tpl, _ = app.FindRecordById(collections.TestTemplates, tpl.Id)
	assert.False(t, tpl.GetBool("removed"))
	assert.True(t, run(dir).NoChange, "and a re-import is a no-op")
}

func save(t *testing.T, app core.App, collection string, data map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	require.NoError(t, err)
	r := core.NewRecord(col)
	for k, v := range data {
		r.Set(k, v)
	}
	require.NoError(t, app.Save(r), collection)
	return r
}

// TestD3fendMappingsRemovedUpstreamAreKept: a countermeasure that D3FEND's
// answer for a technique no longer lists is marked removed (kept, left out
// of scoring) and comes back when it is listed again; another technique's
// answer never retires it.
func TestD3fendMappingsRemovedUpstreamAreKept(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedTechniques(t, app, "T1001.001")
	files := contenttest.ReadAll(t, contenttest.Shared(t, "d3fend-0.14.0-attack-mappings.tar.gz"),
		func(p string) bool { return strings.HasSuffix(p, "/attack/T1001.001.json") })
	require.Equal(t, 1, len(files))
	run := func(data []byte) *importers.Report {
		t.Helper()
		rep, err := d3fend.Import(context.Background(), app, &contenttest.Memory{Name: "d3fend api",
			Files: []contenttest.File{{Path: "api/offensive-technique/attack/T1001.001.json", Data: data}}}, importers.Options{})
		require.NoError(t, err)
		return rep
	}
	first := run(files[0].Data)
	all := count(t, app, `SELECT COUNT(*) FROM d3fend_mappings`)
	require.Positive(t, all)
	require.Positive(t, first.Created)

	// Drop every binding of one countermeasure from the answer.
	var doc map[string]any
	require.NoError(t, json.Unmarshal(files[0].Data, &doc))
	res := doc["off_to_def"].(map[string]any)["results"].(map[string]any)
	bindings := res["bindings"].([]any)
	victim := ""
	kept := []any{}
	for _, b := range bindings {
		def, _ := b.(map[string]any)["def_tech"].(map[string]any)
		uri, _ := def["value"].(string)
		if uri != "" && victim == "" {
			victim = uri
		}
		if uri == "" || uri != victim {
			kept = append(kept, b)
		}
	}
	require.True(t, victim != "", "the answer maps a countermeasure")
	res["bindings"] = kept
	less, err := json.Marshal(doc)
	require.NoError(t, err)
	gone := run(less)
	assert.Equal(t, 1, gone.Removed, "the countermeasure no longer listed is retired")
	assert.Equal(t, all, count(t, app, `SELECT COUNT(*) FROM d3fend_mappings`), "never deleted")
	assert.Equal(t, 1, count(t, app, `SELECT COUNT(*) FROM d3fend_mappings WHERE removed = TRUE`))
	assert.True(t, run(less).NoChange, "re-importing the shorter answer changes nothing")

	back := run(files[0].Data)
	assert.Equal(t, 1, back.Updated, "listed again: un-removed")
	assert.Zero(t, count(t, app, `SELECT COUNT(*) FROM d3fend_mappings WHERE removed = TRUE`))
}

// TestImportedTestsWaitForTheirTechnique: a test imported (from VECTR) with
// an ATT&CK id the catalogue lacked is linked by the catalogue import that
// brings the id, and counted in its changelog.
func TestImportedTestsWaitForTheirTechnique(t *testing.T) {
	app := testutil.NewApp(t)
	camp := save(t, app, collections.Campaigns, map[string]any{"name": "From VECTR", "status": "planned"})
	waiting := save(t, app, collections.Tests, map[string]any{"name": "Newer technique", "technique_attack_id": "T9301",
		"campaign": camp.Id, "state": collections.StateDraft})
	first, err := attackref.ResolveAll(app)
	require.NoError(t, err)
	assert.Equal(t, 0, first.Tests, "nothing to link before the catalogue has the id")

	techs := contenttest.SeedTechniques(t, app, "T9301")
	second, err := attackref.ResolveAll(app)
	require.NoError(t, err)
	assert.Equal(t, 1, second.Tests)
	got, err := app.FindRecordById(collections.Tests, waiting.Id)
	require.NoError(t, err)
	assert.Equal(t, techs["T9301"], got.GetString("technique"))

	third, err := attackref.ResolveAll(app)
	require.NoError(t, err)
	assert.Equal(t, 0, third.Tests, "a linked test is not counted again")
}
