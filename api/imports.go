package api

func registerImportRoutes(g *Group) {}
