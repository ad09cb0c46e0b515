package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/api"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// registeredRouter runs the production OnServe hooks on a fresh router.
func registeredRouter(t *testing.T) *router.Router[*core.RequestEvent] {
	t.Helper()
	ta := testutil.NewApp(t)
	r, err := apis.NewRouter(ta)
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.OnServe().Trigger(&core.ServeEvent{App: ta, Router: r}, func(e *core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEveryRegisteredRouteIsDocumented(t *testing.T) {
	r := registeredRouter(t)
	routes := api.RegisteredRoutes(r, api.Prefix)
	if len(routes) < 5 {
		t.Fatalf("found only %d routes under %s: is the router walk broken? %v", len(routes), api.Prefix, routes)
	}
	documented := map[string]bool{}
	for _, op := range api.Documented() {
		documented[op.Method+" "+op.Path] = true
	}
	for _, rt := range routes {
		if rt.Method == "" {
			t.Errorf("route %s accepts any method; register it per method so it can be documented", rt.Path)
			continue
		}
		if !documented[rt.Method+" "+rt.Path] {
			t.Errorf("%s %s is registered but missing from openapi.json: add document(Op{...}) next to it", rt.Method, rt.Path)
		}
	}
	// And nothing documented that does not exist.
	for _, op := range api.Documented() {
		if !r.HasRoute(op.Method, op.Path) {
			t.Errorf("%s %s is documented but not registered", op.Method, op.Path)
		}
	}
	// The walk sees PocketBase's own routes too, so it is not reading
	// the documentation back.
	if all := api.RegisteredRoutes(r, "/api/collections"); len(all) == 0 {
		t.Error("router walk found none of PocketBase's record routes")
	}
}

func TestOpenAPIDocument(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	res := testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/openapi.json", "", nil)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title, Version string
		}
		Paths      map[string]map[string]map[string]any
		Components struct {
			Schemas         map[string]map[string]any
			SecuritySchemes map[string]any
		}
	}
	res.JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Info.Title == "" || doc.Info.Version == "" || len(doc.Paths) == 0 {
		t.Fatalf("not an OpenAPI 3.1 document: %+v", doc)
	}
	methods := map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true}
	for path, item := range doc.Paths {
		if !strings.HasPrefix(path, api.Prefix) || strings.Contains(path, "...") {
			t.Errorf("bad path key %q", path)
		}
		for m, op := range item {
			if !methods[m] {
				t.Errorf("%s: unknown method key %q", path, m)
			}
			if _, ok := op["responses"].(map[string]any); !ok {
				t.Errorf("%s %s: no responses", m, path)
			}
			if op["summary"] == "" {
				t.Errorf("%s %s: no summary", m, path)
			}
			if strings.Contains(path, "{") && op["parameters"] == nil {
				t.Errorf("%s %s: path parameters undeclared", m, path)
			}
		}
	}
	if doc.Paths[api.Prefix+"/setup"]["post"]["requestBody"] == nil {
		t.Error("setup has no request body")
	}
	if _, ok := doc.Components.SecuritySchemes["token"]; !ok {
		t.Error("no token security scheme")
	}
	if _, ok := doc.Components.Schemas["Error"]; !ok {
		t.Error("no Error schema")
	}
	// Every collection's record shape, read from the live schema.
	for _, name := range collections.All {
		found := false
		for _, s := range doc.Components.Schemas {
			if s["title"] == name {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no schema for collection %s", name)
		}
	}
	users := doc.Components.Schemas["UsersRecord"]
	props, _ := users["properties"].(map[string]any)
	role, _ := props["role"].(map[string]any)
	enum, _ := role["enum"].([]any)
	if len(enum) < len(collections.Roles) {
		t.Errorf("users.role should list the roles: %v", role)
	}
	if _, leaked := props["password"]; leaked {
		t.Error("password in the users schema")
	}
	if _, leaked := props["tokenKey"]; leaked {
		t.Error("tokenKey in the users schema")
	}
	tests := doc.Components.Schemas["TestsRecord"]["properties"].(map[string]any)
	if tests["revision"].(map[string]any)["type"] != "integer" || tests["revealed"].(map[string]any)["type"] != "boolean" {
		t.Errorf("tests field types: %v %v", tests["revision"], tests["revealed"])
	}
}
