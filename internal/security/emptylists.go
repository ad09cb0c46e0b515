package security

import (
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// Empty filtered lists and timing.
//
// PocketBase delays the empty answer to a filtered list by 0–500 ms, at
// random, once a client address has had more than three from one
// collection in three seconds: a list rule filters in the same query as
// the client's filter (and as the rules of the collections the filter
// reaches through relations), so the time of an empty answer could tell
// whether rows the rules hide match the filter. That delay slows a board
// with empty columns or a search that finds nothing, and does not cover a
// client that probes once a second. answerEmptyList does instead:
//
//   - where no rule the request reads depends on the row for this caller,
//     there is nothing hidden to time: the answer goes at once;
//   - where one does (blue roles on tests and all that hangs on them,
//     anyone on notifications, a filter the check cannot follow), every
//     empty answer takes the same time, emptyListFloor from the request's
//     start, however many hidden rows the query passed over; a query slower
//     than that is not hidden by the floor, and goes on to PocketBase and
//     its random delay, as before.

// emptyListsPriority runs the handler after every other list handler, just
// before PocketBase's own answer.
const emptyListsPriority = 1 << 20

// emptyListFloor is how long an empty answer takes when the caller's rules
// hide rows: above the time of an index-backed query at the xl
// organisation (under 2 ms; a scan of the 200k tests' name index is 25 ms),
// below what a person notices.
// (Atomic: tests set it while a server reads it.)
var emptyListFloor = func() *atomic.Int64 {
	var d atomic.Int64
	d.Store(int64(50 * time.Millisecond))
	return &d
}()

// listStartKey is where markListStart keeps the time a records list
// request arrived.
const listStartKey = "aegisListStart"

// markListStart notes when a records list request arrived (the floor is
// counted from there).
func markListStart(e *core.RequestEvent) error {
	if e.Request.Method == http.MethodGet && strings.HasPrefix(e.Request.URL.Path, "/api/collections/") && strings.HasSuffix(e.Request.URL.Path, "/records") {
		e.Set(listStartKey, time.Now())
	}
	return e.Next()
}

// answerEmptyList answers an empty filtered list as described above.
func answerEmptyList(e *core.RecordsListRequestEvent) error {
	if len(e.Records) > 0 || e.HasSuperuserAuth() {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil || info.Query[search.FilterQueryParam] == "" {
		return e.Next()
	}
	if !hidesNoRow(e.App, e.Collection, info.Auth, info.Query[search.FilterQueryParam], info.Query[search.SortQueryParam]) {
		start, ok := e.Get(listStartKey).(time.Time)
		if !ok {
			return e.Next()
		}
		wait := time.Duration(emptyListFloor.Load()) - time.Since(start)
		if wait <= 0 {
			return e.Next()
		}
		time.Sleep(wait)
	}
	if err := apis.EnrichRecords(e.RequestEvent, e.Records); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, e.Result)
}
