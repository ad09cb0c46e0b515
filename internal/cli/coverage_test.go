package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

func TestCoverageCommands(t *testing.T) {
	ta := testutil.NewApp(t)
	var app core.App = ta
	// The test app has a user per role already: the demo needs --force.
	if _, err := runCmd(t, cli.DemoCommand(app), "--force"); err == nil || !strings.Contains(err.Error(), "import ATT&CK first") {
		t.Fatalf("demo without ATT&CK: %v", err)
	}
	if _, err := runCmd(t, cli.ImportCommand(app), "attack", release1); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, cli.DemoCommand(app), "--size", "small", "--force")
	if err != nil || !strings.Contains(out, "seeded the small demo") {
		t.Fatalf("demo: %v %s", err, out)
	}
	out, err = runCmd(t, cli.ScoreCommand(app), "--json")
	require.NoError(t, err)
	var score cli.ScoreReport
	if err := json.Unmarshal([]byte(out), &score); err != nil || score.Overall.Techniques == 0 || len(score.Tactics) == 0 {
		t.Fatalf("score: %v %s", err, out)
	}
	if out, err = runCmd(t, cli.ScoreCommand(app)); err != nil || !strings.Contains(out, "Overall coverage") {
		t.Fatalf("score text: %v %s", err, out)
	}
	if out, err = runCmd(t, cli.SnapshotCommand(app), "--label", "cli"); err != nil || !strings.Contains(out, "snapshot ") {
		t.Fatalf("snapshot: %v %s", err, out)
	}
	dir := t.TempDir()
	layerPath := filepath.Join(dir, "layer.json")
	if _, err := runCmd(t, cli.ExportCommand(app), "navigator", "-o", layerPath); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(layerPath)
	require.NoError(t, err)
	defer f.Close()
	if l, err := navigator.Parse(f); err != nil || l.Versions.Layer != "4.5" {
		t.Fatalf("layer: %v", err)
	}
	csvPath := filepath.Join(dir, "tests.csv")
	if _, err := runCmd(t, cli.ExportCommand(app), "csv", "--dataset", "tests", "--filter", "state=validated", "-o", csvPath); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(csvPath)
	if !bytes.Contains(raw, []byte("validated")) || bytes.Contains(raw, []byte(",draft,")) {
		t.Fatalf("filtered csv: %.200s", raw)
	}
	if _, err := runCmd(t, cli.ExportCommand(app), "csv", "--filter", "nokey"); err == nil {
		t.Fatal("bad filter accepted")
	}
	if _, err := runCmd(t, cli.ExportCommand(app), "navigator", "--scope", "actor:G9999", "-o", filepath.Join(dir, "x.json")); err == nil {
		t.Fatal("unknown actor accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); !os.IsNotExist(err) {
		t.Fatal("a failed export left a file behind")
	}
}
