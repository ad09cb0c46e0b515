package security

import (
	"regexp"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// Which rows a caller's list rules hide: hidesNoRow follows a list
// request's filter and sort through relations to every collection they
// read, and evaluates each one's list rule with the caller's own values
// (three-valued: always, never, or depending on the row). Used by
// answerEmptyList (emptylists.go).

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
