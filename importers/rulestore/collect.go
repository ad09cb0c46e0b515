package rulestore

import (
	"context"
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/audit"
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
			c.rep.Skipped = append(c.rep.Skipped, importers.Skip{Id: r.SourceRuleID,
				Reason: fmt.Sprintf("duplicate rule id in %s and %s: the first is kept", first, r.Path)})
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

// Commit writes the collected rules in one transaction with one audit entry
// for the import, and finishes the report's change flags.
func Commit(ctx context.Context, app core.App, source, origin string, c *Collector, opts importers.Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if opts.Progress != nil {
		opts.Progress("write", 0, len(c.rules))
	}
	err := app.RunInTransaction(func(tx core.App) error {
		if err := Write(tx, Batch{Source: source, Origin: origin, Rules: c.rules, FailedPaths: c.failed}, c.rep); err != nil {
			return err
		}
		if c.rep.Created+c.rep.Updated+c.rep.Removed == 0 {
			return nil
		}
		kind := audit.KindSystem
		if opts.Actor != "" {
			kind = audit.KindUser
		}
		return audit.Write(tx, audit.Entry{Actor: opts.Actor, ActorKind: kind, Action: "import",
			Collection: collections.DetectionRules, Details: map[string]any{
				"kind": source, "source": origin, "created": c.rep.Created, "updated": c.rep.Updated,
				"removed": c.rep.Removed, "unchanged": c.rep.Unchanged, "file_errors": len(c.rep.FileErrors),
			}})
	})
	if err != nil {
		// Nothing was written: the counters describe a rolled-back attempt.
		c.rep.Created, c.rep.Updated, c.rep.Removed, c.rep.Unchanged = 0, 0, 0, 0
		return err
	}
	if opts.Progress != nil {
		opts.Progress("write", len(c.rules), len(c.rules))
	}
	c.rep.NoChange = c.rep.Created+c.rep.Updated+c.rep.Removed == 0
	return nil
}
