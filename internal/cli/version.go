package cli

import (
	"fmt"
	"runtime"

	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the Aegis version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "aegis %s (pocketbase %s, %s)\n",
				pocketbase.Version, pocketbaseModuleVersion, runtime.Version())
		},
	}
}

// pocketbaseModuleVersion is the PocketBase release Aegis is built on.
const pocketbaseModuleVersion = "v0.36.8"
