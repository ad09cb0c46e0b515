package audit

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/tools/security"
)

// Audit entry ids grow with the time they are written: ten base-36 digits
// of the microseconds since 1970 (enough until 2085), then five random
// ones. The log is read newest first by created, then id; entries written
// in the same millisecond (a record's creation and its first transition,
// a save and the sign-in that caused it) then show in the order they were
// written instead of the random order of PocketBase's ids. Within a
// process the time part never repeats or goes back; two processes writing
// in the same microsecond are ordered by their random part.

const (
	idTimeDigits = 10
	idRandDigits = 5
	idAlphabet   = "abcdefghijklmnopqrstuvwxyz0123456789"
)

var idClock struct {
	sync.Mutex
	last int64 // the last time part given, in microseconds
}

// orderedID is a new audit entry id, greater than every earlier one of
// this process.
func orderedID(now time.Time) string {
	idClock.Lock()
	us := max(now.UnixMicro(), idClock.last+1)
	idClock.last = us
	idClock.Unlock()
	t := strconv.FormatInt(us, 36)
	return strings.Repeat("0", max(0, idTimeDigits-len(t))) + t + security.RandomStringWithAlphabet(idRandDigits, idAlphabet)
}
