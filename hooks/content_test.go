package hooks_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

const guardedRule = `title: Guarded
id: 44444444-4444-4444-8444-444444444444
status: test
level: low
logsource: {product: windows}
detection: {sel: {a: b}, condition: sel}
`

func TestContentGuards(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	blue, admin := users[collections.RoleBlueLead].Token, users[collections.RoleAdmin].Token
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.yml"), []byte(guardedRule), 0o644))
	src, err := source.Open(dir, source.Options{})
	require.NoError(t, err)
	_, err = sigma.Import(context.Background(), app, src, importers.Options{})
	require.NoError(t, err, "import the Sigma rule")
	imported, err := app.FindFirstRecordByData(collections.DetectionRules, "source_rule_id", "44444444-4444-4444-8444-444444444444")
	require.NoError(t, err)
	url := func(col, id string) string { return srv.URL + "/api/collections/" + col + "/records/" + id }

	cases := []struct {
		name, token, col, id string
		body                 map[string]any
		want                 int
	}{
		{"blue lead enables an imported rule", blue, collections.DetectionRules, imported.Id, map[string]any{"enabled": true}, 200},
		{"blue lead cannot retitle an imported rule", blue, collections.DetectionRules, imported.Id, map[string]any{"title": "mine"}, 400},
		{"admin cannot retitle an imported rule either", admin, collections.DetectionRules, imported.Id, map[string]any{"severity": "high"}, 400},
	}
	// A hand-made rule is fully editable by a blue lead.
	res := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/detection_rules/records", blue,
		map[string]any{"source": "custom", "source_rule_id": "c-1", "title": "Custom"})
	require.Equal(t, 200, res.Status, "create custom rule: %d %s", res.Status, res.Body)
	var custom struct{ Id string }
	res.JSON(t, &custom)
	cases = append(cases, struct {
		name, token, col, id string
		body                 map[string]any
		want                 int
	}{"blue lead edits a custom rule", blue, collections.DetectionRules, custom.Id, map[string]any{"title": "Custom v2", "enabled": true}, 200})

	d3col, _ := app.FindCollectionByNameOrId(collections.D3fendTechniques)
	d3 := core.NewRecord(d3col)
	d3.Load(map[string]any{"d3fend_id": "D3-PSA", "name": "Process Spawn Analysis", "tactic": "detect", "status": "not_implemented"})
	fwcol, _ := app.FindCollectionByNameOrId(collections.ComplianceFrameworks)
	fw := core.NewRecord(fwcol)
	fw.Load(map[string]any{"name": "CIS Controls v8"})
	ctlcol, _ := app.FindCollectionByNameOrId(collections.ComplianceControls)
	for _, r := range []*core.Record{d3, fw} {
		require.NoError(t, app.Save(r))
	}
	ctl := core.NewRecord(ctlcol)
	ctl.Load(map[string]any{"framework": fw.Id, "control_id": "4.1", "title": "Secure configuration", "status": "not_assessed"})
	require.NoError(t, app.Save(ctl))
	more := []struct {
		name, token, col, id string
		body                 map[string]any
		want                 int
	}{
		{"blue lead sets D3FEND status", blue, collections.D3fendTechniques, d3.Id, map[string]any{"status": "implemented"}, 200},
		{"blue lead cannot rename a D3FEND technique", blue, collections.D3fendTechniques, d3.Id, map[string]any{"name": "x"}, 400},
		{"blue lead tracks a control", blue, collections.ComplianceControls, ctl.Id,
			map[string]any{"status": "partial", "notes": "servers done", "owner": users[collections.RoleBlueLead].Id}, 200},
		{"blue lead cannot retitle a control", blue, collections.ComplianceControls, ctl.Id, map[string]any{"title": "x"}, 400},
		{"admin curates a control", admin, collections.ComplianceControls, ctl.Id, map[string]any{"title": "Establish secure configuration"}, 200},
	}
	cases = append(cases, more...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := testutil.Do(t, http.MethodPatch, url(c.col, c.id), c.token, c.body)
			require.Equal(t, c.want, res.Status, "status %d, want %d: %s", res.Status, c.want, res.Body)
		})
	}

	// The control change is audited with old and new values and the actor.
	entry, err := app.FindFirstRecordByFilter(collections.AuditLogs,
		"collection = {:c} && record_id = {:id} && action = 'update' && actor = {:a}",
		dbx.Params{"c": collections.ComplianceControls, "id": ctl.Id, "a": users[collections.RoleBlueLead].Id})
	require.NoError(t, err, "control change not audited")
	details := entry.GetString("details")
	require.Contains(t, details, "status", "audit details %s", details)
	require.Contains(t, details, "partial", "audit details %s", details)
	require.Contains(t, details, "not_assessed", "audit details %s", details)
	require.Contains(t, details, "notes", "audit details %s", details)
	// The imported rule kept its title and got enabled.
	imported, _ = app.FindRecordById(collections.DetectionRules, imported.Id)
	require.Equal(t, "Guarded", imported.GetString("title"), "rule %v", imported.FieldsData())
	require.True(t, imported.GetBool("enabled"), "rule %v", imported.FieldsData())
}
