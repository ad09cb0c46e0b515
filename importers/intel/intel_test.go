package intel_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/intel"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

const reportBundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"report","spec_version":"2.1","id":"report--r1","name":"Operation Test uses T1566.001","published":"2024-05-01T00:00:00Z",
  "description":"Also seen: T1218/011.","object_refs":["attack-pattern--a1","intrusion-set--i1","threat-actor--t1","indicator--x"],
  "external_references":[{"source_name":"vendor","url":"https://example.org/r1"}]},
 {"type":"attack-pattern","id":"attack-pattern--a1","name":"PowerShell","external_references":[{"source_name":"mitre-attack","external_id":"T1059.001"}]},
 {"type":"intrusion-set","id":"intrusion-set--i1","name":"Cozy Bear","aliases":["APT29"],"external_references":[{"source_name":"mitre-attack","external_id":"G0016"}]},
 {"type":"threat-actor","id":"threat-actor--t1","name":"Brand New Crew"}
]}`

const flowBundle = `{"type":"bundle","id":"bundle--2","spec_version":"2.1","objects":[
 {"type":"attack-flow","id":"attack-flow--f1","name":"Flow One","created":"2023-02-21T14:51:27.768Z"},
 {"type":"attack-action","id":"attack-action--1","technique_id":"T1105 "},
 {"type":"attack-action","id":"attack-action--2","technique_id":"T1072; T1505; T1203"},
 {"type":"attack-action","id":"attack-action--3","technique_id":"N/A"},
 {"type":"attack-action","id":"attack-action--4","technique_id":"B0019"},
 {"type":"attack-action","id":"attack-action--5","tactic_id":"TA0007"},
 {"type":"threat-actor","id":"threat-actor--t2","name":"APT29"}
]}`

func TestParse(t *testing.T) {
	rs, err := intel.Parse([]byte(reportBundle))
	require.NoErrorf(t, err, "%v %v", rs, err)
	require.Lenf(t, rs, 1, "%v %v", rs, err)
	r := rs[0]
	require.EqualValuesf(t, "report--r1", r.ExternalID, "%+v", r)
	require.EqualValuesf(t, "https://example.org/r1", r.URL, "%+v", r)
	require.EqualValuesf(t, "report", r.Kind, "%+v", r)
	require.Equalf(t, []string{"T1566.001", "T1218.011", "T1059.001"}, r.Techniques, "techniques %v actors %+v", r.Techniques, r.Actors)
	require.Lenf(t, r.Actors, 2, "techniques %v actors %+v", r.Techniques, r.Actors)
	require.EqualValuesf(t, "G0016", r.Actors[0].AttackID, "techniques %v actors %+v", r.Techniques, r.Actors)
	fs, err := intel.Parse([]byte(flowBundle))
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equalf(t, []string{"T1105", "T1072", "T1505", "T1203"}, fs[0].Techniques, "flow techniques %v malformed %v", fs[0].Techniques, fs[0].Malformed)
	require.Equalf(t, []string{"N/A", "B0019"}, fs[0].Malformed, "flow techniques %v malformed %v", fs[0].Techniques, fs[0].Malformed)
	for doc, want := range map[string]string{
		`{"type":"campaign","id":"campaign--1"}`: `bare "campaign" object`,
		`[1,2]`:                                  "invalid JSON",
		`{"type":"bundle","objects":[{"id":1}]}`: "objects[0]",
		`{"type":"bundle","objects":[]}`:         "no report",
	} {
		t.Run(want, func(t *testing.T) {
			_, err := intel.Parse([]byte(doc))
			require.ErrorContains(t, err, want, "Parse(%s)", doc)
		})
	}
}

func seedActor(t *testing.T, app core.App, attackID, name string, aliases ...string) string {
	t.Helper()
	col, _ := app.FindCollectionByNameOrId(collections.ThreatActors)
	r := core.NewRecord(col)
	r.Set("attack_id", attackID)
	r.Set("stix_id", "intrusion-set--seed-"+attackID)
	r.Set("name", name)
	r.Set("aliases", aliases)
	r.Set("source", "attack")
	require.NoError(t, app.Save(r))
	return r.Id
}

func TestImportAndScan(t *testing.T) {
	app := testutil.NewApp(t)
	techs := contenttest.SeedTechniques(t, app, "T1566.001", "T1059.001", "T1105", "T1072")
	apt29 := seedActor(t, app, "G0016", "APT29", "Cozy Bear")
	// APT29 → T1059.001 is already known to the catalogue.
	at, _ := app.FindCollectionByNameOrId(collections.ActorTechniques)
	link := core.NewRecord(at)
	link.Set("actor", apt29)
	link.Set("technique", techs["T1059.001"])
	require.NoError(t, app.Save(link))
	dir := t.TempDir()
	contenttest.WriteFiles(t, dir, map[string]string{
		"reports/r1.json":     reportBundle,
		"flows/Flow (1).json": flowBundle,
		"bare.json":           `{"type":"campaign","id":"campaign--1"}`,
		"notes.txt":           "not json",
	})
	ctx := context.Background()
	rep, err := intel.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 2, rep.Created, "report %+v", rep)
	require.Lenf(t, rep.FileErrors, 1, "report %+v", rep)
	require.EqualValuesf(t, 1, rep.Counts["actors_created"], "report %+v", rep)
	for _, fe := range rep.FileErrors {
		require.Falsef(t, fe.Path == "bare.json" && !strings.Contains(fe.Error, "not a STIX bundle"), "bare object error %+v", fe)
	}
	r1, err := app.FindFirstRecordByData(collections.IntelReports, "external_id", "report--r1")
	require.NoError(t, err)
	require.EqualValuesf(t, 2, len(r1.GetStringSlice("techniques")), "r1 %v", r1.FieldsData())
	require.EqualValuesf(t, 2, len(r1.GetStringSlice("actors")), "r1 %v", r1.FieldsData())
	require.Falsef(t, r1.GetDateTime("published").IsZero(), "r1 %v", r1.FieldsData())
	var links []intel.NewLink
	require.NoError(t, r1.UnmarshalJSONField("new_links", &links))
	// APT29 × T1566.001 and the new actor × both techniques; APT29 × T1059.001 is known.
	require.Lenf(t, links, 3, "new links %+v", links)
	for _, l := range links {
		require.False(t, l.Actor == apt29 && l.AttackID == "T1059.001", "a known link was flagged")
	}
	var unknown []string
	r1.UnmarshalJSONField("unknown_techniques", &unknown)
	require.Equalf(t, []string{"T1218.011"}, unknown, "unknown %v", unknown)
	flow, _ := app.FindFirstRecordByData(collections.IntelReports, "external_id", "attack-flow--f1")
	require.EqualValuesf(t, "attack-flow", flow.GetString("source"), "flow %v", flow.FieldsData())
	require.Equalf(t, []string{apt29}, flow.GetStringSlice("actors"), "flow %v", flow.FieldsData())

	again, err := intel.Import(ctx, app, contenttest.Open(t, dir), importers.Options{})
	require.NoErrorf(t, err, "re-import %+v %v", again, err)
	require.Truef(t, again.NoChange, "re-import %+v %v", again, err)

	// Enable a rule for T1105: its coverage score is 100·0.25·0.5/0.85 =
	// 14.7, below the default low threshold (30) but above a threshold of
	// 10 set in settings.scoring: the scan follows the settings.
	rules, _ := app.FindCollectionByNameOrId(collections.DetectionRules)
	rule := core.NewRecord(rules)
	rule.Load(map[string]any{"source": "custom", "source_rule_id": "r", "title": "r", "techniques": []string{techs["T1105"]}, "enabled": true})
	require.NoError(t, app.Save(rule))
	res, err := intel.Scan(ctx, app, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	require.Equalf(t, []string{"T1059.001", "T1072", "T1105", "T1566.001"}, res.LowCoverage, "default threshold: %+v", res)
	settings, err := app.FindFirstRecordByData(collections.Settings, "key", "default")
	require.NoError(t, err)
	settings.Set("scoring", map[string]any{"level_low": 10})
	// "operation" is in the title of report r1 (T1566.001, T1059.001).
	settings.Set("intel_keywords", []string{" Operation "})
	require.NoError(t, app.Save(settings))
	res, err = intel.Scan(ctx, app, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	require.Equalf(t, []string{"T1059.001", "T1072", "T1105", "T1566.001"}, res.NewTechniques, "scan %+v", res)
	require.Equalf(t, []string{"T1059.001", "T1566.001", "T1072"}, res.LowCoverage, "scan %+v", res)
	require.EqualValuesf(t, 2, res.Notified, "scan %+v", res)
	require.Lenf(t, res.PriorityReports, 1, "keywords did not raise report r1: %+v", res)
	require.EqualValuesf(t, "report--r1", res.PriorityReports[0].ExternalID, "keywords did not raise report r1: %+v", res)
	require.Equalf(t, []string{"T1059.001", "T1566.001"}, res.PriorityTechniques, "keywords did not raise report r1: %+v", res)
	n, _ := app.CountRecords(collections.Notifications, dbx.HashExp{"kind": "intel_low_coverage", "user": testutil.Users(t)["blue_lead"].Id})
	require.EqualValuesf(t, 2, n, "blue lead notifications = %d", n)
	// Nothing is new a week later.
	res, err = intel.Scan(ctx, app, time.Now().Add(time.Minute))
	require.NoErrorf(t, err, "later scan %+v %v", res, err)
	require.Lenf(t, res.NewTechniques, 0, "later scan %+v %v", res, err)
	require.EqualValuesf(t, 0, res.Notified, "later scan %+v %v", res, err)
}

// TestSharedBundles imports the real OASIS examples and the Attack Flow corpus.
func TestSharedBundles(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedEnterprise(t, app)
	ctx := context.Background()
	rep, err := intel.Import(ctx, app, contenttest.Shared(t, "stix21-oasis-examples.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("oasis: %+v", rep)
	require.EqualValuesf(t, 2, rep.Created, "oasis reports created %d, want apt1 and poisonivy", rep.Created)
	bare := false
	for _, fe := range rep.FileErrors {
		bare = bare || strings.HasSuffix(fe.Path, "interop-objectmarking-test.json") && strings.Contains(fe.Error, `bare "campaign"`)
	}
	require.Truef(t, bare, "file errors %+v", rep.FileErrors)
	require.Lenf(t, rep.FileErrors, 1, "file errors %+v", rep.FileErrors)
	apt1, err := app.FindFirstRecordByFilter(collections.IntelReports, "title ~ 'APT1'")
	require.NoError(t, err, "APT1 report maps CAPEC only, so no techniques, but names actors: %v", err)
	require.EqualValues(t, 0, len(apt1.GetStringSlice("techniques")), "APT1 report maps CAPEC only, so no techniques, but names actors: %v", err)
	require.NotEqualValues(t, 0, len(apt1.GetStringSlice("actors")), "APT1 report maps CAPEC only, so no techniques, but names actors: %v", err)

	flows, err := intel.Import(ctx, app, contenttest.Shared(t, "stix21-attack-flow-corpus.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("attack flow: created %d, counts %v, skipped %d", flows.Created, flows.Counts, len(flows.Skipped))
	// Two pairs of files reuse one flow id for different flows upstream.
	require.EqualValuesf(t, 24, flows.Created, "flows %+v", flows)
	require.Lenf(t, flows.FileErrors, 0, "flows %+v", flows)
	require.EqualValuesf(t, 2, flows.Counts["id_clashes"], "flows %+v", flows)
	var malformed []string
	for _, s := range flows.Skipped {
		if strings.HasPrefix(s.Reason, "malformed") {
			malformed = append(malformed, s.Reason)
		}
	}
	// 14 malformed values upstream; whitespace, "/" and ";" lists are repaired,
	// the other 10 are reported.
	require.Lenf(t, malformed, 10, "malformed %d", len(malformed))
	again, err := intel.Import(ctx, app, contenttest.Shared(t, "stix21-attack-flow-corpus.tar.gz"), importers.Options{})
	require.NoErrorf(t, err, "re-import %+v %v", again, err)
	require.Truef(t, again.NoChange, "re-import %+v %v", again, err)
}

// TestInbox: report bundles dropped into the watched folder are imported by
// the scan job and moved to processed/; a broken one goes to failed/ with
// its reason; the rest of the folder is left alone.
func TestInbox(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedTechniques(t, app, "T1566.001", "T1059.001", "T1105", "T1072")
	dir := t.TempDir()
	t.Setenv(intel.InboxEnv, dir)
	contenttest.WriteFiles(t, dir, map[string]string{"report.json": reportBundle, "broken.json": `{"type":"bundle","objects":[`})
	stats, err := intel.ScanJob(context.Background(), app)
	require.NoError(t, err)
	require.EqualValuesf(t, 1, stats["inbox_imported"], "stats %v", stats)
	require.EqualValuesf(t, 1, stats["inbox_failed"], "stats %v", stats)
	if _, err := app.FindFirstRecordByData(collections.IntelReports, "external_id", "report--r1"); err != nil {
		t.Fatal("dropped report not imported")
	}
	for _, p := range []string{"processed/report.json", "failed/broken.json", "failed/broken.json.error"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	left, _ := os.ReadDir(dir)
	require.Lenf(t, left, 2, "inbox still holds %v", left)
	// A second pass finds nothing new to import.
	stats, err = intel.ScanJob(context.Background(), app)
	require.NoErrorf(t, err, "second pass %v %v", stats, err)
	require.EqualValuesf(t, 0, stats["inbox_imported"], "second pass %v %v", stats, err)
}
