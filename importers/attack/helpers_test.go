package attack_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func shared(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(testutil.SharedData(t), "attack", name)
}

func importSpec(t testing.TB, app core.App, spec string, opts source.Options) (*importers.Report, error) {
	t.Helper()
	src, err := source.Open(spec, opts)
	require.NoError(t, err, "open %s", spec)
	return attack.Import(context.Background(), app, src, importers.Options{})
}

func mustImport(t testing.TB, app core.App, spec string) *importers.Report {
	t.Helper()
	rep, err := importSpec(t, app, spec, source.Options{})
	require.NoError(t, err, "import %s", spec)
	return rep
}

func count(t testing.TB, app core.App, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, app.DB().NewQuery(sql).Row(&n), "%s", sql)
	return n
}
