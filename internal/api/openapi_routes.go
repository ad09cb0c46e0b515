package api

import (
	"reflect"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Route is one registered method and path pattern.
type Route struct {
	Method string // "" for routes that accept any method
	Path   string // full pattern, group prefixes included
}

// RegisteredRoutes lists every route registered on r under prefix, walking
// the router's groups. PocketBase's router has no public listing (only
// HasRoute), so this reads its group tree by reflection; the test suite
// fails loudly if the tree's shape changes with an upgrade.
func RegisteredRoutes(r *router.Router[*core.RequestEvent], prefix string) []Route {
	var out []Route
	walkGroup(reflect.ValueOf(r.RouterGroup), "", &out)
	filtered := out[:0]
	for _, rt := range out {
		if rt.Path == prefix || strings.HasPrefix(rt.Path, prefix+"/") {
			filtered = append(filtered, rt)
		}
	}
	sort.Slice(filtered, func(i, j int) bool {
		if filtered[i].Path != filtered[j].Path {
			return filtered[i].Path < filtered[j].Path
		}
		return filtered[i].Method < filtered[j].Method
	})
	return filtered
}

func walkGroup(g reflect.Value, parent string, out *[]Route) {
	if g.Kind() == reflect.Pointer {
		if g.IsNil() {
			return
		}
		g = g.Elem()
	}
	prefix := parent + g.FieldByName("Prefix").String()
	children := g.FieldByName("children")
	if !children.IsValid() {
		panic("api: PocketBase's RouterGroup has no children field any more; update RegisteredRoutes")
	}
	for i := 0; i < children.Len(); i++ {
		child := children.Index(i)
		if child.Kind() == reflect.Interface {
			child = child.Elem()
		}
		el := child
		if el.Kind() == reflect.Pointer {
			el = el.Elem()
		}
		if el.FieldByName("children").IsValid() {
			walkGroup(child, prefix, out)
			continue
		}
		*out = append(*out, Route{Method: el.FieldByName("Method").String(), Path: prefix + el.FieldByName("Path").String()})
	}
}
