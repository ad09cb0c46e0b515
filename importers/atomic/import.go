package atomic

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/yamlsafe"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
)

// Kind is the import kind of Atomic Red Team technique files.
const Kind = "atomic"

// Import reads every technique file of src (atomics/T*/T*.yaml; a source
// that is a single .yaml file is read whatever its name) and upserts its
// tests into test_templates in one transaction. Malformed files are listed
// in the report's FileErrors and the rest imports.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var templates []store.Template
	firstSeen := map[string]string{}
	techniques := map[string]bool{}

	err := src.Walk(ctx, func(e source.Entry) error {
		single := !strings.Contains(e.Path, "/") // a lone file given as the source
		if !IsTechniqueFile(e.Path) && !(single && isYAML(e.Path)) {
			return nil
		}
		rep.Files++
		data, err := yamlsafe.ReadLimited(e.Body, MaxFileSize)
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		f, err := Parse(e.Path, trimBOM(data))
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		for _, p := range f.Problems {
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path, Error: p})
		}
		for _, t := range f.Templates {
			if prev, dup := firstSeen[t.SourceID]; dup {
				rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path,
					Error: fmt.Sprintf("test %q: auto_generated_guid %s already used in %s", t.Name, t.SourceID, prev)})
				continue
			}
			firstSeen[t.SourceID] = e.Path
			templates = append(templates, t)
			techniques[t.TechniqueID] = true
			count(rep.Counts, t)
		}
		if opts.Progress != nil {
			opts.Progress("parse", rep.Files, 0)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import atomic %s: %w", src, err)
	}
	rep.Counts["techniques"] = len(techniques)
	if err := store.WriteTemplatesFrom(ctx, app, src.String(), templates, rep, opts); err != nil {
		return nil, fmt.Errorf("import atomic %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

func count(c map[string]int, t store.Template) {
	c["tests"]++
	c["executor:"+t.Executor.Name]++
	for _, p := range t.Platforms {
		c["platform:"+p]++
	}
	if len(t.InputArguments) > 0 {
		c["with_input_arguments"]++
	}
	if strings.TrimSpace(t.Executor.CleanupCommand) != "" {
		c["with_cleanup"]++
	}
	if t.Dependencies != nil {
		c["with_dependencies"]++
	}
	if t.Executor.ElevationRequired {
		c["with_elevation_required"]++
	}
}

func isYAML(path string) bool {
	p := strings.ToLower(path)
	return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")
}
