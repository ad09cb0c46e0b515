package app

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The served database keeps PocketBase's pragmas (WAL, foreign keys,
// busy timeout) with the smaller page cache.
func TestDBConnectPragmas(t *testing.T) {
	db, err := dbConnect(filepath.Join(t.TempDir(), "data.db"))
	require.NoError(t, err)
	defer db.Close()
	pragma := func(name string) string {
		var v string
		require.NoError(t, db.NewQuery("PRAGMA "+name).Row(&v))
		return v
	}
	assert.Equal(t, fmt.Sprintf("-%d", PageCacheKiB), pragma("cache_size"))
	assert.Equal(t, "wal", pragma("journal_mode"))
	assert.Equal(t, "1", pragma("foreign_keys"))
	assert.Equal(t, "10000", pragma("busy_timeout"))
	assert.Equal(t, "1", pragma("synchronous"))
}
