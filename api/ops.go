package api

func registerOpsRoutes(g *Group) {}
