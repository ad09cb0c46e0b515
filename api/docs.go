package api

func registerDocsRoutes(g *Group) {}
