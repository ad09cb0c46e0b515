package store

import (
	"context"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/pocketbase/pocketbase/core"
)

// Collector gathers the rules of one run, keeping the first of duplicate
// ids and reporting the others with both paths.
type Collector struct {
	rep    *importers.Report
	rules  []Rule
	byID   map[string]string // id → path of the kept rule
	failed map[string]bool
}

// NewCollector starts a collection reporting into rep.
func NewCollector(rep *importers.Report) *Collector {
	return &Collector{rep: rep, byID: map[string]string{}, failed: map[string]bool{}}
}

// Add keeps rules whose id was not seen before.
func (c *Collector) Add(rules ...Rule) {
	for _, r := range rules {
		if first, dup := c.byID[r.SourceRuleID]; dup {
			Skip(c.rep, r.SourceRuleID, "duplicate rule id in %s and %s: the first is kept", first, r.Path)
			continue
		}
		c.byID[r.SourceRuleID] = r.Path
		c.rules = append(c.rules, r)
	}
}

// Failed records a file that could not be parsed.
func (c *Collector) Failed(path string) { c.failed[path] = true }

// Rules returns the kept rules.
func (c *Collector) Rules() []Rule { return c.rules }

// CommitRules writes the collected rules in one transaction with one audit
// entry for the import, and finishes the report's change flags.
func CommitRules(ctx context.Context, app core.App, source, origin string, c *Collector, opts importers.Options) error {
	if opts.Progress != nil {
		opts.Progress("write", 0, len(c.rules))
	}
	err := Commit(ctx, app, c.rep, opts, collections.DetectionRules, func(tx core.App, details map[string]any) error {
		details["file_errors"] = len(c.rep.FileErrors)
		return WriteRules(tx, Batch{Source: source, Origin: origin, Rules: c.rules, FailedPaths: c.failed}, c.rep)
	})
	if err != nil {
		return err
	}
	if opts.Progress != nil {
		opts.Progress("write", len(c.rules), len(c.rules))
	}
	return nil
}
