package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Integration credentials (source.token, source.password) are write-only
// through the API: answers carry token_set / password_set instead of the
// values, and an update that leaves a credential empty keeps the stored one
// (send clear_token / clear_password: true to remove it).

var secretKeys = []string{"token", "password"}

// bindIntegrationSecrets registers the hooks that keep credentials write-only.
func bindIntegrationSecrets(app core.App) {
	app.OnRecordEnrich(collections.Integrations).BindFunc(func(e *core.RecordEnrichEvent) error {
		e.Record.Set("source", MaskSource(e.Record.Get("source")))
		return e.Next()
	})
	app.OnRecordUpdateRequest(collections.Integrations).BindFunc(func(e *core.RecordRequestEvent) error {
		e.Record.Set("source", KeepSecrets(e.Record.Original().Get("source"), e.Record.Get("source")))
		return e.Next()
	})
	app.OnRecordCreateRequest(collections.Integrations).BindFunc(func(e *core.RecordRequestEvent) error {
		e.Record.Set("source", KeepSecrets(nil, e.Record.Get("source")))
		return e.Next()
	})
}

func sourceMap(v any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// MaskSource replaces the credentials of an integration source with
// <key>_set flags.
func MaskSource(v any) any {
	m := sourceMap(v)
	if m == nil {
		return v
	}
	for _, k := range secretKeys {
		s, _ := m[k].(string)
		delete(m, k)
		m[k+"_set"] = s != ""
	}
	return m
}

// KeepSecrets returns the submitted source with each credential the caller
// left empty taken from the stored source, unless clear_<key> is true; the
// <key>_set and clear_<key> flags are dropped.
func KeepSecrets(stored, submitted any) any {
	m := sourceMap(submitted)
	if m == nil {
		return submitted
	}
	old := sourceMap(stored)
	for _, k := range secretKeys {
		clear, _ := m["clear_"+k].(bool)
		delete(m, "clear_"+k)
		delete(m, k+"_set")
		if s, _ := m[k].(string); s != "" {
			continue
		}
		delete(m, k)
		if old != nil && !clear {
			if s, _ := old[k].(string); s != "" {
				m[k] = s
			}
		}
	}
	return m
}

// errProbeDone stops a probe after its first file.
var errProbeDone = errors.New("probe: first file read")

// Probe is what a connection test found.
type Probe struct {
	Source    string `json:"source"`     // the source as described (no secrets)
	FirstFile string `json:"first_file"` // the first file found
	Size      int64  `json:"size"`       // its size, -1 when unknown
	Millis    int64  `json:"millis"`
}

// TestSource opens src (credentials of the stored integration id filled in
// when left empty) and reads until its first file, within timeout.
func TestSource(ctx context.Context, app core.App, id string, src IntegrationSource, timeout time.Duration) (Probe, error) {
	if id != "" {
		if rec, err := app.FindRecordById(integrationsCollection, id); err == nil {
			if stored, err := ParseIntegrationSource(rec); err == nil {
				if src.Token == "" {
					src.Token = stored.Token
				}
				if src.Password == "" {
					src.Password = stored.Password
				}
			}
		}
	}
	start := time.Now()
	s, err := source.Open(src.Spec, src.options())
	if err != nil {
		return Probe{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := Probe{Source: s.String(), Size: -1}
	err = s.Walk(ctx, func(e source.Entry) error {
		p.FirstFile, p.Size = e.Path, e.Size
		return errProbeDone
	})
	p.Millis = time.Since(start).Milliseconds()
	if err != nil && !errors.Is(err, errProbeDone) {
		return p, fmt.Errorf("%s: %w", s.String(), err)
	}
	if p.FirstFile == "" {
		return p, fmt.Errorf("%s: reached, but it holds no file", s.String())
	}
	return p, nil
}
