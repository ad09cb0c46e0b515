package caldera

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

// Kind is the import kind of CALDERA abilities.
const Kind = "caldera"

// Import reads the ability files of src (…/abilities/**.yml; a source that
// is a single YAML file is read as abilities) and the adversary profiles
// (…/adversaries/*.yml, counted only), and upserts the abilities into
// test_templates in one transaction.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var templates []store.Template
	firstSeen := map[string]string{}
	techniques := map[string]bool{}
	var refs []string

	err := src.Walk(ctx, func(e source.Entry) error {
		kind := classify(e.Path)
		if kind == "" {
			return nil
		}
		rep.Files++
		data, err := yamlsafe.ReadLimited(e.Body, MaxFileSize)
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		if kind == "adversary" {
			adv, err := ParseAdversary(data)
			if err != nil {
				rep.FileFailed(e.Path, err)
				return nil
			}
			rep.Counts["adversaries"]++
			refs = append(refs, adv.Ordering...)
			return nil
		}
		ab, err := ParseAbilities(e.Path, data)
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		for _, p := range ab.Problems {
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path, Error: p})
		}
		for _, t := range ab.Templates {
			if prev, dup := firstSeen[t.SourceID]; dup {
				rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path,
					Error: fmt.Sprintf("ability %s already defined in %s", t.SourceID, prev)})
				continue
			}
			firstSeen[t.SourceID] = e.Path
			templates = append(templates, t)
			if t.TechniqueID != "" {
				techniques[t.TechniqueID] = true
			}
			count(rep.Counts, t)
		}
		if opts.Progress != nil {
			opts.Progress("parse", rep.Files, 0)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import caldera %s: %w", src, err)
	}
	rep.Counts["techniques"] = len(techniques)
	rep.Counts["adversary_ability_refs"] = len(refs)
	for _, id := range refs {
		if _, ok := firstSeen[id]; !ok {
			rep.Counts["adversary_refs_unresolved"]++
		}
	}
	if err := store.WriteTemplatesFrom(ctx, app, src.String(), templates, rep, opts); err != nil {
		return nil, fmt.Errorf("import caldera %s: %w", src, err)
	}
	rep.Finish(start)
	return rep, nil
}

// classify says whether a path is an ability file, an adversary profile or
// neither (other stockpile data such as sources, objectives, payloads).
func classify(path string) string {
	lower := strings.ToLower(path)
	if !strings.HasSuffix(lower, ".yml") && !strings.HasSuffix(lower, ".yaml") {
		return ""
	}
	switch {
	case strings.Contains("/"+lower, "/abilities/"):
		return "ability"
	case strings.Contains("/"+lower, "/adversaries/"):
		return "adversary"
	case !strings.Contains(path, "/"):
		return "ability"
	}
	return ""
}

func count(c map[string]int, t store.Template) {
	c["abilities"]++
	if t.Executor.Tactic != "" {
		c["tactic:"+t.Executor.Tactic]++
	}
	for _, p := range t.Platforms {
		c["platform:"+p]++
	}
	seen := map[string]bool{}
	for _, v := range t.Executor.Variants {
		if !seen[v.Name] {
			seen[v.Name] = true
			c["executor:"+v.Name]++
		}
	}
}
