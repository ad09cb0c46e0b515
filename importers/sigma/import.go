package sigma

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
const Kind = "sigma"

// Import reads every .yml/.yaml file of src as Sigma and upserts the rules
// in one transaction. Files that fail are named in the report; rules whose
// files vanished from the same source since the last import are marked
// removed.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	c := store.NewCollector(rep)
	parsed, err := filewalk.ParseAll(ctx, src, filewalk.Ext(".yml", ".yaml"), MaxFileSize, rep, opts.Progress, Parse)
	if err != nil {
		return nil, fmt.Errorf("import sigma %s: %w", src, err)
	}
	for _, p := range parsed {
		if p.Err != nil {
			c.Failed(p.Path)
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: p.Path, Error: p.Err.Error()})
			continue
		}
		docs := len(p.Value)
		if docs > 0 && p.Value[0].Meta["variant"] != nil {
			docs++ // the action: global document
		}
		rep.Counts["documents"] += docs
		c.Add(p.Value...)
	}
	if err := store.CommitRules(ctx, app, Kind, src.String(), c, opts); err != nil {
		return nil, fmt.Errorf("import sigma %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

var _ importers.Func = Import

// Rule is one detection rule as Parse produces it.
type Rule = store.Rule

// TechniqueIndex maps ATT&CK technique ids to technique record ids the way
// the import links them (the active technique of an id wins, a revoked id
// leads to its successor); the rule editor of the UI checks rules with it.
func TechniqueIndex(app core.App) (map[string]string, error) { return store.Techniques(app) }

// ContentHash is the hash stored with a rule's text (content_hash).
func ContentHash(content string) string { return store.ContentHash(content) }
