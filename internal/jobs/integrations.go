package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Each integrations record has its own sync job named "sync:<record id>",
// scheduled by the record's schedule or its kind's default, with its own
// lease and run history (job_runs.integration = the record id).
const (
	integrationPrefix      = "sync:"
	integrationsCollection = collections.Integrations
)

// Kind defaults: ATT&CK daily at 02:00 UTC (before the 03:00 backup),
// content and intel weekly on Sunday at 04:00 UTC.
const (
	AttackSyncSchedule  = "0 2 * * *"
	ContentSyncSchedule = "0 4 * * 0"
)

// DefaultSchedule is the schedule of an integration of kind that sets none.
func DefaultSchedule(kind string) string {
	if kind == "attack" {
		return AttackSyncSchedule
	}
	return ContentSyncSchedule
}

// IntegrationJobName is the job name of an integration's sync.
func IntegrationJobName(id string) string { return integrationPrefix + id }

// IntegrationSchedule is the schedule the integration runs on.
func IntegrationSchedule(rec *core.Record) string {
	if s := strings.TrimSpace(collections.AsIntegration(rec).Schedule()); s != "" {
		return s
	}
	return DefaultSchedule(collections.AsIntegration(rec).Kind())
}

// IntegrationJob is the sync job of an integrations record. A disabled
// integration has no schedule but can still be synced on request.
func IntegrationJob(rec *core.Record) Job {
	sched := ""
	if collections.AsIntegration(rec).Enabled() {
		sched = IntegrationSchedule(rec)
	}
	id := rec.Id
	return Job{
		Name:             IntegrationJobName(id),
		Title:            "Sync " + collections.AsIntegration(rec).Name(),
		Schedule:         sched,
		Timeout:          30 * time.Minute,
		Retries:          2,
		Backoff:          time.Minute,
		RetryInterrupted: true,
		Integration:      id,
		Run: func(ctx context.Context, app core.App, run *Run) (map[string]any, error) {
			return SyncIntegration(ctx, app, id, run)
		},
	}
}

// IntegrationJobs lists the sync jobs of every integration, by name.
func IntegrationJobs(app core.App) ([]Job, error) {
	recs, err := app.FindRecordsByFilter(integrationsCollection, "", "name", 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Job, len(recs))
	for i, r := range recs {
		out[i] = IntegrationJob(r)
	}
	return out, nil
}

// FindIntegration finds an integration by record id or by name (case
// insensitive), for `aegis sync NAME` and the API.
func FindIntegration(app core.App, idOrName string) (*core.Record, error) {
	if r, err := app.FindRecordById(integrationsCollection, idOrName); err == nil {
		return r, nil
	}
	recs, err := app.FindAllRecords(integrationsCollection, dbx.NewExp("LOWER([[name]]) = LOWER({:n})", dbx.Params{"n": idOrName}))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("no integration with id or name %q", idOrName)
	}
	return recs[0], nil
}

// IntegrationSource is integrations.source: where to fetch from and how.
type IntegrationSource struct {
	// Spec is what source.Open takes: a path, an http(s) URL,
	// github:owner/repo@ref[/subdir] or taxii+https://…/collections/ID/.
	Spec string `json:"spec"`
	// Token: a GitHub token for github: specs, else a bearer token sent
	// with every HTTP request.
	Token string `json:"token,omitempty"`
	// TAXII: pick a collection by id or title when Spec names a discovery
	// or API root, and basic-auth credentials.
	Collection string `json:"collection,omitempty"`
	Username   string `json:"username,omitempty"`
	Password   string `json:"password,omitempty"`
	// Alternatives document other specs for the same content (e.g. MITRE's
	// TAXII server for the GitHub file); they are not used automatically.
	Alternatives []map[string]any `json:"alternatives,omitempty"`
}

// ParseIntegrationSource reads integrations.source.
func ParseIntegrationSource(rec *core.Record) (IntegrationSource, error) {
	var s IntegrationSource
	raw := collections.AsIntegration(rec).Source()
	if raw == "" || raw == "null" {
		return s, fmt.Errorf("integration %q has no source", collections.AsIntegration(rec).Name())
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("integration %q: source is not {\"spec\": …}: %w", collections.AsIntegration(rec).Name(), err)
	}
	if strings.TrimSpace(s.Spec) == "" {
		return s, fmt.Errorf("integration %q: source.spec is empty", collections.AsIntegration(rec).Name())
	}
	return s, nil
}

// Options for source.Open.
func (s IntegrationSource) options() source.Options {
	var o source.Options
	if strings.HasPrefix(s.Spec, "github:") {
		o.GitHubToken = s.Token
	} else if s.Token != "" {
		o.Header = http.Header{"Authorization": {"Bearer " + s.Token}}
	}
	o.TAXII.Collection = s.Collection
	o.TAXII.Username = s.Username
	o.TAXII.Password = s.Password
	return o
}

// SyncIntegration runs the integration's importer over its source and
// records the outcome on the integration (last_sync_at, last_status,
// last_sync_stats, last_error). The report is the run's stats.
func SyncIntegration(ctx context.Context, app core.App, id string, run *Run) (map[string]any, error) {
	rec, err := app.FindRecordById(integrationsCollection, id)
	if err != nil {
		return nil, Permanent(fmt.Errorf("integration %s: %w", id, err))
	}
	kind := collections.AsIntegration(rec).Kind()
	imp, ok := registry.Lookup(kind)
	if !ok {
		err := Permanent(fmt.Errorf("integration %q: no importer for kind %q (have: %s)",
			collections.AsIntegration(rec).Name(), kind, strings.Join(registry.Kinds(), ", ")))
		recordSync(app, id, nil, err)
		return nil, err
	}
	spec, err := ParseIntegrationSource(rec)
	if err != nil {
		recordSync(app, id, nil, Permanent(err))
		return nil, Permanent(err)
	}
	if run != nil {
		run.Logf("sync %s (%s) from %s", collections.AsIntegration(rec).Name(), kind, redact.URL(spec.Spec))
	}
	report, err := importFrom(ctx, app, imp, kind, spec.Spec, spec.options(), run)
	recordSync(app, id, report, err)
	if err != nil {
		return reportStats(report), fmt.Errorf("sync %s: %w", collections.AsIntegration(rec).Name(), err)
	}
	return reportStats(report), nil
}

// importFrom opens spec and runs the importer over it with progress.
func importFrom(ctx context.Context, app core.App, imp importers.Func, kind, spec string, opts source.Options, run *Run) (*importers.Report, error) {
	src, err := source.Open(spec, opts)
	if err != nil {
		return nil, Permanent(err)
	}
	report, err := imp(ctx, app, src, importOptions(run))
	if err != nil {
		return report, nameSource(err, kind, src.String())
	}
	logReport(run, reportStats(report))
	snapshotAfter(app, run, kind, report)
	return report, nil
}

// importOptions connects an importer's progress and actor to the run.
func importOptions(run *Run) importers.Options {
	if run == nil {
		return importers.Options{}
	}
	return importers.Options{Progress: run.Progress, Actor: run.RequestedBy}
}

func logReport(run *Run, stats map[string]any) {
	if run == nil || stats == nil {
		return
	}
	n := func(k string) any {
		if v, ok := stats[k].([]any); ok {
			return len(v)
		}
		if v, ok := stats[k]; ok && v != nil {
			return v
		}
		return 0
	}
	run.Logf("imported: %v created, %v updated, %v unchanged, %v removed, %v skipped, %v file errors",
		n("created"), n("updated"), n("unchanged"), n("removed"), n("skipped"), n("file_errors"))
}

// recordSync stores the sync outcome on the integration. It writes through
// Save so the integrations page sees it live.
func recordSync(app core.App, id string, report *importers.Report, syncErr error) {
	rec, err := app.FindRecordById(integrationsCollection, id)
	if err != nil {
		return
	}
	ig := collections.AsIntegration(rec)
	ig.SetLastSyncAt(types.NowDateTime())
	if syncErr != nil {
		ig.SetLastStatus(StatusFailed)
		ig.SetLastError(redact.Error(syncErr))
	} else {
		ig.SetLastStatus(StatusSucceeded)
		ig.SetLastError("")
	}
	if report != nil {
		ig.SetLastSyncStats(report)
	}
	if err := app.Save(rec); err != nil {
		app.Logger().Error("record integration sync", "integration", id, "error", err)
	}
}

// reportStats turns a report into job_runs.stats (its JSON form).
func reportStats(r *importers.Report) map[string]any {
	if r == nil {
		return nil
	}
	return statsOf(r)
}

// SyncNow runs, one after the other and waiting for each, the sync of the
// integration named by idOrName (enabled or not: it was asked for by name)
// or, when idOrName is empty, of every enabled integration. It returns the
// finished job_runs records; a sync already running elsewhere is waited for
// and its record returned. `aegis sync` calls it.
func SyncNow(ctx context.Context, app core.App, idOrName string, opts Options) ([]*core.Record, error) {
	var targets []*core.Record
	if idOrName != "" {
		rec, err := FindIntegration(app, idOrName)
		if err != nil {
			return nil, err
		}
		targets = append(targets, rec)
	} else {
		recs, err := app.FindRecordsByFilter(integrationsCollection, "enabled = true", "name", 0, 0)
		if err != nil {
			return nil, err
		}
		targets = recs
	}
	out := make([]*core.Record, 0, len(targets))
	for _, rec := range targets {
		run, err := Start(app, IntegrationJob(rec), opts)
		var busy *AlreadyRunningError
		if errors.As(err, &busy) && busy.Run != nil {
			run, err = busy.Run, nil
		}
		if err != nil {
			return out, fmt.Errorf("sync %s: %w", collections.AsIntegration(rec).Name(), err)
		}
		done, err := Wait(ctx, app, run.Id)
		if err != nil {
			return out, fmt.Errorf("sync %s: %w", collections.AsIntegration(rec).Name(), err)
		}
		out = append(out, done)
	}
	return out, nil
}

// nameSource makes sure an import error says what was imported, without
// repeating it when the importer already did.
func nameSource(err error, kind, src string) error {
	if strings.Contains(err.Error(), src) {
		return err
	}
	return fmt.Errorf("import %s %s: %w", kind, src, err)
}
