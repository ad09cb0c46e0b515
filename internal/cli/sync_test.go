package cli_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/cli"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
)

func execute(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return out.String(), err
}

func TestSyncCommand(t *testing.T) {
	bundle, err := os.ReadFile("../api/testdata/attack-mini.json")
	require.NoError(t, err)
	mitre := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/enterprise-attack/enterprise-attack.json" {
			http.NotFound(w, r)
			return
		}
		w.Write(bundle)
	}))
	defer mitre.Close()
	app := testutil.NewApp(t)

	// Nothing enabled: says so, no error.
	out, err := execute(t, cli.SyncCommand(app))
	if err != nil || !strings.Contains(out, "no enabled integrations") {
		t.Fatalf("sync with nothing enabled: %v %q", err, out)
	}

	// Named, though disabled: synced from the (loopback) MITRE URL.
	ent, err := jobs.FindIntegration(app, "MITRE ATT&CK Enterprise")
	require.NoError(t, err)
	ent.Set("source", map[string]any{"spec": mitre.URL + "/enterprise-attack/enterprise-attack.json"})
	require.NoError(t, app.Save(ent))
	out, err = execute(t, cli.SyncCommand(app), "mitre att&ck enterprise", "--json")
	if err != nil {
		t.Fatalf("sync enterprise: %v\n%s", err, out)
	}
	var res struct {
		Runs []struct {
			Status, Integration, Job string
			Stats                    struct {
				Kind    string
				Created int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(res.Runs) != 1 || res.Runs[0].Status != "succeeded" || res.Runs[0].Integration != ent.Id ||
		res.Runs[0].Stats.Kind != "attack" || res.Runs[0].Stats.Created == 0 {
		t.Fatalf("runs %+v", res.Runs)
	}
	if n, _ := app.CountRecords(collections.Techniques); n != 3 {
		t.Fatalf("%d techniques after the sync, want 3", n)
	}

	// Every enabled integration: one good, one broken; a summary line each
	// and a failing exit.
	ent.Set("enabled", true)
	require.NoError(t, app.Save(ent))
	col, _ := app.FindCachedCollectionByNameOrId(collections.Integrations)
	broken := core.NewRecord(col)
	broken.Load(map[string]any{"kind": "attack", "name": "Lab mirror", "enabled": true,
		"source": map[string]any{"spec": "/srv/nowhere/enterprise-attack.json"}})
	require.NoError(t, app.Save(broken))
	out, err = execute(t, cli.SyncCommand(app))
	if err == nil || !strings.Contains(err.Error(), "1 of 2 runs failed") {
		t.Fatalf("sync all: err %v\n%s", err, out)
	}
	if !strings.Contains(out, "MITRE ATT&CK Enterprise: succeeded") || !strings.Contains(out, "0 created, 0 updated") ||
		!strings.Contains(out, "Lab mirror: failed") || !strings.Contains(out, "/srv/nowhere/enterprise-attack.json") {
		t.Fatalf("summary:\n%s", out)
	}

	if _, err := execute(t, cli.SyncCommand(app), "no such integration"); err == nil || !strings.Contains(err.Error(), "no integration") {
		t.Fatalf("unknown integration: %v", err)
	}
}

func TestJobsCommand(t *testing.T) {
	app := testutil.NewApp(t)
	out, err := execute(t, cli.JobsCommand(app), "run", "notification-cleanup")
	if err != nil || !strings.Contains(out, "notification-cleanup: succeeded") {
		t.Fatalf("jobs run: %v %q", err, out)
	}
	out, err = execute(t, cli.JobsCommand(app), "list")
	if err != nil || !strings.Contains(out, "notification-cleanup") || !strings.Contains(out, "last succeeded") ||
		!strings.Contains(out, "Sync MITRE ATT&CK Enterprise") {
		t.Fatalf("jobs list: %v\n%s", err, out)
	}
	if _, err := execute(t, cli.JobsCommand(app), "run", "nope"); err == nil {
		t.Fatal("unknown job accepted")
	}
}
