package testutil

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// QueryLog records the SQL that app's read connections run (where the
// records API and Aegis's reads go) from CaptureQueries until the test ends.
type QueryLog struct {
	mu      sync.Mutex
	queries []string
}

// CaptureQueries starts recording the SQL of app's concurrent (read) pool.
// Tests use it to count how often a query runs (a cache works) or to read
// the plan of the SQL PocketBase built for a request.
func CaptureQueries(t testing.TB, app core.App) *QueryLog {
	t.Helper()
	db, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		t.Fatalf("the concurrent db is %T, not *dbx.DB", app.ConcurrentDB())
	}
	l := &QueryLog{}
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, q string, _ *sql.Rows, _ error) {
		l.mu.Lock()
		l.queries = append(l.queries, q)
		l.mu.Unlock()
	}
	t.Cleanup(func() { db.QueryLogFunc = nil })
	return l
}

// Reset forgets what was recorded so far.
func (l *QueryLog) Reset() {
	l.mu.Lock()
	l.queries = nil
	l.mu.Unlock()
}

// All is a copy of the queries recorded since the start or the last Reset.
func (l *QueryLog) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.queries...)
}

// Count is how many recorded queries match.
func (l *QueryLog) Count(match func(q string) bool) int {
	n := 0
	for _, q := range l.All() {
		if match(q) {
			n++
		}
	}
	return n
}

// Containing matches a query that contains every one of parts.
func Containing(parts ...string) func(string) bool {
	return func(q string) bool {
		for _, p := range parts {
			if !strings.Contains(q, p) {
				return false
			}
		}
		return true
	}
}
