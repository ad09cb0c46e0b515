package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func init() {
	extraCommands = append(extraCommands, func(pb *pocketbase.PocketBase) *cobra.Command { return ImportCommand(pb) })
}

// ImportCommand is `aegis import KIND SOURCE`: any registered importer over
// any source (file, folder, archive, URL, github:…, taxii+https://…). It
// takes the app so tests can run it in-process against a test app.
func ImportCommand(app core.App) *cobra.Command {
	var fl importFlags
	cmd := &cobra.Command{
		Use:   "import KIND SOURCE",
		Short: "Import content (" + strings.Join(registry.Kinds(), ", ") + ") from a file, folder, archive, URL, github:owner/repo@ref[/subdir] or taxii+https://…",
		Long: `Import content into the data dir. SOURCE is a file (.json, .json.gz, .zip, .tar.gz,
.tar.zst), a folder, an http(s) URL, github:owner/repo@ref[/subdir] (token from
AEGIS_GITHUB_TOKEN) or a TAXII 2.x collection as taxii+https://host/api-root/collections/ID/.
The import commits whole or not at all; re-running it changes nothing.`,
		Example: `  aegis import attack enterprise-attack.json
  aegis import attack https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/enterprise-attack/enterprise-attack.json
  aegis import attack taxii+https://attack-taxii.mitre.org/api/v21/collections/x-mitre-collection--1f5f1533-f617-4ca8-9ab4-6a02367fa019/`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return fl.run(cmd, app, args[0], args[1])
		},
	}
	fl.register(cmd)
	return cmd
}

// importFlags are the options of `aegis import`.
type importFlags struct {
	asJSON  bool
	as      string
	srcOpts source.Options
	timeout time.Duration
}

// register declares the flags on cmd.
func (fl *importFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&fl.asJSON, "json", false, "print the import report as JSON")
	f.StringVar(&fl.as, "as", "", "import as this user (email): the audit actor, and whose imported outcomes count (blue lead, admin)")
	f.DurationVar(&fl.timeout, "timeout", 0, "give up after this long (e.g. 10m); 0 = no limit")
	f.DurationVar(&fl.srcOpts.StallTimeout, "stall-timeout", 0, "fail a download that sends nothing for this long (default 30s)")
	f.StringVar(&fl.srcOpts.TAXII.Collection, "taxii-collection", "", "TAXII collection id or title, when SOURCE is a discovery or API root URL")
	f.StringVar(&fl.srcOpts.TAXII.Version, "taxii-version", "", "force TAXII 2.0 or 2.1 (default: detect)")
	f.StringVar(&fl.srcOpts.TAXII.AddedAfter, "added-after", "", "TAXII: only objects added after this RFC 3339 time")
}

// run imports spec with the importer kind as an import job, showing its
// progress, and prints its report (or the failure with a hint).
func (fl *importFlags) run(cmd *cobra.Command, app core.App, kind, spec string) error {
	if _, ok := registry.Lookup(kind); !ok {
		return fmt.Errorf("unknown import kind %q: use one of %s", kind, strings.Join(registry.Kinds(), ", "))
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	opts, err := fl.jobOptions(app, kind)
	if err != nil {
		return err
	}
	timeout := fl.timeout
	if timeout <= 0 {
		timeout = noTimeout
	}
	bar := newProgressBar(cmd.ErrOrStderr())
	var (
		rep    *importers.Report
		impErr error
	)
	run, err := jobs.RunImport(ctx, app, jobs.Import{
		Kind: kind,
		Name: redact.URL(spec),
		Open: func() (source.Source, error) {
			src, err := source.Open(spec, fl.srcOpts)
			if err != nil {
				return nil, fmt.Errorf("import %s: %w", kind, err)
			}
			return src, nil
		},
		Timeout:  timeout,
		Progress: bar.Update,
		Done:     func(r *importers.Report, err error) { rep, impErr = r, err },
	}, opts)
	bar.Finish()
	if err != nil {
		return importStartError(kind, err)
	}
	if run.GetString("status") != jobs.StatusSucceeded {
		if impErr == nil {
			impErr = errors.New(run.GetString("error"))
		}
		return fmt.Errorf("%w\n%s", impErr, hint(impErr))
	}
	if fl.asJSON {
		return writeJSON(cmd.OutOrStdout(), rep)
	}
	printSummary(cmd.OutOrStdout(), rep)
	return nil
}

// jobOptions are those of a run at a terminal: one attempt, its error
// shown at once, requested by the --as user when given.
func (fl *importFlags) jobOptions(app core.App, kind string) (jobs.Options, error) {
	opts := jobs.Options{Trigger: jobs.TriggerManual, NoRetry: true}
	if fl.as != "" {
		u, err := app.FindAuthRecordByEmail(collections.Users, fl.as)
		if err != nil {
			return opts, fmt.Errorf("import %s: --as %s: no such user", kind, fl.as)
		}
		opts.RequestedBy = u.Id
	}
	return opts, nil
}

// noTimeout stands for --timeout 0: no limit a run could reach.
const noTimeout = 100 * 365 * 24 * time.Hour

// importStartError explains why the import run did not start. A run of the
// same kind holding the lease (here, in another process or through the API)
// is refused, as the API refuses it with 409.
func importStartError(kind string, err error) error {
	var busy *jobs.AlreadyRunningError
	if !errors.As(err, &busy) {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	since := ""
	if busy.Run != nil {
		since = ", started " + busy.Run.GetDateTime("started_at").Time().Format(time.RFC3339)
	}
	return fmt.Errorf("import %s: %w%s\n%s", kind, err, since, "Another import of "+kind+
		" holds the lease (here, in another process or through the web app). "+
		"Wait for it to finish (aegis jobs list) and run this again. Nothing was imported.")
}

// hint says what to do about a failed import; the database is unchanged in
// every case because imports run in one transaction.
func hint(err error) string {
	var status *source.StatusError
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "Check the path; nothing was imported."
	case errors.Is(err, source.ErrStalled), errors.Is(err, context.DeadlineExceeded):
		return "The server stopped sending data. Check the network or proxy (HTTPS_PROXY), or download the file and import it from disk. Nothing was imported."
	case errors.Is(err, source.ErrLimit):
		return "The source exceeds a safety limit (archive bomb or wrong file?). Nothing was imported."
	case errors.Is(err, source.ErrUnsafePath):
		return "The archive contains paths that escape it and was rejected. Nothing was imported."
	case errors.As(err, &status):
		return "Check the URL and credentials (AEGIS_GITHUB_TOKEN for GitHub). Nothing was imported."
	case errors.Is(err, attack.ErrNotBundle):
		return "Give an ATT&CK STIX bundle, e.g. enterprise-attack.json from github.com/mitre-attack/attack-stix-data. Nothing was imported."
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The file is incomplete; download it again. Nothing was imported."
	}
	return "Nothing was imported; the database is unchanged."
}

func printSummary(w io.Writer, rep *importers.Report) {
	fmt.Fprintf(w, "imported %s from %s", rep.Kind, rep.Source)
	if rep.Version != "" {
		fmt.Fprintf(w, " (version %s)", rep.Version)
	}
	fmt.Fprintf(w, " in %.2fs\n", rep.Seconds)
	if rep.NoChange {
		fmt.Fprintf(w, "  nothing changed: %d records already up to date\n", rep.Unchanged)
	} else {
		fmt.Fprintf(w, "  created %d, updated %d, unchanged %d, removed %d, newly revoked %d, newly deprecated %d\n",
			rep.Created, rep.Updated, rep.Unchanged, rep.Removed, rep.Revoked, rep.Deprecated)
	}
	if len(rep.Counts) > 0 {
		keys := make([]string, 0, len(rep.Counts))
		for k := range rep.Counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, rep.Counts[k])
		}
		fmt.Fprintf(w, "  read %d file(s): %s\n", rep.Files, strings.Join(parts, ", "))
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "  skipped: %s: %s\n", s.Reason, s.Id)
	}
	for _, e := range rep.FileErrors {
		fmt.Fprintf(w, "  file error: %s: %s\n", e.Path, e.Error)
	}
}
