package api

func registerExportRoutes(g *Group) {}
