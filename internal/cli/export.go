package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/aegis-sec/aegis/importers/vectrbundle"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/exports"
	"github.com/aegis-sec/aegis/internal/report"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, func(pb *pocketbase.PocketBase) *cobra.Command { return ExportCommand(pb) })
}

// ExportCommand is `aegis export navigator|csv|json|svg|png|report|pdf|vectr-bundle|dettect`.
func ExportCommand(app core.App) *cobra.Command {
	var scope, dataset, out, domain string
	var filters, campaigns []string
	cmd := &cobra.Command{
		Use:   "export navigator|csv|json|svg|png|report|pdf|vectr-bundle|dettect",
		Short: "Export a Navigator layer, a dataset as CSV/JSON, the heatmap, the executive report, a VECTR bundle or a DeTT&CT file",
		Long: `navigator: ATT&CK Navigator layer (format 4.5) for --scope coverage, actor:G0016 or campaign:ID.
csv, json: a dataset (--dataset ` + strings.Join(exports.Datasets, ", ") + `), streamed; filters with
--filter key=value (e.g. --filter state=validated --filter since=2026-01-01).
svg, png: the heatmap. report: the executive report as HTML; pdf: the same as a PDF.
vectr-bundle: campaigns (--campaign ID, repeatable; default all) as a VECTR bundle.
dettect: a DeTT&CT technique administration YAML file (imported scores and logbooks, plus
a detection score derived from Aegis's tests and rules) that reads back with aegis import dettect.`,
		Example: `  aegis export navigator --scope actor:G0016 -o apt29.json
  aegis export csv --dataset tests --filter state=validated -o tests.csv
  aegis export csv --dataset vectr -o vectr-test-cases.csv
  aegis export pdf -o executive-report.pdf
  aegis export vectr-bundle --campaign k3x9... -o assessment.json
  aegis export dettect -o techniques-administration.yaml`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"navigator", "csv", "json", "svg", "png", "report", "pdf", "vectr-bundle", "dettect"},
		RunE: func(cmd *cobra.Command, args []string) error {
			var w io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.CreateTemp(dirOf(out), ".aegis-export-*")
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer os.Remove(f.Name())
				defer f.Close()
				w = f
				if err := runExport(cmd.Context(), app, args[0], scope, dataset, domain, filters, campaigns, w); err != nil {
					return err
				}
				if err := f.Chmod(0o644); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				if err := f.Close(); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				// Only a complete export replaces the target.
				if err := os.Rename(f.Name(), out); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
				return nil
			}
			return runExport(cmd.Context(), app, args[0], scope, dataset, domain, filters, campaigns, w)
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "coverage", "navigator scope: coverage, actor:G0016 or campaign:ID")
	cmd.Flags().StringVar(&dataset, "dataset", "techniques", "csv/json dataset: "+strings.Join(exports.Datasets, ", "))
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&domain, "domain", "enterprise-attack", "ATT&CK domain")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "dataset filter key=value (repeatable)")
	cmd.Flags().StringArrayVar(&campaigns, "campaign", nil, "vectr-bundle: campaign id (repeatable; default every campaign)")
	return cmd
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

func runExport(ctx context.Context, app core.App, what, scope, dataset, domain string, filters, campaigns []string, w io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	eng := coverage.For(app)
	switch what {
	case "navigator":
		l, err := exports.CoverageLayer(eng, scope, domain, false)
		if err != nil {
			return fmt.Errorf("export navigator: %w", err)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(l)
	case "csv", "json":
		params := url.Values{}
		for _, f := range filters {
			k, v, ok := strings.Cut(f, "=")
			if !ok || k == "" {
				return fmt.Errorf("filter %q: use key=value", f)
			}
			params.Add(k, v)
		}
		return exports.Export(ctx, app, dataset, what, params, w, false)
	case "svg", "png":
		f := coverage.Filter{Domain: domain}
		r, err := eng.ResultFor(f)
		if err != nil {
			return err
		}
		if what == "svg" {
			return exports.HeatmapSVG(w, r.Matrix(f), "ATT&CK coverage")
		}
		return exports.HeatmapPNG(w, r.Matrix(f))
	case "vectr-bundle":
		return vectrbundle.Export(ctx, app, vectrbundle.ExportOptions{Campaigns: campaigns}, w)
	case "report", "pdf":
		ex, err := report.BuildExecutiveFor(app, coverage.Filter{Domain: domain})
		if err != nil {
			return fmt.Errorf("export %s: %w", what, err)
		}
		var buf bytes.Buffer
		write := report.WriteExecutive
		if what == "pdf" {
			write = report.WriteExecutivePDF
		}
		if err := write(&buf, ex); err != nil {
			return fmt.Errorf("export %s: %w", what, err)
		}
		_, err = w.Write(buf.Bytes())
		return err
	case "dettect":
		return coverage.WriteDettect(app, w, "aegis", false)
	}
	return fmt.Errorf("unknown export %q: use navigator, csv, json, svg, png, report, pdf, vectr-bundle or dettect", what)
}
