package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aegis-sec/aegis/internal/doctor"
	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, doctorCommand) }

func doctorCommand(pb *pocketbase.PocketBase) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the data dir, disk space, database integrity, file storage, jobs and versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep := doctor.Run(context.Background(), pb, pocketbase.Version, true)
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), rep); err != nil {
					return err
				}
			} else {
				for _, c := range rep.Checks {
					fmt.Fprintf(cmd.OutOrStdout(), "%-5s %-13s %s\n", c.Status, c.Name, c.Detail)
					if c.Advice != "" {
						fmt.Fprintf(cmd.OutOrStdout(), "      → %s\n", c.Advice)
					}
				}
			}
			if rep.Status == doctor.Fail {
				return errors.New("doctor found failures")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
