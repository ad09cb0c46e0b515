package compliance_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/compliance"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"CM-03": "CM-3", "AC-02(01)": "AC-2(1)", "ac-2 (3)": "AC-2(3)", "4.1": "4.1", "A.5.1": "A.5.1"} {
		t.Run("control "+in, func(t *testing.T) {
			assert.Equal(t, want, compliance.NormalizeControlID(in))
		})
	}
	for in, want := range map[string]string{"r5": "rev5", "rev5": "rev5", "Rev. 5": "rev5", "2022": "2022", "": ""} {
		t.Run("version "+in, func(t *testing.T) {
			assert.Equal(t, want, compliance.NormalizeVersion(in))
		})
	}
}

const mapex = `{"metadata":{"attack_version":"16.1","mapping_framework":"cri_profile","mapping_framework_version":"v2.0",
 "capability_groups":{"GV":"Govern"},"mapping_types":{"mitigates":{}}},
 "mapping_objects":[
  {"capability_id":"GV.OC-01","capability_group":"GV","capability_description":"Org context","mapping_type":"mitigates","attack_object_id":"T1003","status":"complete"},
  {"capability_id":"GV.OC-01","capability_group":"GV","capability_description":"Org context","mapping_type":"mitigates","attack_object_id":"T1003","status":"complete"},
  {"capability_id":null,"capability_group":null,"capability_description":null,"mapping_type":null,"attack_object_id":"T1496.002","status":"non_mappable"}]}`

const simpleCSV = "framework,version,control_id,title,family,technique,mapping_type\n" +
	"CIS Controls,v8,4.1,Establish Secure Configuration,Secure Configuration,T1003,mitigates\n" +
	"CIS Controls,v8,4.1,Establish Secure Configuration,Secure Configuration,T1059.001,protects\n" +
	"CIS Controls,v8,6.3,Require MFA,Access Control,T9999,mitigates\n" +
	"CIS Controls,v8,6.4,\"Multi-line\ntitle\",Access Control,,\n"

func TestImportFormats(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedTechniques(t, app, "T1003", "T1059.001")
	dir := t.TempDir()
	contenttest.WriteFiles(t, dir, map[string]string{
		"mapex/cri.json":     mapex,
		"cis.csv":            simpleCSV,
		"schema/schema.json": `{"$schema": "x"}`,
		"broken.csv":         "framework,control_id\n\"unterminated,1\n",
	})
	ctx := context.Background()
	rep, err := compliance.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.Lenf(t, rep.FileErrors, 1, "file errors %+v", rep.FileErrors)
	require.EqualValuesf(t, "broken.csv", rep.FileErrors[0].Path, "file errors %+v", rep.FileErrors)
	require.EqualValuesf(t, 2, rep.Counts["frameworks"], "counts %v", rep.Counts)
	require.EqualValuesf(t, 1, rep.Counts["non_mappable"], "counts %v", rep.Counts)
	require.EqualValuesf(t, 3, rep.Counts["mappings"], "counts %v", rep.Counts)
	require.EqualValuesf(t, 4, rep.Counts["controls"], "counts %v", rep.Counts)
	fw, err := app.FindFirstRecordByData(collections.ComplianceFrameworks, "name", "CRI Profile v2.0")
	require.NoErrorf(t, err, "framework from metadata: %v", err)
	require.EqualValuesf(t, "v2.0", fw.GetString("version"), "framework from metadata: %v", err)
	cis, err := app.FindFirstRecordByData(collections.ComplianceFrameworks, "name", "CIS Controls v8")
	require.NoError(t, err)
	c41, err := app.FindFirstRecordByFilter(collections.ComplianceControls, "framework = {:f} && control_id = '4.1'", dbx.Params{"f": cis.Id})
	require.NoErrorf(t, err, "control 4.1: %v", err)
	require.Falsef(t, c41.GetString("family") != "Secure Configuration", "control 4.1: %v", err)
	require.EqualValuesf(t, "not_assessed", c41.GetString("status"), "control 4.1: %v", err)
	var skipped bool
	for _, s := range rep.Skipped {
		skipped = skipped || s.Id == "T9999"
	}
	require.Truef(t, skipped, "unknown technique must be reported: %+v", rep.Skipped)

	// The organisation's status, owner and notes survive a re-import.
	c41.Set("status", "partial")
	c41.Set("notes", "rolled out to servers")
	c41.Set("owner", testutil.Users(t)["blue_lead"].Id)
	require.NoError(t, app.Save(c41))
	again, err := compliance.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.Falsef(t, !again.NoChange, "re-import %+v", again)
	c41, _ = app.FindRecordById(collections.ComplianceControls, c41.Id)
	require.EqualValues(t, "partial", c41.GetString("status"), "org fields must survive")
	require.False(t, c41.GetString("notes") != "rolled out to servers", "org fields must survive")
	require.NotEmpty(t, c41.GetString("owner"), "org fields must survive")
	// A mapping dropped upstream is removed.
	contenttest.WriteFiles(t, dir, map[string]string{"cis.csv": strings.Replace(simpleCSV,
		"CIS Controls,v8,4.1,Establish Secure Configuration,Secure Configuration,T1059.001,protects\n", "", 1)})
	third, err := compliance.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 1, third.Removed, "stale mapping: %+v", third)
}

// TestSharedNIST imports both CTID NIST SP 800-53 r5 data sets and checks
// the README's counts.
func TestSharedNIST(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedEnterprise(t, app)
	ctx := context.Background()
	rep, err := compliance.Import(ctx, app, contenttest.Shared(t, "ctid-mappings-explorer-nist-800-53-r5.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("mappings explorer: %+v", rep.Counts)
	require.Lenf(t, rep.FileErrors, 0, "report %+v", rep)
	require.EqualValuesf(t, 5314, rep.Counts["rows"], "report %+v", rep)
	require.EqualValuesf(t, 96, rep.Counts["non_mappable"], "report %+v", rep)
	require.EqualValuesf(t, 109, rep.Counts["controls"], "report %+v", rep)
	fw, err := app.FindFirstRecordByData(collections.ComplianceFrameworks, "name", "NIST SP 800-53 rev5")
	require.NoError(t, err)
	missing := 0
	for _, s := range rep.Skipped {
		if strings.Contains(s.Reason, "not in the catalogue") {
			var n int
			if _, err := fmtSscan(s.Reason, &n); err == nil {
				missing += n
			}
		}
	}
	stored, _ := app.CountRecords(collections.ControlMappings)
	require.Falsef(t, int(stored)+missing != 5264, "stored %d + unknown-technique %d != 5264 distinct pairs", stored, missing)

	rep2, err := compliance.Import(ctx, app, contenttest.Shared(t, "ctid-attack-control-framework-mappings-nist-800-53-r5.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("attack-control-framework: %+v", rep2.Counts)
	require.Lenf(t, rep2.FileErrors, 0, "report %+v", rep2)
	require.EqualValuesf(t, 4929, rep2.Counts["rows"], "report %+v", rep2)
	require.EqualValuesf(t, 1, rep2.Counts["frameworks"], "report %+v", rep2)
	controls, _ := app.CountRecords(collections.ComplianceControls, dbx.HashExp{"framework": fw.Id})
	// 1189 catalogue controls plus IA-13, which the 2025 Mappings Explorer
	// file maps but the 2020 r5 catalogue predates. CM-03 and CM-3 are one
	// control, so nothing else is added.
	require.EqualValuesf(t, 1190, controls, "controls = %d, want 1189 + IA-13", controls)
	if _, err := app.FindFirstRecordByFilter(collections.ComplianceControls, "framework = {:f} && control_id = 'IA-13'", dbx.Params{"f": fw.Id}); err != nil {
		t.Fatal(err)
	}
	again, err := compliance.Import(ctx, app, contenttest.Shared(t, "ctid-attack-control-framework-mappings-nist-800-53-r5.tar.gz"), importers.Options{})
	require.NoErrorf(t, err, "re-import %+v %v", again, err)
	require.Truef(t, again.NoChange, "re-import %+v %v", again, err)
}
