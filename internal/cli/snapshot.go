package cli

import (
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, func(pb *pocketbase.PocketBase) *cobra.Command { return SnapshotCommand(pb) })
}

// SnapshotCommand is `aegis snapshot`: store the current coverage.
func SnapshotCommand(app core.App) *cobra.Command {
	var asJSON bool
	var label string
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Take a coverage snapshot now (totals, per tactic, per technique)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			snap, err := coverage.Take(app, "manual", label)
			if err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			n := len(snap.ByTechnique)
			snap.ByTechnique = nil
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), snap)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "snapshot %s: overall %.1f (%s), %d techniques, %d tactics, in %s\n",
				snap.ID, snap.Totals.Score, snap.Totals.Level, n, len(snap.ByTactic), time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the snapshot as JSON")
	cmd.Flags().StringVar(&label, "label", "", "a label for the snapshot")
	return cmd
}
