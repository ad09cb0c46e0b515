package jobs

import (
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Status is one job as the jobs page shows it: its definition, when it runs
// next, the run in progress and the latest runs.
type Status struct {
	Name           string         `json:"name"`
	Title          string         `json:"title"`
	Schedule       string         `json:"schedule"`           // empty: on demand only
	NextRun        string         `json:"next_run,omitempty"` // RFC 3339, UTC
	TimeoutSeconds int            `json:"timeout_seconds"`
	Retries        int            `json:"retries"`
	Integration    string         `json:"integration,omitempty"` // integrations record id of a sync job
	Kind           string         `json:"kind,omitempty"`        // the integration's kind
	Enabled        bool           `json:"enabled"`               // false for a disabled integration
	Running        *core.Record   `json:"running"`               // the run holding the lease, or null
	LastRuns       []*core.Record `json:"last_runs"`             // newest first
}

// List returns every registered job and every integration's sync job, each
// with its next run after now and its latest lastN runs.
func List(app core.App, now time.Time, lastN int) ([]Status, error) {
	var out []Status
	add := func(j Job, kind string, enabled bool) error {
		s := Status{Name: j.Name, Title: j.Title, Schedule: j.Schedule, TimeoutSeconds: int(j.timeout().Seconds()),
			Retries: j.Retries, Integration: j.Integration, Kind: kind, Enabled: enabled, LastRuns: []*core.Record{}}
		if s.Title == "" {
			s.Title = j.Name
		}
		if next := NextRun(j.Schedule, now); !next.IsZero() {
			s.NextRun = next.Format(time.RFC3339)
		}
		runs, err := app.FindRecordsByFilter(collections.JobRuns, "job = {:job}", "-started_at", lastN, 0, dbx.Params{"job": j.Name})
		if err != nil {
			return err
		}
		s.LastRuns = runs
		if l, err := readLease(app, j.Name); err == nil && !l.stale(now) {
			s.Running, _ = app.FindRecordById(collections.JobRuns, l.Run)
		}
		out = append(out, s)
		return nil
	}
	for _, j := range Registered() {
		if err := add(j, "", true); err != nil {
			return nil, err
		}
	}
	recs, err := app.FindRecordsByFilter(integrationsCollection, "", "name", 0, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if err := add(IntegrationJob(r), r.GetString("kind"), r.GetBool("enabled")); err != nil {
			return nil, err
		}
	}
	return out, nil
}
