package security

import (
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ganigeorgiev/fexpr"
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

// hidesNoRow reports whether, for auth, the list rule of collection and of
// every collection filter and sort reach through relations is the same for
// every row (true or false, never depending on a field of the row). Any
// part it cannot follow makes it false.
func hidesNoRow(app core.App, collection *core.Collection, auth *core.Record, filter, sort string) bool {
	if auth == nil {
		return false
	}
	reached := map[string]*core.Collection{collection.Id: collection}
	paths, ok := filterPaths(filter)
	if !ok {
		return false
	}
	for _, f := range search.ParseSortFromString(sort) {
		if f.Name != "" && f.Name != "@random" && f.Name != "@rowid" {
			paths = append(paths, f.Name)
		}
	}
	for _, p := range paths {
		if !walk(app, collection, p, reached) {
			return false
		}
	}
	for _, c := range reached {
		if c.ListRule == nil {
			return false
		}
		if *c.ListRule == "" {
			continue
		}
		groups, err := fexpr.Parse(*c.ListRule)
		if err != nil || evalGroups(groups, auth) == unknown {
			return false
		}
	}
	return true
}

// filterPaths lists the field paths a filter names (not the @request
// ones); false when it holds something the check does not follow (a
// function, an @collection join, a nested @request path).
func filterPaths(filter string) ([]string, bool) {
	if filter == "" {
		return nil, true
	}
	groups, err := fexpr.Parse(filter)
	if err != nil {
		return nil, false
	}
	var paths []string
	ok := true
	var visit func([]fexpr.ExprGroup)
	token := func(t fexpr.Token) {
		switch t.Type {
		case fexpr.TokenFunction:
			ok = false
		case fexpr.TokenIdentifier:
			switch name := t.Literal; {
			case isLiteralWord(name):
			case strings.HasPrefix(name, "@request."):
				if strings.Count(strings.SplitN(name, ":", 2)[0], ".") > 2 {
					ok = false // @request.auth.relation.field joins another collection
				}
			case strings.HasPrefix(name, "@") && !strings.Contains(name, "."):
				// a date macro (@now, @todayStart…) or @rowid: no other collection
			case strings.HasPrefix(name, "@"):
				ok = false
			default:
				paths = append(paths, name)
			}
		}
	}
	visit = func(gs []fexpr.ExprGroup) {
		for _, g := range gs {
			switch item := g.Item.(type) {
			case fexpr.Expr:
				token(item.Left)
				token(item.Right)
			case fexpr.ExprGroup:
				visit([]fexpr.ExprGroup{item})
			case []fexpr.ExprGroup:
				visit(item)
			default:
				ok = false
			}
		}
	}
	visit(groups)
	return paths, ok
}

// backRelation is PocketBase's "collection_via_field".
var backRelation = regexp.MustCompile(`^(\w+)_via_(\w+)$`)

// walk follows path from collection through relations and back-relations,
// adding every collection it passes to reached; false when a step is not
// a field it knows.
func walk(app core.App, collection *core.Collection, path string, reached map[string]*core.Collection) bool {
	parts := strings.Split(path, ".")
	parts[len(parts)-1] = strings.SplitN(parts[len(parts)-1], ":", 2)[0]
	cur := collection
	for i, name := range parts {
		if strings.Contains(name, ":") {
			return false
		}
		last := i == len(parts)-1
		if f := cur.Fields.GetByName(name); f != nil {
			if last {
				return true
			}
			switch field := f.(type) {
			case *core.RelationField:
				next, err := app.FindCachedCollectionByNameOrId(field.CollectionId)
				if err != nil {
					return false
				}
				cur = next
				reached[cur.Id] = cur
				continue
			case *core.JSONField:
				return true // the rest are keys inside the value
			default:
				return false
			}
		}
		m := backRelation.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		next, err := app.FindCachedCollectionByNameOrId(m[1])
		if err != nil {
			return false
		}
		if rel, ok := next.Fields.GetByName(m[2]).(*core.RelationField); !ok || rel.CollectionId != cur.Id {
			return false
		}
		cur = next
		reached[cur.Id] = cur
		if last {
			return true
		}
	}
	return true
}

// tri is a rule's value for one caller over every row: always true, always
// false, or unknown (it depends on the row, or the check cannot tell).
type tri int

const (
	unknown tri = iota
	never
	always
)

// evalGroups evaluates a parsed rule as PocketBase builds it into SQL: the
// groups joined in order, AND binding tighter than OR.
func evalGroups(groups []fexpr.ExprGroup, auth *core.Record) tri {
	var or []tri // the value of each AND chain
	chain := always
	for i, g := range groups {
		var v tri
		switch item := g.Item.(type) {
		case fexpr.Expr:
			v = evalExpr(item, auth)
		case fexpr.ExprGroup:
			v = evalGroups([]fexpr.ExprGroup{item}, auth)
		case []fexpr.ExprGroup:
			v = evalGroups(item, auth)
		default:
			return unknown
		}
		if i > 0 && g.Join == fexpr.JoinOr {
			or = append(or, chain)
			chain = always
		}
		chain = and(chain, v)
	}
	or = append(or, chain)
	out := never
	for _, v := range or {
		switch {
		case v == always:
			return always
		case v == unknown:
			out = unknown
		}
	}
	return out
}

// and is the three-valued AND.
func and(a, b tri) tri {
	switch {
	case a == never || b == never:
		return never
	case a == unknown || b == unknown:
		return unknown
	}
	return always
}

// evalExpr evaluates an equality between values known without a row (the
// caller's own fields and literals); anything else is unknown.
func evalExpr(x fexpr.Expr, auth *core.Record) tri {
	if x.Op != fexpr.SignEq && x.Op != fexpr.SignNeq {
		return unknown
	}
	l, lok := value(x.Left, auth)
	r, rok := value(x.Right, auth)
	if !lok || !rok {
		return unknown
	}
	if (l == r) == (x.Op == fexpr.SignEq) {
		return always
	}
	return never
}

// value is a token's value when it does not depend on the row: a quoted
// text, true or false, or a plain text, select or bool field of the caller.
func value(t fexpr.Token, auth *core.Record) (string, bool) {
	switch t.Type {
	case fexpr.TokenText:
		return t.Literal, true
	case fexpr.TokenIdentifier:
	default:
		return "", false
	}
	switch t.Literal {
	case "true", "false":
		return t.Literal, true
	}
	name, ok := strings.CutPrefix(t.Literal, "@request.auth.")
	if !ok || strings.ContainsAny(name, ".:") {
		return "", false
	}
	switch name {
	case "id":
		return auth.Id, true
	case "collectionName":
		return auth.Collection().Name, true
	}
	switch f := auth.Collection().Fields.GetByName(name).(type) {
	case *core.BoolField:
		if auth.GetBool(name) {
			return "true", true
		}
		return "false", true
	case *core.TextField:
		return auth.GetString(name), true
	case *core.SelectField:
		if f.IsMultiple() {
			return "", false
		}
		return auth.GetString(name), true
	}
	return "", false
}

// isLiteralWord is an identifier PocketBase reads as a value, not a field.
func isLiteralWord(s string) bool {
	return s == "true" || s == "false" || s == "null"
}
