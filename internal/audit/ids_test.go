package audit

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrderedIDs: ids are PocketBase ids (15 of a-z0-9) that sort in the
// order they were made, within one microsecond and across a clock that
// goes back.
func TestOrderedIDs(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9]{15}$`)
	now := time.Now()
	var ids []string
	for i := 0; i < 2000; i++ {
		at := now
		if i == 1000 {
			at = now.Add(-time.Hour) // the clock stepped back
		}
		ids = append(ids, orderedID(at))
	}
	for _, id := range ids {
		require.Regexp(t, valid, id)
	}
	assert.True(t, sort.StringsAreSorted(ids), "ids in the order they were made")
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	assert.Len(t, seen, len(ids), "no id twice")
	later := time.Now().Add(time.Hour)
	assert.Equal(t, fmt.Sprintf("%010s", strconv.FormatInt(later.UnixMicro(), 36)), orderedID(later)[:10], "the time part is the time")
}
