package cli

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, healthcheckCommand) }

const defaultHealthURL = "http://127.0.0.1:8090/api/health"

// healthcheckCommand documents the probe in --help; main runs it through
// Healthcheck before PocketBase starts, so probing a running server never
// opens the database.
func healthcheckCommand(_ *pocketbase.PocketBase) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "healthcheck [--url URL]",
		Short: "Exit 0 when the server at --url answers its health endpoint (for container probes)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return probe(cmd.Flag("url").Value.String())
		},
	}
	cmd.Flags().String("url", defaultHealthURL, "health endpoint")
	return cmd
}

// Healthcheck runs the probe with raw arguments and returns the exit code.
func Healthcheck(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", defaultHealthURL, "health endpoint")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := probe(*url); err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	return 0
}

func probe(url string) error {
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return fmt.Errorf("health check %s: %w", url, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health check %s: status %d", url, res.StatusCode)
	}
	return nil
}
