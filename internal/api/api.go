// Package api holds the custom HTTP routes under /api/aegis/. Handlers are
// thin: parse the input, check the caller, call one domain function, write
// the answer. Each area registers its routes from its own file.
package api

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Prefix is the root of every Aegis route.
const Prefix = "/api/aegis"

// Group is the router group that area files register on.
type Group = router.RouterGroup[*core.RequestEvent]

// Register binds the routes and the global middlewares to app.
func Register(app core.App) {
	bindViewCache(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindMiddlewares(se)
		bindHealthStatus(se)
		bindListTotals(se.App, se)
		bindAuthCache(se.App, se)
		g := se.Router.Group(Prefix)
		registerSetupRoutes(g)
		registerDocsRoutes(g)
		registerUserRoutes(g)
		registerImportRoutes(g)
		registerJobRoutes(g)
		registerTestRoutes(g)
		registerTestTotalRoute(g)
		registerCampaignRoutes(g)
		registerCoverageRoutes(g)
		registerExportRoutes(g)
		registerOpsRoutes(g)
		registerSecurityRoutes(g)
		registerRuleRoutes(g)
		registerIntegrationRoutes(g)
		registerContentRoutes(g)
		registerGapRoutes(g)
		return se.Next()
	})
}
