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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registeredRouter runs the production OnServe hooks on a fresh router.
func registeredRouter(t *testing.T) *router.Router[*core.RequestEvent] {
	t.Helper()
	ta := testutil.NewApp(t)
	r, err := apis.NewRouter(ta)
	require.NoError(t, err)
	require.NoError(t, ta.OnServe().Trigger(&core.ServeEvent{App: ta, Router: r}, func(e *core.ServeEvent) error { return nil }))
	return r
}

func TestEveryRegisteredRouteIsDocumented(t *testing.T) {
	r := registeredRouter(t)
	routes := api.RegisteredRoutes(r, api.Prefix)
	require.GreaterOrEqual(t, len(routes), 5, "routes under %s: is the router walk broken? %v", api.Prefix, routes)
	documented := map[string]bool{}
	for _, op := range api.Documented() {
		documented[op.Method+" "+op.Path] = true
	}
	for _, rt := range routes {
		if !assert.NotEmpty(t, rt.Method, "route %s accepts any method; register it per method so it can be documented", rt.Path) {
			continue
		}
		assert.True(t, documented[rt.Method+" "+rt.Path], "%s %s is registered but missing from openapi.json: add document(Op{...}) next to it", rt.Method, rt.Path)
	}
	// And nothing documented that does not exist.
	for _, op := range api.Documented() {
		assert.True(t, r.HasRoute(op.Method, op.Path), "%s %s is documented but not registered", op.Method, op.Path)
	}
	// The walk sees PocketBase's own routes too, so it is not reading
	// the documentation back.
	assert.NotEmpty(t, api.RegisteredRoutes(r, "/api/collections"), "router walk found none of PocketBase's record routes")
}

func TestOpenAPIDocument(t *testing.T) {
	s := testutil.NewServer(t)
	res := testutil.Scenario{
		Name: "openapi.json is served to guests as JSON", Method: http.MethodGet, URL: "/api/aegis/openapi.json",
		ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"openapi":"3.1`},
	}.Test(t, s)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/json"), "openapi.json content type %s", res.Header.Get("Content-Type"))
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
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3.1"), "not an OpenAPI 3.1 document: %+v", doc)
	require.NotEmpty(t, doc.Info.Title, "not an OpenAPI 3.1 document: %+v", doc)
	require.NotEmpty(t, doc.Info.Version, "not an OpenAPI 3.1 document: %+v", doc)
	require.NotEmpty(t, doc.Paths, "not an OpenAPI 3.1 document: %+v", doc)
	methods := map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true}
	for path, item := range doc.Paths {
		assert.True(t, strings.HasPrefix(path, api.Prefix), "bad path key %q", path)
		assert.NotContains(t, path, "...", "bad path key")
		for m, op := range item {
			assert.True(t, methods[m], "%s: unknown method key %q", path, m)
			assert.IsType(t, map[string]any{}, op["responses"], "%s %s: no responses", m, path)
			assert.NotEqual(t, "", op["summary"], "%s %s: no summary", m, path)
			if strings.Contains(path, "{") {
				assert.NotNil(t, op["parameters"], "%s %s: path parameters undeclared", m, path)
			}
		}
	}
	assert.NotNil(t, doc.Paths[api.Prefix+"/setup"]["post"]["requestBody"], "setup has no request body")
	assert.Contains(t, doc.Components.SecuritySchemes, "token", "no token security scheme")
	assert.Contains(t, doc.Components.Schemas, "Error", "no Error schema")
	// Every collection's record shape, read from the live schema.
	for _, name := range collections.All {
		found := false
		for _, s := range doc.Components.Schemas {
			if s["title"] == name {
				found = true
				break
			}
		}
		assert.True(t, found, "no schema for collection %s", name)
	}
	users := doc.Components.Schemas["UsersRecord"]
	props, _ := users["properties"].(map[string]any)
	role, _ := props["role"].(map[string]any)
	enum, _ := role["enum"].([]any)
	assert.GreaterOrEqual(t, len(enum), len(collections.Roles), "users.role should list the roles: %v", role)
	assert.NotContains(t, props, "password", "password in the users schema")
	assert.NotContains(t, props, "tokenKey", "tokenKey in the users schema")
	tests, ok := doc.Components.Schemas["TestsRecord"]["properties"].(map[string]any)
	require.True(t, ok, "TestsRecord properties")
	assert.Equal(t, "integer", tests["revision"].(map[string]any)["type"], "tests.revision type")
	assert.Equal(t, "boolean", tests["revealed"].(map[string]any)["type"], "tests.revealed type")
}
