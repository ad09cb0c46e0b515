package cli

import (
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// JobsCommand is `aegis jobs list|run NAME`.
func JobsCommand(pb core.App) *cobra.Command {
	cmd := &cobra.Command{Use: "jobs", Short: "List the scheduled jobs or run one now"}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List jobs with their schedule, next run and last run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := jobs.List(pb, time.Now(), 1)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, items)
			}
			for _, s := range items {
				sched, next, last := s.Schedule, s.NextRun, "never run"
				if sched == "" {
					sched, next = "on demand", "-"
				}
				if len(s.LastRuns) > 0 {
					r := s.LastRuns[0]
					last = r.GetString("status") + " " + r.GetDateTime("started_at").Time().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%-28s %-40s %-14s next %-22s last %s\n", s.Name, s.Title, sched, next, last)
			}
			return nil
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	run := &cobra.Command{
		Use:   "run NAME",
		Short: "Run a job now and wait for it (e.g. notification-cleanup, sync:<integration id>)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			job, err := jobs.Lookup(pb, args[0])
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			rec, err := jobs.RunNow(ctx, pb, job, jobs.Options{Trigger: jobs.TriggerManual, NoRetry: true})
			if err != nil {
				return err
			}
			if err := printRuns(cmd.OutOrStdout(), pb, []*core.Record{rec}, asJSON); err != nil {
				return err
			}
			return failedRuns([]*core.Record{rec})
		},
	}
	run.Flags().BoolVar(&asJSON, "json", false, "print the run as JSON")
	cmd.AddCommand(list, run)
	return cmd
}
