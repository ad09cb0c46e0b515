package demo

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
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

// The index builds: SQLite sorts each index's keys in runs the size of the
// page cache and merges them. With temporary files in memory (the app's
// temp_store) it sorts on the calling thread only; with them in files it
// sorts the runs on worker threads (PRAGMA threads) while the caller reads
// the table. Measured at xl over the committed audit trail, one index took
// 6.3 s in memory with runs of 64 MiB, 4.4 s in files on one thread and
// 3.0–3.2 s in files with two workers and runs of 8 MiB (the runs' keys
// stay in the processor's cache); the temporary files are the size of the
// index being built and are gone when it is.
const (
	indexCacheKiB   = 4 << 10
	tempStoreFile   = 1
	maxIndexWorkers = 4
)

// sorterFiles puts the writing connection's temporary files in files for
// the seeding (see rebuildIndexes). It is set before the seeding
// transaction: SQLite refuses the change inside a transaction once the
// connection has used its temporary database. The returned function puts
// the connection's own setting back. Where the setting cannot be made, the
// indexes are built on one thread, more slowly.
func sorterFiles(app core.App) func() {
	db := app.NonconcurrentDB()
	var was int
	if err := db.NewQuery("PRAGMA temp_store").Row(&was); err != nil {
		app.Logger().Warn("demo: read the connection's temp_store", "error", err)
		return func() {}
	}
	if _, err := db.NewQuery(fmt.Sprintf("PRAGMA temp_store = %d", tempStoreFile)).Execute(); err != nil {
		app.Logger().Warn("demo: temporary files for the index builds", "error", err)
		return func() {}
	}
	return func() {
		if _, err := db.NewQuery(fmt.Sprintf("PRAGMA temp_store = %d", was)).Execute(); err != nil {
			app.Logger().Warn("demo: restore the connection's temp_store", "error", err)
		}
	}
}

// rebuildIndexes creates the indexes bulkLoad dropped, with the sorter set
// up as above: a small page cache (bulkLoad's restore puts the
// connection's back) and worker threads (put back here).
func (s *seeder) rebuildIndexes() error {
	var threads int
	if err := s.tx.DB().NewQuery("PRAGMA threads").Row(&threads); err != nil {
		return fmt.Errorf("read threads: %w", err)
	}
	set := []string{
		fmt.Sprintf("PRAGMA cache_size = -%d", min(indexCacheKiB, bulkCacheKiB(s.size))),
		fmt.Sprintf("PRAGMA threads = %d", min(runtime.GOMAXPROCS(0), maxIndexWorkers)),
	}
	for _, q := range set {
		if _, err := s.tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("prepare the index builds (%s): %w", q, err)
		}
	}
	defer func() {
		if _, err := s.tx.DB().NewQuery(fmt.Sprintf("PRAGMA threads = %d", threads)).Execute(); err != nil {
			s.app.Logger().Warn("demo: restore the connection's threads after the index builds", "error", err)
		}
	}()
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
