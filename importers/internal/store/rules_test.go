package store_test

import (
	"context"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCommitAllOrNothing: a rule that cannot be written half-way through a
// batch rolls the whole batch back.
func TestCommitAllOrNothing(t *testing.T) {
	app := testutil.NewApp(t)
	rep := &importers.Report{}
	c := store.NewCollector(rep)
	c.Add(
		store.Rule{SourceRuleID: "ok-1", Title: "ok", Content: "x", Path: "a.yml"},
		store.Rule{SourceRuleID: "ok-2", Title: "ok", Content: "y", Path: "b.yml"},
		store.Rule{SourceRuleID: "bad", Title: "bad", Content: "z", Path: "c.yml", Meta: map[string]any{"x": make(chan int)}},
	)
	err := store.CommitRules(context.Background(), app, "sigma", "test", c, importers.Options{})
	require.Error(t, err)
	n, err := app.CountRecords(collections.DetectionRules)
	require.NoError(t, err)
	assert.Zero(t, n, "half-written rules")
	assert.Zero(t, rep.Created, "report counts a rolled-back write")
	audits, err := app.CountRecords(collections.AuditLogs)
	require.NoError(t, err)
	assert.Zero(t, audits, "audit entry for a rolled-back import")
}
