package elastic

import (
	"context"
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Kind is the import kind and detection_rules.source value.
const Kind = "elastic"

// Import reads every .toml file of src as an Elastic rule and upserts them
// in one transaction, with the same per-file errors, duplicate handling and
// removal tracking as the Sigma importer.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	c := store.NewCollector(rep)
	parsed, err := filewalk.ParseAll(ctx, src, filewalk.Ext(".toml"), MaxFileSize, rep, opts.Progress, Parse)
	if err != nil {
		return nil, fmt.Errorf("import elastic %s: %w", src, err)
	}
	for _, p := range parsed {
		if p.Err != nil {
			c.Failed(p.Path)
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: p.Path, Error: p.Err.Error()})
			continue
		}
		if p.Value.Status == "deprecated" {
			rep.Deprecated++
		}
		c.Add(p.Value)
	}
	if err := store.CommitRules(ctx, app, Kind, src.String(), c, opts); err != nil {
		return nil, fmt.Errorf("import elastic %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

var _ importers.Func = Import
