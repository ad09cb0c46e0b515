package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Integration credentials (source.token, source.password) are write-only
// through the API: package secrets masks them in every answer and keeps them
// on writes (see secrets.Field.Keep); Register binds it like hooks do.

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
