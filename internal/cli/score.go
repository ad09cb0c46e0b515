package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, func(pb *pocketbase.PocketBase) *cobra.Command { return ScoreCommand(pb) })
}

// ScoreReport is what `aegis score --json` prints.
type ScoreReport struct {
	Overall coverage.GroupScore   `json:"overall"`
	Tactics []coverage.GroupScore `json:"tactics"`
	TopGaps []*coverage.Score     `json:"top_gaps"`
}

// ScoreCommand is `aegis score`: the overall score, each tactic and the
// weakest techniques.
func ScoreCommand(app core.App) *cobra.Command {
	var asJSON bool
	var gaps int
	var domain string
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Print the coverage score: overall, per tactic and the top gaps",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := coverage.For(app).Result(coverage.Options{})
			if err != nil {
				return fmt.Errorf("score: %w", err)
			}
			rep := ScoreReport{Overall: r.Overall(domain), Tactics: r.Tactics(domain, false), TopGaps: r.TopGaps(domain, gaps)}
			for _, g := range rep.TopGaps {
				g.Breakdown = nil
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			printScore(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().IntVar(&gaps, "gaps", 10, "how many top gaps to list")
	cmd.Flags().StringVar(&domain, "domain", "enterprise-attack", "ATT&CK domain")
	return cmd
}

func printScore(w io.Writer, rep ScoreReport) {
	if rep.Overall.Techniques == 0 {
		fmt.Fprintln(w, "No in-scope techniques: import ATT&CK first (aegis import attack …).")
		return
	}
	fmt.Fprintf(w, "Overall coverage %.1f (%s) over %d in-scope techniques, %d validated, %d good or better.\n\n",
		rep.Overall.Score, rep.Overall.Level, rep.Overall.Techniques, rep.Overall.Validated, rep.Overall.Good)
	fmt.Fprintf(w, "%-24s %6s  %s\n", "TACTIC", "SCORE", "")
	for _, t := range rep.Tactics {
		fmt.Fprintf(w, "%-24s %6.1f  %s\n", t.Name, t.Score, strings.Repeat("█", int(t.Score/5+0.5)))
	}
	fmt.Fprintf(w, "\nTop gaps:\n")
	for _, g := range rep.TopGaps {
		fmt.Fprintf(w, "  %-10s %5.1f  %s\n", g.AttackID, g.Score, g.Name)
	}
}
