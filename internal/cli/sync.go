package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands,
		func(pb *pocketbase.PocketBase) *cobra.Command { return SyncCommand(pb) },
		func(pb *pocketbase.PocketBase) *cobra.Command { return JobsCommand(pb) })
}

// SyncCommand is `aegis sync [INTEGRATION] [--json]`: the same sync jobs
// the scheduler runs, now, in the foreground, one integration after another.
func SyncCommand(pb core.App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sync [INTEGRATION]",
		Short: "Sync every enabled integration now, or the one named (by name or id, even if disabled)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			runs, err := jobs.SyncNow(ctx, pb, name, jobs.Options{Trigger: jobs.TriggerManual, NoRetry: true})
			if perr := printRuns(cmd.OutOrStdout(), pb, runs, asJSON); perr != nil {
				return perr
			}
			if err != nil {
				return err
			}
			if len(runs) == 0 && !asJSON {
				fmt.Fprintln(cmd.OutOrStdout(), "no enabled integrations: enable one in the UI or name it: aegis sync \"MITRE ATT&CK Enterprise\"")
			}
			return failedRuns(runs)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the runs (with their import reports) as JSON")
	return cmd
}

// printRuns prints one line per run (or the records as JSON).
func printRuns(w io.Writer, app core.App, runs []*core.Record, asJSON bool) error {
	if asJSON {
		if runs == nil {
			runs = []*core.Record{}
		}
		return writeJSON(w, map[string]any{"runs": runs})
	}
	for _, r := range runs {
		fmt.Fprintln(w, RunSummary(app, r))
	}
	return nil
}

// RunSummary is a one-line account of a finished run: what, outcome, time
// taken and, for imports, the counts.
func RunSummary(app core.App, r *core.Record) string {
	label := collections.AsJobRun(r).Job()
	if id := collections.AsJobRun(r).Integration(); id != "" {
		if rec, err := app.FindRecordById(collections.Integrations, id); err == nil {
			label = collections.AsIntegration(rec).Name()
		}
	}
	took := collections.AsJobRun(r).FinishedAt().Time().Sub(collections.AsJobRun(r).StartedAt().Time()).Round(time.Millisecond)
	line := fmt.Sprintf("%s: %s in %s", label, collections.AsJobRun(r).Status(), took)
	if a := collections.AsJobRun(r).Attempt(); a > 1 {
		line += fmt.Sprintf(" (attempt %d)", a)
	}
	var rep importers.Report
	if raw := r.GetString(collections.FieldStats); raw != "" && json.Unmarshal([]byte(raw), &rep) == nil && rep.Kind != "" {
		line += fmt.Sprintf(": %d created, %d updated, %d unchanged, %d removed", rep.Created, rep.Updated, rep.Unchanged, rep.Removed)
		if rep.Version != "" {
			line += ", version " + rep.Version
		}
		if n := len(rep.Skipped); n > 0 {
			line += fmt.Sprintf(", %d skipped", n)
		}
		if n := len(rep.FileErrors); n > 0 {
			line += fmt.Sprintf(", %d file errors", n)
		}
	}
	if msg := collections.AsJobRun(r).ErrorText(); msg != "" {
		line += "\n  error: " + msg
	}
	return line
}

// failedRuns turns failed runs into the command's error (non-zero exit).
func failedRuns(runs []*core.Record) error {
	n := 0
	for _, r := range runs {
		if collections.AsJobRun(r).Status() != jobs.StatusSucceeded {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d runs failed", n, len(runs))
	}
	return nil
}
