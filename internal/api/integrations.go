package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/pocketbase/pocketbase/core"
)

// probeTimeout bounds "test connection": long enough for a slow TAXII
// server's first page, short enough for a person waiting on a button.
const probeTimeout = 20 * time.Second

func registerIntegrationRoutes(g *Group) {
	g.POST("/integrations/test", handleIntegrationTest).Bind(requireRole(collections.RoleAdmin))
	document(Op{Method: "POST", Path: Prefix + "/integrations/test", Tags: []string{"integrations"}, Auth: "admin",
		Summary: "Test a source before saving it: open it and read its first file (writes nothing)",
		Description: "Body {kind, source: {spec, token?, collection?, username?, password?}, id?}. With id, credentials left " +
			"empty are taken from that stored integration (they are write-only: answers carry token_set/password_set). " +
			"Answers ok and a sentence; a source that cannot be reached is ok: false with why, not an HTTP error.",
		Request:  map[string]any{"kind": "sigma", "source": map[string]any{"spec": "/srv/sigma/rules"}},
		Response: map[string]any{"ok": true, "message": "Reached /srv/sigma/rules: first file rules/a.yml (2.1 KB) in 3 ms.", "probe": jobs.Probe{Source: "/srv/sigma/rules", FirstFile: "rules/a.yml", Size: 2150, Millis: 3}}})
}

func handleIntegrationTest(e *core.RequestEvent) error {
	var in struct {
		Id     string                 `json:"id"`
		Kind   string                 `json:"kind"`
		Source jobs.IntegrationSource `json:"source"`
	}
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	if _, ok := registry.Lookup(in.Kind); !ok {
		return e.BadRequestError(fmt.Sprintf("Unknown kind %q: use one of %s.", in.Kind, strings.Join(registry.Kinds(), ", ")), nil)
	}
	if strings.TrimSpace(in.Source.Spec) == "" {
		return e.BadRequestError("Give the source: a path, URL, github:owner/repo@ref or taxii+https://… URL.", nil)
	}
	p, err := jobs.TestSource(e.Request.Context(), e.App, in.Id, in.Source, probeTimeout)
	if err != nil {
		return e.JSON(http.StatusOK, map[string]any{"ok": false, "message": "Could not read the source: " + err.Error()})
	}
	size := "size unknown"
	if p.Size >= 0 {
		size = fmt.Sprintf("%.1f KB", float64(p.Size)/1024)
	}
	return e.JSON(http.StatusOK, map[string]any{"ok": true, "probe": p,
		"message": fmt.Sprintf("Reached %s: first file %s (%s) in %d ms.", p.Source, p.FirstFile, size, p.Millis)})
}
