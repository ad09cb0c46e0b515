package navigator

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Kind is the import kind of Navigator layers.
const Kind = "navigator"

// Import parses and validates every .json layer of src and reports what it
// holds. Layers are not stored by themselves: they feed campaigns
// (POST /api/aegis/campaigns/from-layer) and comparisons, so this kind
// checks files and counts techniques. Invalid files are reported by name.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	rep.NoChange = true
	err := src.Walk(ctx, func(e source.Entry) error {
		if !strings.HasSuffix(strings.ToLower(e.Path), ".json") {
			return nil
		}
		rep.Files++
		layers, err := ParseAll(e.Body)
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		for _, l := range layers {
			rep.Counts["layers"]++
			rep.Counts["techniques"] += len(l.Techniques)
			rep.Counts["selected"] += len(Selected(l))
			rep.Counts["domain:"+l.Domain]++
			if v := l.FormatVersion(); v != "" {
				rep.Counts["format:"+v]++
			}
		}
		if opts.Progress != nil {
			opts.Progress("parse", rep.Files, 0)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import navigator %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}
