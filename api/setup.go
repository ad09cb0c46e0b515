package api

func registerSetupRoutes(g *Group) {}
