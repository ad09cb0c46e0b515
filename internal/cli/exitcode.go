package cli

import (
	"sync"
	"sync/atomic"

	"github.com/spf13/cobra"
)

// PocketBase's launcher discards the root command's error, so a failing
// command would exit 0. Every command's argument check and RunE are wrapped
// to remember a failure, and main exits with ExitCode().
var (
	failed   atomic.Bool
	wrapOnce sync.Once
)

// ExitCode is 1 when the command that ran failed, else 0.
func ExitCode() int {
	if failed.Load() {
		return 1
	}
	return 0
}

func trackFailures(root *cobra.Command) {
	cobra.OnInitialize(func() { wrapOnce.Do(func() { wrapTree(root) }) })
}

func wrapTree(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if err != nil {
				failed.Store(true)
			}
			return err
		}
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			err := check(cmd, args)
			if err != nil {
				failed.Store(true)
			}
			return err
		}
	}
	for _, child := range c.Commands() {
		wrapTree(child)
	}
}
