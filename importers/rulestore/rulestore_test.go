package rulestore_test

import (
	"context"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/rulestore"
	"github.com/aegis-sec/aegis/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// TestCommitAllOrNothing: a rule that cannot be written half-way through a
// batch rolls the whole batch back.
func TestCommitAllOrNothing(t *testing.T) {
	app := testutil.NewApp(t)
	rep := &importers.Report{}
	c := rulestore.NewCollector(rep)
	c.Add(
		rulestore.Rule{SourceRuleID: "ok-1", Title: "ok", Content: "x", Path: "a.yml"},
		rulestore.Rule{SourceRuleID: "ok-2", Title: "ok", Content: "y", Path: "b.yml"},
		rulestore.Rule{SourceRuleID: "bad", Title: "bad", Content: "z", Path: "c.yml", Meta: map[string]any{"x": make(chan int)}},
	)
	err := rulestore.Commit(context.Background(), app, "sigma", "test", c, importers.Options{})
	if err == nil {
		t.Fatal("want an error")
	}
	n, _ := app.CountRecords(collections.DetectionRules)
	if n != 0 || rep.Created != 0 {
		t.Fatalf("half-written: %d rules, report created %d", n, rep.Created)
	}
	audits, _ := app.CountRecords(collections.AuditLogs)
	if audits != 0 {
		t.Fatalf("audit entry for a rolled-back import: %d", audits)
	}
}
