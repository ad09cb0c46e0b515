package api

func registerCoverageRoutes(g *Group) {}
