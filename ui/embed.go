// Package ui embeds the built SPA (ui/dist) and serves it at / with
// client-side routing fallback, leaving /api/ and /_/ to PocketBase.
package ui

import (
	"embed"
	"io/fs"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

//go:embed all:dist
var distDir embed.FS

// DistFS is the built SPA with the dist/ prefix stripped.
var DistFS, _ = fs.Sub(distDir, "dist")

// Register serves the SPA for every GET that no other route claims.
func Register(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		spa := apis.Static(DistFS, true)
		se.Router.GET("/{path...}", func(e *core.RequestEvent) error {
			p := e.Request.PathValue(apis.StaticWildcardParam)
			if p == "api" || strings.HasPrefix(p, "api/") {
				return e.NotFoundError("", nil)
			}
			if strings.HasPrefix(p, "assets/") {
				e.Response.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				e.Response.Header().Set("Cache-Control", "no-cache")
			}
			return spa(e)
		}).Bind(apis.Gzip())
		return se.Next()
	})
}
