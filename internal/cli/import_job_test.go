package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/cli"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// importIn runs `aegis import ARGS` in-process against app.
func importIn(t *testing.T, app core.App, args ...string) (string, error) {
	t.Helper()
	cmd := cli.ImportCommand(app)
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return out.String(), err
}

func importRuns(t *testing.T, app core.App, kind string) []*core.Record {
	t.Helper()
	recs, err := app.FindRecordsByFilter(collections.JobRuns, "job = {:job}", "created", 0, 0,
		dbx.Params{"job": jobs.ImportJobName(kind)})
	require.NoError(t, err)
	return recs
}

// TestImportCommandIsAJobRun: a CLI import is a run of job import:<kind>,
// like an upload through the API: one job_runs record, manual trigger, the
// --as user as requester, the report as its stats.
func TestImportCommandIsAJobRun(t *testing.T) {
	app := testutil.NewApp(t)
	lead := testutil.Users(t)["admin"]

	out, err := importIn(t, app, "attack", release1, "--json", "--as", lead.Email)
	require.NoError(t, err)
	var rep importers.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, 11, rep.Created)

	runs := importRuns(t, app, "attack")
	require.Len(t, runs, 1, "a CLI import leaves exactly one job_runs record")
	run := runs[0]
	assert.Equal(t, jobs.StatusSucceeded, run.GetString("status"))
	assert.Equal(t, jobs.TriggerManual, run.GetString("trigger"))
	assert.Equal(t, lead.Id, run.GetString("requested_by"))
	assert.Equal(t, 1, run.GetInt("attempt"))
	assert.False(t, run.GetDateTime("finished_at").IsZero())
	var stats map[string]any
	require.NoError(t, run.UnmarshalJSONField("stats", &stats))
	assert.Equal(t, float64(11), stats["created"])
	assert.Equal(t, "attack", stats["kind"])
	var progress jobs.Progress
	require.NoError(t, run.UnmarshalJSONField("progress", &progress))
	assert.NotEmpty(t, progress.Stage, "the importer's progress reaches the run")

	// A failing import is a failed run, one attempt, with the error kept.
	_, err = importIn(t, app, "attack", "import_test.go")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no JSON file")
	runs = importRuns(t, app, "attack")
	require.Len(t, runs, 2)
	assert.Equal(t, jobs.StatusFailed, runs[1].GetString("status"))
	assert.Equal(t, 1, runs[1].GetInt("attempt"), "CLI imports are not retried")
	assert.Contains(t, runs[1].GetString("error"), "no JSON file")
}

// TestImportCommandRefusedWhileLeaseHeld: while a run of import:attack
// holds the lease (here a goroutine; an upload through the API or another
// process takes the same lease), `aegis import attack` refuses with a clear
// message, as the API answers 409, and imports nothing. Once the lease is
// free it runs.
func TestImportCommandRefusedWhileLeaseHeld(t *testing.T) {
	app := testutil.NewApp(t)
	release := make(chan struct{})
	holder, err := jobs.Start(app, jobs.Job{
		Name: jobs.ImportJobName("attack"),
		Run: func(ctx context.Context, _ core.App, _ *jobs.Run) (map[string]any, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return map[string]any{}, nil
		},
	}, jobs.Options{})
	require.NoError(t, err)

	_, err = importIn(t, app, "attack", release1)
	close(release)
	require.Error(t, err)
	require.ErrorIs(t, err, jobs.ErrAlreadyRunning)
	assert.Contains(t, err.Error(), "already running (run "+holder.Id+")")
	assert.Contains(t, err.Error(), "Nothing was imported")
	assert.Len(t, importRuns(t, app, "attack"), 1, "a refused import leaves no job_runs record")
	n, err := app.CountRecords(collections.Techniques)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing imported while the lease was held")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = jobs.Wait(ctx, app, holder.Id)
	require.NoError(t, err)
	out, err := importIn(t, app, "attack", release1)
	require.NoError(t, err)
	assert.Contains(t, out, "created 11")
	assert.Len(t, importRuns(t, app, "attack"), 2)
}
