// Package cli adds the Aegis commands to the PocketBase root command:
// version, user management, imports, sync, scoring, exports, demo data,
// backups and diagnostics. Every command runs against --dir and applies
// pending migrations first (see app.New), so it works on a fresh data dir.
package cli

import (
	"encoding/json"
	"io"

	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

// Register adds every Aegis command to pb.
func Register(pb *pocketbase.PocketBase) {
	for _, cmd := range []*cobra.Command{
		versionCommand(),
		userCommand(pb),
	} {
		pb.RootCmd.AddCommand(cmd)
	}
	for _, add := range extraCommands {
		pb.RootCmd.AddCommand(add(pb))
	}
	trackFailures(pb.RootCmd)
}

// extraCommands lets area files contribute commands without editing the
// list above (import, sync, score, export, demo, backup, doctor…).
var extraCommands []func(pb *pocketbase.PocketBase) *cobra.Command

// writeJSON prints v as indented JSON, the --json output of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
