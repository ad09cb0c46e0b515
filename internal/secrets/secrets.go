// Package secrets is the one place that knows which stored fields hold
// write-only secrets and how they are kept out of every answer, audit entry,
// log line and error text: an integration's token and password (and the
// credentials embedded in its URLs) are written and used, never returned.
//
// Answers (records API, realtime, our routes that return records) go through
// the enrich hook Bind registers: a secret key of a source reads <key>_set
// (true or false) instead of its value, URLs lose their credentials. A write
// keeps the stored secret when the client sends it back masked, empty or
// omitted, unless clear_<key> is true. Audit entries record a secret as set or
// changed (Change). Texts that may quote a URL (job run errors and logs, an
// integration's last error) are redacted before they are stored.
package secrets

import (
	"encoding/json"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/redact"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Field is a stored JSON object that holds secrets among other settings.
type Field struct {
	Collection string
	Name       string
	// Keys hold credentials: never shown (answers carry <key>_set), kept on
	// a write that leaves them empty or masked, removed by clear_<key>.
	Keys []string
}

// Fields lists every field holding secrets.
var Fields = []Field{
	{Collection: collections.Integrations, Name: "source", Keys: redact.SecretKeys},
}

// Texts lists, per collection, the text fields that may quote a URL or a
// header: they are redacted before they are stored.
var Texts = map[string][]string{
	collections.JobRuns:      {"error", "log"},
	collections.Integrations: {"last_error"},
}

// Lookup is the secret-holding field name of collection, if any.
func Lookup(collection, name string) (Field, bool) {
	for _, f := range Fields {
		if f.Collection == collection && f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Show is the stored JSON raw as an answer may carry it: URLs without their
// credentials, each top-level secret key replaced by <key>_set, nested secret
// keys reading redact.Mask. Invalid JSON shows as null.
func (f Field) Show(raw []byte) any {
	v := redact.Source(raw)
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for _, k := range f.Keys {
		s, _ := m[k].(string)
		delete(m, k)
		m[k+"_set"] = s != ""
	}
	return m
}

// Keep is what to store when a client sends submitted over stored (nil when
// the record is new): a secret sent back masked, empty or left out keeps its
// stored value unless clear_<key> is true; a URL sent back in its shown form
// keeps the stored URL; the <key>_set and clear_<key> flags are dropped.
// Anything else is taken from submitted, so a client can replace a secret.
func (f Field) Keep(stored, submitted []byte) ([]byte, error) {
	restored, err := redact.RestoreSource(stored, submitted)
	if err != nil {
		return submitted, err
	}
	var m map[string]any
	if json.Unmarshal(restored, &m) != nil || m == nil {
		return restored, nil
	}
	var old map[string]any
	_ = json.Unmarshal(stored, &old)
	for _, k := range f.Keys {
		clear, _ := m["clear_"+k].(bool)
		delete(m, "clear_"+k)
		delete(m, k+"_set")
		if s, _ := m[k].(string); s != "" {
			continue // a new value replaces the stored one
		}
		delete(m, k)
		if s, _ := old[k].(string); s != "" && !clear {
			m[k] = s
		}
	}
	return json.Marshal(m)
}

// Change is the old and new value of the field for an audit entry: secrets
// read redact.Mask, or redact.Changed in new when their value changed.
func (f Field) Change(oldRaw, newRaw []byte) (any, any) {
	return redact.SourceChange(oldRaw, newRaw)
}

// Keys lists the secret keys of every secret-holding field (token,
// password): audit entries never record their values, in any JSON field.
func Keys() []string {
	var out []string
	for _, f := range Fields {
		out = append(out, f.Keys...)
	}
	return out
}

// bound marks an app whose hooks are registered.
const bound = "aegis.secrets.bound"

// Bind registers the hooks that keep secrets write-only, once per app
// (hooks and jobs both call it; a second call does nothing).
func Bind(app core.App) {
	if app.Store().Has(bound) {
		return
	}
	app.Store().Set(bound, true)
	for _, f := range Fields {
		bindField(app, f)
	}
	for col, fields := range Texts {
		scrub := scrubber(fields)
		app.OnRecordCreate(col).BindFunc(scrub)
		app.OnRecordUpdate(col).BindFunc(scrub)
	}
}

func bindField(app core.App, f Field) {
	app.OnRecordEnrich(f.Collection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if raw := e.Record.GetString(f.Name); raw != "" && raw != "null" {
			e.Record.Set(f.Name, f.Show([]byte(raw)))
		}
		return e.Next()
	})
	keep := func(e *core.RecordRequestEvent) error {
		raw := e.Record.GetString(f.Name)
		if raw == "" || raw == "null" {
			return e.Next()
		}
		var stored []byte
		if orig := e.Record.Original(); orig != nil && !orig.IsNew() {
			stored = []byte(orig.GetString(f.Name))
		}
		out, err := f.Keep(stored, []byte(raw))
		if err != nil {
			return e.BadRequestError(f.Name+" must be a JSON object.", err)
		}
		if string(out) != raw {
			e.Record.Set(f.Name, types.JSONRaw(out))
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(f.Collection).BindFunc(keep)
	app.OnRecordUpdateRequest(f.Collection).BindFunc(keep)
}

// scrubber redacts the text (or JSON list of lines) fields of a record.
func scrubber(fields []string) func(e *core.RecordEvent) error {
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
