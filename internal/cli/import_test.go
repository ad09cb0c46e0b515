package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if rep.Kind != "attack" || rep.Created != 11 || rep.Version != "1.0" {
			t.Fatalf("report %+v", rep)
		}
		if stderr != "" {
			t.Fatalf("progress drawn on a non-terminal: %q", stderr)
		}
	})
	t.Run("summary", func(t *testing.T) {
		out, _, err := runImport(t, "attack", release1)
		if err != nil || !strings.Contains(out, "created 11, updated 0, unchanged 0") || !strings.Contains(out, "version 1.0") {
			t.Fatalf("summary %q %v", out, err)
		}
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
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q lacks %q", err, w)
				}
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
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Created != 11 {
		t.Fatalf("report %+v %v\n%s", rep, err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data.db")); err != nil {
		t.Fatalf("data dir not created: %v", err)
	}
}
