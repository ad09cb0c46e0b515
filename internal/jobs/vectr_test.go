package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVectrBundleIntegration syncs an integration of kind vectr-bundle
// (a folder of bundles) through the same importer as the CLI and the
// upload; a scheduled run has no user, so its imported outcomes wait for a
// blue lead's confirmation.
func TestVectrBundleIntegration(t *testing.T) {
	app := testutil.NewApp(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.json"), []byte(`{"type":"bundle","id":"b","spec_version":"2.0","objects":[
	 {"type":"x-vectr-io-campaign","vectrId":"c1","name":"Synced plan","testCaseIds":["t1"]},
	 {"type":"x-vectr-io-testcase","vectrId":"t1","redTeam":{"status":"Completed","variant":"Case","mitreId":"T9404"},
	  "blueTeam":{"outcomes":["Blocked"]}}]}`), 0o600))
	rec := newIntegration(t, app, map[string]any{"kind": "vectr-bundle", "name": "Shared VECTR plans", "enabled": true,
		"source": map[string]any{"spec": dir}})
	runs, err := jobs.SyncNow(context.Background(), app, "Shared VECTR plans", jobs.Options{Trigger: jobs.TriggerSchedule})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, jobs.StatusSucceeded, runs[0].GetString("status"), runs[0].GetString("error"))
	var rep importers.Report
	require.NoError(t, runs[0].UnmarshalJSONField("stats", &rep))
	assert.Equal(t, "vectr-bundle", rep.Kind)
	assert.Equal(t, 1, rep.Counts["tests_created"])
	assert.Equal(t, 1, rep.Counts["outcomes_unconfirmed"])
	test, err := app.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9404'")
	require.NoError(t, err)
	assert.True(t, test.GetBool("outcome_imported"))
	assert.Empty(t, test.GetString("outcome_confirmed_by"))
	rec, err = app.FindRecordById(collections.Integrations, rec.Id)
	require.NoError(t, err)
	assert.Equal(t, jobs.StatusSucceeded, rec.GetString("last_status"))
}
