package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/app"
	"github.com/aegis-sec/aegis/internal/cli"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

const release1 = "../../importers/attack/testdata/release-1.json"

func runImport(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ta := testutil.NewApp(t)
	cmd := cli.ImportCommand(ta)
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestImportCommand(t *testing.T) {
	t.Run("json report", func(t *testing.T) {
		out, stderr, err := runImport(t, "attack", release1, "--json")
		require.NoError(t, err)
		var rep importers.Report
		require.NoError(t, json.Unmarshal([]byte(out), &rep), "not JSON: \n%s", out)
		require.Equal(t, "attack", rep.Kind, "report %+v", rep)
		require.Equal(t, 11, rep.Created, "report %+v", rep)
		require.Equal(t, "1.0", rep.Version, "report %+v", rep)
		require.Empty(t, stderr, "progress drawn on a non-terminal: %q", stderr)
	})
	t.Run("summary", func(t *testing.T) {
		out, _, err := runImport(t, "attack", release1)
		require.NoError(t, err, "summary %q", out)
		require.Contains(t, out, "created 11, updated 0, unchanged 0", "summary %q %v", out, err)
		require.Contains(t, out, "version 1.0", "summary %q %v", out, err)
	})
	errs := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"attack", "/no/such/bundle.json"}, []string{"no such file", "Check the path"}},
		{"unknown kind", []string{"nonsense", release1}, []string{`unknown import kind "nonsense"`, "attack"}},
		{"not a bundle", []string{"attack", "import_test.go"}, []string{"no JSON file"}},
		{"wrong arguments", []string{"attack"}, []string{"accepts 2 arg"}},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runImport(t, c.args...)
			require.Error(t, err, "want an error")
			for _, w := range c.want {
				require.Contains(t, err.Error(), w, "error %q lacks %q", err, w)
			}
		})
	}
}

// TestImportOnFreshDataDir runs the real launcher, as `aegis import attack
// FILE --dir DIR --json` would, on an empty data dir: migrations apply at
// bootstrap and the import lands.
func TestImportOnFreshDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pb_data")
	abs, _ := filepath.Abs(release1)
	oldArgs := os.Args
	os.Args = []string{"aegis", "import", "attack", abs, "--dir", dir, "--json"}
	defer func() { os.Args = oldArgs }()
	pb := app.New()
	cli.Register(pb)
	var out bytes.Buffer
	pb.RootCmd.SetOut(&out)
	pb.RootCmd.SetArgs(os.Args[1:])
	require.NoError(t, pb.Execute())
	var rep importers.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), "report %+v \n%s", rep, out.String())
	require.Equal(t, 11, rep.Created, "report %+v \n%s", rep, out.String())
	_, err := os.Stat(filepath.Join(dir, "data.db"))
	require.NoError(t, err, "data dir not created")
}
