package sigma_test

import (
	"context"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/require"
)

// TestSharedCorpus imports the real SigmaHQ rules tree and the real
// multi-document rules of release 0.20 and checks the README's counts.
func TestSharedCorpus(t *testing.T) {
	app := testutil.NewApp(t)
	contenttest.SeedEnterprise(t, app)
	ctx := context.Background()

	rep, err := sigma.Import(ctx, app, contenttest.Shared(t, "sigma-rules.tar.gz"), importers.Options{})
	require.NoError(t, err)
	t.Logf("sigma corpus: %d files, %d created in %.2fs, %d skipped", rep.Files, rep.Created, rep.Seconds, len(rep.Skipped))
	require.EqualValuesf(t, 3141, rep.Files, "report: files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	require.EqualValuesf(t, 3141, rep.Created, "report: files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	require.Lenf(t, rep.FileErrors, 0, "report: files %d created %d errors %v", rep.Files, rep.Created, rep.FileErrors)
	require.EqualValuesf(t, 2795, rep.Counts["technique_mapped"], "technique-mapped rules = %d, README says 2795", rep.Counts["technique_mapped"])
	var byStatus []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	require.NoError(t, app.DB().NewQuery("SELECT status, count(*) AS n FROM detection_rules GROUP BY status ORDER BY status").All(&byStatus))
	want := map[string]int{"test": 2839, "experimental": 225, "stable": 77}
	for _, s := range byStatus {
		require.EqualValuesf(t, s.N, want[s.Status], "status %s = %d, want %d", s.Status, s.N, want[s.Status])
	}
	// Every technique-tagged rule is either linked or says which ids ATT&CK
	// v18.1 lacks (the snapshot already tags a few newer techniques).
	linked, err := app.CountRecords(collections.DetectionRules, dbx.NewExp("json_array_length(techniques) > 0"))
	require.NoError(t, err)
	onlyUnknown, err := app.CountRecords(collections.DetectionRules,
		dbx.NewExp("json_array_length(techniques) = 0 AND json_array_length(unknown_techniques) > 0"))
	require.NoError(t, err)
	require.Falsef(t, linked+onlyUnknown != 2795, "linked %d + only unknown %d != 2795", linked, onlyUnknown)
	require.Falsef(t, linked < 2500, "linked %d + only unknown %d != 2795", linked, onlyUnknown)
	var falseUnknown int
	if err := app.DB().NewQuery(`SELECT count(*) FROM detection_rules r, json_each(r.unknown_techniques) u
		WHERE u.value IN (SELECT attack_id FROM techniques)`).Row(&falseUnknown); err != nil {
		t.Fatal(err)
	}
	require.EqualValuesf(t, 0, falseUnknown, "%d technique ids reported unknown although they exist", falseUnknown)
	t.Logf("linked %d, only unknown techniques %d, skipped entries %d", linked, onlyUnknown, len(rep.Skipped))

	again, err := sigma.Import(ctx, app, contenttest.Shared(t, "sigma-rules.tar.gz"), importers.Options{})
	require.NoError(t, err)
	require.Truef(t, again.NoChange, "re-import: %+v", again)
	require.EqualValuesf(t, 3141, again.Unchanged, "re-import: %+v", again)
	t.Logf("sigma re-import (no change): %.2fs", again.Seconds)

	multi, err := sigma.Import(ctx, app, contenttest.Shared(t, "sigma-multidoc-rules-0.20.tar.gz"), importers.Options{})
	require.NoError(t, err)
	require.EqualValuesf(t, 70, multi.Files, "multi-doc: files %d docs %d created %d errors %v", multi.Files, multi.Counts["documents"], multi.Created, multi.FileErrors)
	require.EqualValuesf(t, 234, multi.Counts["documents"], "multi-doc: files %d docs %d created %d errors %v", multi.Files, multi.Counts["documents"], multi.Created, multi.FileErrors)
	require.EqualValuesf(t, 164, multi.Created, "multi-doc: files %d docs %d created %d errors %v", multi.Files, multi.Counts["documents"], multi.Created, multi.FileErrors)
	require.Lenf(t, multi.FileErrors, 0, "multi-doc: files %d docs %d created %d errors %v", multi.Files, multi.Counts["documents"], multi.Created, multi.FileErrors)
	// Another origin never retires the first corpus.
	require.EqualValuesf(t, 0, multi.Removed, "multi-doc import removed %d rules of another source", multi.Removed)
}
