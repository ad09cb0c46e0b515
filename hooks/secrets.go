package hooks

import (
	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Secrets are write-only. An integration's token, password and the
// credentials in its URLs are stored and used by the sync, never returned
// (admins included: the API shows redact.Mask), never audited in the clear
// (audit.Diff masks them) and never stored in an error or log line (every
// such text goes through redact.Text before it is saved).
func bindSecretGuards(app core.App) {
	app.OnRecordEnrich(collections.Integrations).BindFunc(func(e *core.RecordEnrichEvent) error {
		maskSource(e.Record)
		return e.Next()
	})
	// A client that edits an integration sends back what it was shown: the
	// masks keep the stored secrets.
	app.OnRecordUpdateRequest(collections.Integrations).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := restoreSource(e.Record); err != nil {
			return e.BadRequestError("source must be a JSON object.", err)
		}
		return e.Next()
	})
	app.OnRecordCreateRequest(collections.Integrations).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := restoreSource(e.Record); err != nil {
			return e.BadRequestError("source must be a JSON object.", err)
		}
		return e.Next()
	})

	// The last line of defence for texts that may quote a URL or a header:
	// whatever path stores them, they are redacted first.
	scrub := func(fields ...string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			for _, f := range fields {
				switch v := e.Record.Get(f).(type) {
				case string:
					if r := redact.Text(v); r != v {
						e.Record.Set(f, r)
					}
				case types.JSONRaw:
					var lines []string
					if err := e.Record.UnmarshalJSONField(f, &lines); err == nil && lines != nil {
						changed := false
						for i, l := range lines {
							if r := redact.Text(l); r != l {
								lines[i], changed = r, true
							}
						}
						if changed {
							e.Record.Set(f, lines)
						}
					}
				}
			}
			return e.Next()
		}
	}
	app.OnRecordCreate(collections.JobRuns).BindFunc(scrub("error", "log"))
	app.OnRecordUpdate(collections.JobRuns).BindFunc(scrub("error", "log"))
	app.OnRecordCreate(collections.Integrations).BindFunc(scrub("last_error"))
	app.OnRecordUpdate(collections.Integrations).BindFunc(scrub("last_error"))
}

// maskSource replaces the stored source by its shown form.
func maskSource(r *core.Record) {
	raw := r.GetString("source")
	if raw == "" || raw == "null" {
		return
	}
	r.Set("source", redact.Source([]byte(raw)))
}

// restoreSource keeps the stored secrets that a request sends back masked.
func restoreSource(r *core.Record) error {
	raw := r.GetString("source")
	if raw == "" || raw == "null" {
		return nil
	}
	var stored []byte
	if orig := r.Original(); orig != nil && !orig.IsNew() {
		stored = []byte(orig.GetString("source"))
	}
	out, err := redact.RestoreSource(stored, []byte(raw))
	if err != nil {
		return err
	}
	if string(out) != raw {
		r.Set("source", types.JSONRaw(out))
	}
	return nil
}
