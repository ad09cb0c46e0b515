package demo

import (
	"fmt"
	"strings"

	"github.com/aegis-sec/aegis/collections"
)

// The bulk load: the seeding transaction runs on one connection, which gets
// a page cache sized to the organisation for its duration (the app's
// connections keep a small one, see internal/app/db.go: with it, the xl
// organisation's gigabyte went through a few megabytes of cache and most of
// the time went to spilling and re-reading pages). The secondary indexes of
// the bulk-written tables are dropped before the first row and built once,
// sorted, after the last; statistics are gathered from a sample
// (analysis_limit) inside the same transaction, so the organisation and its
// statistics are committed together.

// bulkTables are the tables whose explicit indexes are built after the load.
var bulkTables = []string{collections.Tests, collections.TestOutcomes, collections.Findings, collections.AuditLogs}

// analyzed are the bulk-written tables whose statistics are gathered
// (the ones taken at install describe a handful of rows and would have the
// planner sort whole tables).
var analyzed = []string{collections.Tests, collections.TestOutcomes, collections.AuditLogs, collections.Findings,
	collections.DetectionRules, collections.ComplianceControls, collections.ControlMappings, collections.Campaigns}

// analysisLimit is the rows per index ANALYZE samples (SQLite's advice:
// 100 to 1000); exact statistics over two million audit entries took most
// of a minute for the same plans.
const analysisLimit = 1000

// bulkCacheKiB is the page cache of the seeding connection: most of what
// the organisation writes (4 KiB per test with its history, 800 MiB for
// xl), at least 64 MiB.
func bulkCacheKiB(sz Size) int { return max(64<<10, sz.Tests*4) }

// bulkLoad prepares the seeding connection and drops the bulk tables'
// indexes (rebuildIndexes creates them again). The returned function puts
// the connection's settings back.
func (s *seeder) bulkLoad() (func(), error) {
	var cache int
	if err := s.tx.DB().NewQuery("PRAGMA cache_size").Row(&cache); err != nil {
		return nil, fmt.Errorf("read cache_size: %w", err)
	}
	if _, err := s.tx.DB().NewQuery(fmt.Sprintf("PRAGMA cache_size = -%d", bulkCacheKiB(s.size))).Execute(); err != nil {
		return nil, fmt.Errorf("set cache_size: %w", err)
	}
	restore := func() {
		if _, err := s.tx.DB().NewQuery(fmt.Sprintf("PRAGMA cache_size = %d", cache)).Execute(); err != nil {
			s.app.Logger().Warn("demo: restore the connection's cache size", "error", err)
		}
	}
	for _, table := range bulkTables {
		rebuild, err := s.dropIndexes(table)
		if err != nil {
			restore()
			return nil, err
		}
		s.rebuild = append(s.rebuild, rebuild)
	}
	return restore, nil
}

// indexCacheKiB is the page cache of the seeding connection while it
// builds the indexes: SQLite sizes its sorter's in-memory runs by the page
// cache. Measured at xl, runs of 64 MiB build the audit trail's indexes
// over a committed table a fifth faster than runs of 800 MiB; in the
// seeding run, which spills the history's pages meanwhile, the seeding
// takes as long as with the larger cache and peaks 0.6 GB lower.
const indexCacheKiB = 64 << 10

// rebuildIndexes creates the indexes bulkLoad dropped (with the page cache
// set to indexCacheKiB when it is larger; bulkLoad's restore puts the
// connection's own back).
func (s *seeder) rebuildIndexes() error {
	if bulkCacheKiB(s.size) > indexCacheKiB {
		if _, err := s.tx.DB().NewQuery(fmt.Sprintf("PRAGMA cache_size = -%d", indexCacheKiB)).Execute(); err != nil {
			return fmt.Errorf("set cache_size: %w", err)
		}
	}
	for _, rebuild := range s.rebuild {
		if err := rebuild(); err != nil {
			return err
		}
	}
	s.rebuild = nil
	return nil
}

// analyze gathers sampled statistics of the bulk-written tables.
func (s *seeder) analyze() error {
	var limit int
	if err := s.tx.DB().NewQuery("PRAGMA analysis_limit").Row(&limit); err != nil {
		return fmt.Errorf("read analysis_limit: %w", err)
	}
	if _, err := s.tx.DB().NewQuery(fmt.Sprintf("PRAGMA analysis_limit = %d", analysisLimit)).Execute(); err != nil {
		return fmt.Errorf("set analysis_limit: %w", err)
	}
	defer func() { _, _ = s.tx.DB().NewQuery(fmt.Sprintf("PRAGMA analysis_limit = %d", limit)).Execute() }()
	for _, table := range analyzed {
		if _, err := s.tx.DB().NewQuery("ANALYZE `" + strings.ReplaceAll(table, "`", "") + "`").Execute(); err != nil {
			return fmt.Errorf("analyze %s: %w", table, err)
		}
	}
	return nil
}
