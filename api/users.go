package api

func registerUserRoutes(g *Group) {}
