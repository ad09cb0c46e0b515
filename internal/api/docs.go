package api

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

func registerDocsRoutes(g *Group) {
	g.GET("/openapi.json", serveOpenAPI)
	document(Op{Method: http.MethodGet, Path: Prefix + "/openapi.json", Tags: []string{"docs"}, Auth: "public",
		Summary:  "This OpenAPI 3.1 description of the Aegis routes and record shapes",
		Response: map[string]any{"openapi": OpenAPIVersion, "info": map[string]any{"title": "Aegis API"}, "paths": map[string]any{}}})
}

func serveOpenAPI(e *core.RequestEvent) error {
	doc, err := BuildOpenAPI(e.App, Documented())
	if err != nil {
		return e.InternalServerError("", err)
	}
	e.Response.Header().Set("Cache-Control", "no-cache")
	return e.JSON(http.StatusOK, doc)
}
