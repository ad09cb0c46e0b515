package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/aegis-sec/aegis/internal/demo"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, func(pb *pocketbase.PocketBase) *cobra.Command { return DemoCommand(pb) })
}

// DemoCommand is `aegis demo --size small|large|xl [--force]`. It refuses a data
// dir that already has users unless --force: the demo accounts include an
// active admin whose password is published.
func DemoCommand(app core.App) *cobra.Command {
	var size string
	var asJSON, force bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Seed a realistic demo organisation over the imported ATT&CK data (small; large: 20k tests, 5k rules, 1k controls; xl: ten times large over five years)",
		Long: "Seed a realistic demo organisation over the imported ATT&CK data. The demo accounts (one per role, " +
			"an admin among them) share the published password " + fmt.Sprintf("%q", demo.Password) + ", so the " +
			"command refuses a data directory that already has users unless --force is given.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if !force {
				if err := demo.CheckEmpty(app); err != nil {
					if errors.Is(err, demo.ErrNotEmpty) {
						printDemoAccounts(app, cmd.ErrOrStderr(), "demo accounts already here")
						return fmt.Errorf("%w; use a fresh data directory (--dir), or --force to add the demo accounts anyway", err)
					}
					return err
				}
			}
			// A line per step (the xl organisation takes a while): with the
			// report, or on standard error with --json so that standard
			// output stays the JSON alone.
			progress := w
			if asJSON {
				progress = os.Stderr
			}
			fmt.Fprintf(progress, "seeding the %s demo\n", size)
			rep, err := demo.SeedWith(app, size, demo.Options{Progress: func(step string, seconds float64) {
				fmt.Fprintf(progress, "  %-12s %6.1fs\n", step, seconds)
			}})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(w, rep)
			}
			fmt.Fprintf(w, "seeded the %s demo in %.1fs\n", rep.Size, rep.Seconds)
			keys := make([]string, 0, len(rep.Counts))
			for k := range rep.Counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "  %-22s %d\n", k, rep.Counts[k])
			}
			printDemoAccounts(app, w, fmt.Sprintf("demo accounts (password %q)", rep.Password))
			return nil
		},
	}
	cmd.Flags().StringVar(&size, "size", "small", "small, large or xl (ten times large, five years of history)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&force, "force", false, "seed even though the data directory already has users (adds an active admin with the published demo password)")
	return cmd
}

// printDemoAccounts lists the demo accounts present and how to remove them.
func printDemoAccounts(app core.App, w io.Writer, title string) {
	emails, err := demo.Accounts(app)
	if err != nil {
		fmt.Fprintf(w, "cannot list the demo accounts: %v\n", err)
		return
	}
	if len(emails) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, e := range emails {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprintf(w, "they share a published password: remove them before real use with\n  aegis user delete %s\n",
		strings.Join(emails, " "))
}
