package cli_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
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
	require.NoError(t, err, "sync with nothing enabled: %q", out)
	require.Contains(t, out, "no enabled integrations", "sync with nothing enabled: %v %q", err, out)

	// Named, though disabled: synced from the (loopback) MITRE URL.
	ent, err := jobs.FindIntegration(app, "MITRE ATT&CK Enterprise")
	require.NoError(t, err)
	ent.Set("source", map[string]any{"spec": mitre.URL + "/enterprise-attack/enterprise-attack.json"})
	require.NoError(t, app.Save(ent))
	out, err = execute(t, cli.SyncCommand(app), "mitre att&ck enterprise", "--json")
	require.NoError(t, err, "sync enterprise: \n%s", out)
	var res struct {
		Runs []struct {
			Status, Integration, Job string
			Stats                    struct {
				Kind    string
				Created int
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), "not JSON: \n%s", out)
	require.Len(t, res.Runs, 1, "runs %+v", res.Runs)
	require.Equal(t, "succeeded", res.Runs[0].Status, "runs %+v", res.Runs)
	require.Equal(t, ent.Id, res.Runs[0].Integration, "runs %+v", res.Runs)
	require.Equal(t, "attack", res.Runs[0].Stats.Kind, "runs %+v", res.Runs)
	require.NotEqual(t, 0, res.Runs[0].Stats.Created, "runs %+v", res.Runs)
	n, _ := app.CountRecords(collections.Techniques)
	require.Equal(t, int64(3), n, "%d techniques after the sync, want 3", n)

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
	require.Error(t, err, "sync all: err %v\n%s", err, out)
	require.Contains(t, err.Error(), "1 of 2 runs failed", "sync all: err %v\n%s", err, out)
	require.Contains(t, out, "MITRE ATT&CK Enterprise: succeeded", "summary:\n%s", out)
	require.Contains(t, out, "0 created, 0 updated", "summary:\n%s", out)
	require.Contains(t, out, "Lab mirror: failed", "summary:\n%s", out)
	require.Contains(t, out, "/srv/nowhere/enterprise-attack.json", "summary:\n%s", out)

	require.ErrorContains(t, errOf(execute(t, cli.SyncCommand(app), "no such integration")), "no integration", "an unknown integration is refused")
}

func TestJobsCommand(t *testing.T) {
	app := testutil.NewApp(t)
	out, err := execute(t, cli.JobsCommand(app), "run", "notification-cleanup")
	require.NoError(t, err, "jobs run: %q", out)
	require.Contains(t, out, "notification-cleanup: succeeded", "jobs run: %v %q", err, out)
	out, err = execute(t, cli.JobsCommand(app), "list")
	require.NoError(t, err, "jobs list: \n%s", out)
	require.Contains(t, out, "notification-cleanup", "jobs list: %v\n%s", err, out)
	require.Contains(t, out, "last succeeded", "jobs list: %v\n%s", err, out)
	require.Contains(t, out, "Sync MITRE ATT&CK Enterprise", "jobs list: %v\n%s", err, out)
	require.Error(t, errOf(execute(t, cli.JobsCommand(app), "run", "nope")), "an unknown job is refused")
}
