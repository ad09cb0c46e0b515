package api

func registerCampaignRoutes(g *Group) {}
