package cli

import (
	"fmt"
	"sort"

	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, func(pb *pocketbase.PocketBase) *cobra.Command { return DemoCommand(pb) })
}

// DemoCommand is `aegis demo --size small|large`.
func DemoCommand(app core.App) *cobra.Command {
	var size string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Seed a realistic demo organisation over the imported ATT&CK data (small, or large: 20k tests, 5k rules, 1k controls)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := demo.Seed(app, size)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "seeded the %s demo in %.1fs\n", rep.Size, rep.Seconds)
			keys := make([]string, 0, len(rep.Counts))
			for k := range rep.Counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "  %-22s %d\n", k, rep.Counts[k])
			}
			if len(rep.Users) > 0 {
				fmt.Fprintf(w, "users (password %q):\n", rep.Password)
				for _, u := range rep.Users {
					fmt.Fprintf(w, "  %s\n", u)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&size, "size", "small", "small or large")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
