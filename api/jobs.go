package api

func registerJobRoutes(g *Group) {}
