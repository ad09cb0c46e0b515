package attack_test

import (
	"testing"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestCampaignsImport: ATT&CK Enterprise 18.1's 52 campaigns are stored
// with their techniques, software and attributed groups, as the bundle's
// relationships say.
func TestCampaignsImport(t *testing.T) {
	app := testutil.NewApp(t)
	rep := mustImport(t, app, shared(t, "enterprise-attack-18.1.json.gz"))
	n := rep.Counts["campaign"]
	require.EqualValuesf(t, 52, n, "bundle campaigns = %d, want 52", n)
	n = count(t, app, `SELECT COUNT(*) FROM attack_campaigns WHERE attack_id LIKE 'C0%'`)
	require.EqualValuesf(t, 52, n, "stored campaigns = %d, want 52", n)
	for name, sql := range map[string]string{
		// every non-revoked campaign-uses-technique relationship, as a stored link
		"technique links": `SELECT COUNT(*) FROM attack_campaigns c, json_each(c.techniques) j JOIN techniques t ON t.id = j.value`,
		"software links":  `SELECT COUNT(*) FROM attack_campaigns c, json_each(c.software) j JOIN software s ON s.id = j.value`,
		"group links":     `SELECT COUNT(*) FROM attack_campaigns c, json_each(c.actors) j JOIN threat_actors a ON a.id = j.value`,
	} {
		if n := count(t, app, sql); n == 0 {
			t.Fatalf("%s: none stored", name)
		} else {
			t.Logf("%s: %d", name, n)
		}
	}
	// C0033 is the only one the bundle links to no technique.
	n = count(t, app, `SELECT COUNT(*) FROM attack_campaigns WHERE json_array_length(techniques) = 0 AND attack_id != 'C0033'`)
	require.EqualValuesf(t, 0, n, "%d campaigns without a technique", n)
	// C0024 SolarWinds Compromise is attributed to APT29 (G0016).
	if n := count(t, app, `SELECT COUNT(*) FROM attack_campaigns c, json_each(c.actors) j JOIN threat_actors a ON a.id = j.value
		WHERE c.attack_id = 'C0024' AND a.attack_id = 'G0016'`); n != 1 {
		t.Fatalf("C0024 not attributed to G0016")
	}
	want := rep.Counts["relationship/uses"] // sanity: relationships were read
	require.NotEqualValues(t, 0, want, "no uses relationships counted")
	again := mustImport(t, app, shared(t, "enterprise-attack-18.1.json.gz"))
	require.Falsef(t, !again.NoChange, "re-import changed something: %+v", again.Counts)
}
