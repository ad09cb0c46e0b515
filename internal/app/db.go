package app

import (
	"fmt"

	"github.com/pocketbase/dbx"
	_ "modernc.org/sqlite" // the driver PocketBase uses by default
)

// PageCacheKiB is SQLite's page cache per connection. PocketBase's default
// is 32 MB per connection; with several pooled connections that each read a
// large table once (a model load, an export, a list with expansions), the
// caches stay resident and made up most of the served organisation's RSS.
// The database file is in the OS page cache anyway: 1 MB per connection
// took the served xl organisation from 164 to 133 MB after the lists, the
// large one's memory outside the Go heap from 25 to 14 MB, with no slower
// lists (docs/BENCHMARKS.md, memory).
const PageCacheKiB = 1024

// dbConnect is PocketBase's connection with the same pragmas, and a smaller
// page cache.
func dbConnect(dbPath string) (*dbx.DB, error) {
	// busy_timeout first: block on busy before switching to WAL.
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)" +
		fmt.Sprintf("&_pragma=cache_size(-%d)", PageCacheKiB)
	db, err := dbx.Open("sqlite", dbPath+pragmas)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	return db, nil
}
