package api

import (
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// ContentSecurityPolicy is sent with the SPA and the API. The SPA is built
// by Vite into same-origin files: no inline or remote scripts, inline styles
// only (component libraries set style attributes), images also from data:
// and blob: URLs (heatmap PNG/SVG exports), and XHR/SSE to this origin.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// PermissionsPolicy turns off browser features Aegis never uses.
const PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), " +
	"magnetometer=(), gyroscope=(), accelerometer=(), fullscreen=(self)"

// securityHeadersId names the middleware so tests and routes can find it.
const securityHeadersId = "aegisSecurityHeaders"

func bindMiddlewares(se *core.ServeEvent) {
	se.Router.Bind(securityHeaders())
}

// securityHeaders runs right after PocketBase's own (which sets nosniff and
// X-Frame-Options SAMEORIGIN) and tightens them.
func securityHeaders() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       securityHeadersId,
		Priority: apis.DefaultSecurityHeadersMiddlewarePriority + 1,
		Func: func(e *core.RequestEvent) error {
			h := e.Response.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Permissions-Policy", PermissionsPolicy)
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if ownCSP(e.Request.URL.Path) {
				h.Set("Content-Security-Policy", ContentSecurityPolicy)
			}
			return e.Next()
		},
	}
}

// ownCSP tells whether path gets the Aegis policy. Two places keep their
// own: the PocketBase dashboard (/_/) sets a policy allowing its one inline
// script by hash, and served files (/api/files/) get a sandboxing policy
// from PocketBase's file server, which only sets it when none is present.
func ownCSP(path string) bool {
	return !(path == "/_" || strings.HasPrefix(path, "/_/") || strings.HasPrefix(path, "/api/files/"))
}
