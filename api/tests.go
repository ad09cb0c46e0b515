package api

func registerTestRoutes(g *Group) {}
