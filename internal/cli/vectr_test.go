package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/cli"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportVectrBundleAs imports a VECTR bundle from the CLI as a named
// blue lead (whose outcomes count at once), refuses an unknown --as user,
// and exports the campaign back as a bundle.
func TestImportVectrBundleAs(t *testing.T) {
	ta := testutil.NewApp(t)
	bundle := filepath.Join(t.TempDir(), "q3.json")
	require.NoError(t, os.WriteFile(bundle, []byte(`{"type":"bundle","id":"b","spec_version":"2.0","objects":[
	 {"type":"x-vectr-io-campaign","vectrId":"c1","name":"From the CLI","testCaseIds":["t1"]},
	 {"type":"x-vectr-io-testcase","vectrId":"t1","redTeam":{"status":"Completed","variant":"Case","mitreId":"T9404"},
	  "blueTeam":{"outcomes":["Logged"]}}]}`), 0o600))
	run := func(args ...string) (string, error) {
		cmd := cli.ImportCommand(ta)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&bytes.Buffer{})
		cmd.SetArgs(args)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.Execute()
		return out.String(), err
	}
	_, err := run("vectr-bundle", bundle, "--as", "nobody@example.org")
	require.ErrorContains(t, err, "no such user")

	blue := testutil.Users(t)[collections.RoleBlueLead]
	out, err := run("vectr-bundle", bundle, "--as", blue.Email, "--json")
	require.NoError(t, err)
	var rep importers.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 1, rep.Counts["tests_created"])
	assert.Equal(t, 1, rep.Counts["unknown_techniques"])
	assert.Zero(t, rep.Counts["outcomes_unconfirmed"])
	test, err := ta.FindFirstRecordByFilter(collections.Tests, "technique_attack_id = 'T9404'")
	require.NoError(t, err)
	assert.Equal(t, blue.Id, test.GetString("outcome_imported_by"))
	assert.Equal(t, blue.Id, test.GetString("outcome_confirmed_by"))
	assert.Equal(t, "telemetry", test.GetString("detection"))

	exp := cli.ExportCommand(ta)
	file := filepath.Join(t.TempDir(), "out.json")
	exp.SetArgs([]string{"vectr-bundle", "--campaign", test.GetString("campaign"), "-o", file})
	exp.SetOut(&bytes.Buffer{})
	exp.SetErr(&bytes.Buffer{})
	require.NoError(t, exp.Execute())
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"mitreId": "T9404"`)
	assert.Contains(t, string(raw), `"Logged"`)
}
