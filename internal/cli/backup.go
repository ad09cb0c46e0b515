package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, backupCommand, restoreCommand)
}

func backupCommand(pb *pocketbase.PocketBase) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "backup [NAME]",
		Short: "Write a backup of the data dir (database and local evidence) to the backups storage",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			got, err := backup.Create(context.Background(), pb, name)
			if err != nil {
				return err
			}
			out := map[string]any{"name": got}
			if st, err := os.Stat(backup.LocalPath(pb, got)); err == nil {
				out["path"] = backup.LocalPath(pb, got)
				out["bytes"] = st.Size()
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup %s written", got)
			if p, ok := out["path"]; ok {
				fmt.Fprintf(cmd.OutOrStdout(), " to %s (%d bytes)", p, out["bytes"])
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func restoreCommand(pb *pocketbase.PocketBase) *cobra.Command {
	var asJSON, verifyOnly bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Verify a backup zip (integrity, counts, evidence hashes) and restore it into --dir; stop the server first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			zipPath := args[0]
			if _, err := os.Stat(zipPath); err != nil {
				// A bare name refers to the backups storage of this data dir.
				if alt := backup.LocalPath(pb, zipPath); fileExists(alt) {
					zipPath = alt
				} else {
					return fmt.Errorf("backup %s not found (give a path to a .zip or a name from %s)", args[0], filepath.Dir(alt))
				}
			}
			var rep *backup.Report
			var err error
			if verifyOnly {
				rep, err = backup.Verify(context.Background(), zipPath)
			} else {
				// Close this process's handles on the data dir before swapping it.
				if rerr := pb.ResetBootstrapState(); rerr != nil {
					return rerr
				}
				rep, err = backup.Restore(context.Background(), zipPath, pb.DataDir())
			}
			if asJSON && rep != nil {
				if werr := writeJSON(cmd.OutOrStdout(), rep); werr != nil {
					return werr
				}
			}
			if err != nil {
				return err
			}
			if !asJSON {
				verb := "restored"
				if verifyOnly {
					verb = "verified"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s: integrity %s, %d evidence files checked, %d users, %d techniques, %d tests\n",
					verb, filepath.Base(zipPath), rep.Integrity, rep.EvidenceFiles,
					rep.Counts["users"], rep.Counts["techniques"], rep.Counts["tests"])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verification report as JSON")
	cmd.Flags().BoolVar(&verifyOnly, "verify-only", false, "check the backup without restoring it")
	return cmd
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
