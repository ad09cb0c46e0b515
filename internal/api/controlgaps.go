package api

import (
	"fmt"
	"net/http"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/pocketbase/core"
)

// Ranked gaps: which control or technique to work on first, why, and what
// would raise it most (coverage/controlgaps.go).
func registerGapRoutes(g *Group) {
	g.GET("/coverage/control-gaps/{framework}", handleControlGaps).Bind(requireUser())
	g.GET("/coverage/actors/{actor}/raise", handleActorRaise).Bind(requireUser())
	rc := coverage.RankedControl{ID: "CONTROL_ID", ControlID: "AC-2", Title: "Account Management", Status: "partial",
		Framework: "NIST 800-53", Score: 31.5, Level: "low", GapScore: 72.4, Rank: 1, Techniques: 4,
		Why: []coverage.Pull{{TechniqueID: "TECHNIQUE_ID", AttackID: "T1078", Name: "Valid Accounts", Score: 12, Level: "low",
			Weight: 1.8, Deficit: 1.58, Actors: 41, Priority: "high",
			Reasons: []string{"coverage 12 (low)", "never validated", "used by 41 of 160 tracked actors", "priority high"}}},
		Raise: []coverage.Action{{Kind: coverage.ActionRunTest, Technique: "TECHNIQUE_ID", AttackID: "T1078", ID: "TEST_ID",
			Name: "T1078 Valid Accounts", Gain: 15}}}
	document(
		Op{Method: "GET", Path: Prefix + "/coverage/control-gaps/{framework}", Tags: []string{"coverage"}, Auth: "user",
			Query: []Param{{Name: "limit", Description: "controls listed (default 50, max 2000)"},
				{Name: "why", Description: "techniques listed per control (default 5)"},
				{Name: "raise", Description: "actions listed per control (default 5)"}},
			Summary: "Compliance controls ranked by gap score, with the techniques pulling each down and the actions that would raise it most",
			Description: "gap_score = 100·Σ w·(1 − score/100)/Σ w over the control's in-scope techniques, " +
				"w = priority weight · (1 + share of tracked actors using it) · (1 + ½·staleness) (1 never validated, ½ older than fresh_days). " +
				"Action gains are points of the control's coverage after a perfect fresh validation or enabling a rule.",
			Response: map[string]any{"framework": "FRAMEWORK_ID", "controls": 109, "items": []coverage.RankedControl{rc}}},
		Op{Method: "GET", Path: Prefix + "/coverage/actors/{actor}/raise", Tags: []string{"coverage"}, Auth: "user",
			Query:   []Param{{Name: "limit", Description: "techniques listed (default 5, max 100)"}},
			Summary: "Coverage against a threat actor (or ATT&CK campaign) and the techniques that would raise it most, with their actions",
			Response: coverage.ActorGaps{ID: "ACTOR_ID", AttackID: "G0016", Name: "APT29", Score: 41, Level: "partial", Techniques: 60,
				Top: []coverage.Pull{{AttackID: "T1059.001", Name: "PowerShell", Score: 20, Raise: 1.2, Reasons: []string{"never validated"}}}}},
	)
}

func handleControlGaps(e *core.RequestEvent) error {
	fw := e.Request.PathValue("framework")
	why, raise, limit := queryInt(e, "why", 5, 50), queryInt(e, "raise", 5, 50), queryInt(e, "limit", 50, 2000)
	opt := coverage.Options{RevealedOnly: blueCaller(e)}
	key := fmt.Sprintf("control-gaps|%s|%q|%d|%d|%d", visibility(e), fw, why, raise, limit)
	return writeView(e, key, func() (any, error) {
		r, err := coverage.For(e.App).Result(opt)
		if err != nil {
			return nil, err
		}
		items := r.RankControls(fw, why, raise)
		if len(items) == 0 {
			return nil, errNoSuch("No controls for framework " + fw + ".")
		}
		total := len(items)
		if len(items) > limit {
			items = items[:limit]
		}
		return map[string]any{"framework": fw, "controls": total, "items": items}, nil
	})
}

func handleActorRaise(e *core.RequestEvent) error {
	r, err := coverage.For(e.App).Result(coverage.Options{RevealedOnly: blueCaller(e)})
	if err != nil {
		return coverageError(e, err)
	}
	a := r.RaiseActor(e.Request.PathValue("actor"), queryInt(e, "limit", 5, 100))
	if a == nil {
		return e.NotFoundError("No such threat actor.", nil)
	}
	return e.JSON(http.StatusOK, a)
}
