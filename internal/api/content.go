package api

import (
	"net/http"
	"strconv"

	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/pocketbase/pocketbase/core"
)

// Content routes: how imported content meets the ATT&CK catalogue.
func registerContentRoutes(g *Group) {
	g.GET("/content/unknown-techniques", handleUnknownTechniques).Bind(requireUser())
	document(Op{Method: "GET", Path: Prefix + "/content/unknown-techniques", Tags: []string{"content"}, Auth: "user",
		Query: []Param{{Name: "limit", Description: "rules listed at most (default 200, max 2000)"}},
		Summary: "Rules naming techniques the catalogue does not have (newer ATT&CK?), references waiting for them, " +
			"and rules linked to deprecated techniques",
		Description: "Ids stay recorded and resolve when a catalogue import brings them; that import's attack_releases " +
			"changelog (changes.resolved) says how many.",
		Response: registry.UnknownReport{IDs: []registry.UnknownID{{AttackID: "T1685", Rules: 12, Pending: 0}},
			Rules:     []registry.UnknownRule{{ID: "RULE_ID", Title: "Suspicious ...", Source: "sigma", Unknown: []string{"T1685"}}},
			RuleCount: 1, Deprecated: []registry.DeprecatedRule{}, Pending: map[string]int{"control_mapping": 3}}})
}

func handleUnknownTechniques(e *core.RequestEvent) error {
	limit := 200
	if s := e.Request.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return e.BadRequestError("limit must be a positive number.", nil)
		}
		limit = min(n, 2000)
	}
	rep, err := registry.UnknownTechniques(e.App, limit)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, rep)
}
