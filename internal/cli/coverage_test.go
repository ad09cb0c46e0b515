package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegis-sec/aegis/importers/navigator"
	"github.com/aegis-sec/aegis/internal/cli"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
)

func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

// errOf keeps the error of a command's (output, error), for checks that only look at the error.
func errOf(_ string, err error) error { return err }

func TestCoverageCommands(t *testing.T) {
	ta := testutil.NewApp(t)
	var app core.App = ta
	// The test app has a user per role already: the demo needs --force.
	require.ErrorContains(t, errOf(runCmd(t, cli.DemoCommand(app), "--force")), "import ATT&CK first", "the demo needs ATT&CK")
	require.NoError(t, errOf(runCmd(t, cli.ImportCommand(app), "attack", release1)), "import ATT&CK")
	out, err := runCmd(t, cli.DemoCommand(app), "--size", "small", "--force")
	require.NoError(t, err, "demo: %s", out)
	require.Contains(t, out, "seeded the small demo", "demo: %v %s", err, out)
	out, err = runCmd(t, cli.ScoreCommand(app), "--json")
	require.NoError(t, err)
	var score cli.ScoreReport
	require.NoError(t, json.Unmarshal([]byte(out), &score), "score: %s", out)
	require.NotEqual(t, 0, score.Overall.Techniques, "score: %s", out)
	require.NotEmpty(t, score.Tactics, "score: %s", out)
	out, err = runCmd(t, cli.ScoreCommand(app))
	require.NoError(t, err, "score text: %s", out)
	require.Contains(t, out, "Overall coverage", "score text: %v %s", err, out)
	out, err = runCmd(t, cli.SnapshotCommand(app), "--label", "cli")
	require.NoError(t, err, "snapshot: %s", out)
	require.Contains(t, out, "snapshot ", "snapshot: %v %s", err, out)
	dir := t.TempDir()
	layerPath := filepath.Join(dir, "layer.json")
	require.NoError(t, errOf(runCmd(t, cli.ExportCommand(app), "navigator", "-o", layerPath)), "export the Navigator layer")
	f, err := os.Open(layerPath)
	require.NoError(t, err)
	defer f.Close()
	l, err := navigator.Parse(f)
	require.NoError(t, err, "parse the exported layer")
	require.Equal(t, "4.5", l.Versions.Layer, "layer format version")
	csvPath := filepath.Join(dir, "tests.csv")
	require.NoError(t, errOf(runCmd(t, cli.ExportCommand(app), "csv", "--dataset", "tests", "--filter", "state=validated", "-o", csvPath)), "export filtered CSV")
	raw, _ := os.ReadFile(csvPath)
	require.True(t, bytes.Contains(raw, []byte("validated")), "filtered csv: %.200s", raw)
	require.False(t, bytes.Contains(raw, []byte(",draft,")), "filtered csv: %.200s", raw)
	require.Error(t, errOf(runCmd(t, cli.ExportCommand(app), "csv", "--filter", "nokey")), "a bad filter is refused")
	require.Error(t, errOf(runCmd(t, cli.ExportCommand(app), "navigator", "--scope", "actor:G9999", "-o", filepath.Join(dir, "x.json"))), "an unknown actor is refused")
	_, err = os.Stat(filepath.Join(dir, "x.json"))
	require.True(t, os.IsNotExist(err), "a failed export leaves no file behind: %v", err)
}
