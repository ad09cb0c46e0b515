package api

import (
	"net/http"
	"strconv"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

func registerCampaignRoutes(g *Group) {
	planners := requireRole(c.RoleAdmin, c.RoleRedLead)
	g.POST("/campaigns/from-actor", handleCampaignFromActor).Bind(planners)
	g.POST("/campaigns/from-attack-campaign", handleCampaignFromAttackCampaign).Bind(planners)
	g.POST("/campaigns/from-layer", handleCampaignFromLayer).Bind(planners, apis.BodyLimit(campaigns.MaxLayerBytes+(1<<20)))
	g.GET("/campaigns/names", (&campaignNames{}).handle).Bind(requireUser())
	g.GET("/campaigns/{id}/progress", handleCampaignProgress).Bind(requireUser())
	g.POST("/campaigns/{id}/retest", handleCampaignRetest).Bind(planners)
	g.GET("/campaigns/{id}/compare", handleCampaignCompare).Bind(requireUser())
	g.POST("/campaigns/{id}/reveal", handleCampaignReveal).Bind(planners)

	gen := map[string]any{"campaign": map[string]any{"id": "CAMPAIGN_ID", "name": "APT29 emulation", "status": c.CampaignPlanned, "round": 1},
		"tests":   []any{map[string]any{"id": "TEST_ID", "technique": "TECHNIQUE_ID", "state": c.StateDraft, "platform": "windows"}},
		"skipped": []string{"T1086: revoked or deprecated"}}
	document(
		Op{Method: "POST", Path: Prefix + "/campaigns/from-actor", Tags: []string{"campaigns"}, Auth: "red_lead,admin",
			Summary: "Plan a campaign emulating a threat actor: one draft test per technique it uses",
			Description: "actor is a record id or an ATT&CK id (G0016). With platforms, only techniques on one of them get a " +
				"test, prefilled from the best template (Atomic, then CALDERA, then manual) for the first matching platform. " +
				"preview: true writes nothing and answers preview: [{technique, name, platform, template, source, why}] and skipped.",
			Request:  map[string]any{"actor": "G0016", "name": "APT29 Q3", "platforms": []string{"windows"}, "blind": false, "preview": false},
			Response: gen},
		Op{Method: "POST", Path: Prefix + "/campaigns/from-attack-campaign", Tags: []string{"campaigns"}, Auth: "red_lead,admin",
			Summary: "Plan a campaign emulating an ATT&CK campaign (C0001…): one draft test per technique it used",
			Description: "attack_campaign is a record id or an ATT&CK id (C0024). Same behaviour as from-actor: platforms " +
				"filter the techniques, tests are prefilled from the best template; the plan points at the ATT&CK campaign " +
				"(and at its group when ATT&CK attributes it to exactly one).",
			Request:  map[string]any{"attack_campaign": "C0024", "name": "SolarWinds emulation", "platforms": []string{"windows"}},
			Response: gen},
		Op{Method: "POST", Path: Prefix + "/campaigns/from-layer", Tags: []string{"campaigns"}, Auth: "red_lead,admin",
			Multipart: true,
			Summary:   "Plan a campaign from an ATT&CK Navigator layer (multipart `file`; optional name, platforms (comma list), blind)",
			Description: "One draft test per technique the layer scores (numeric score) or selects (colour), minus those it " +
				"disables; unknown ids are listed in skipped.",
			Response: gen},
		Op{Method: "GET", Path: Prefix + "/campaigns/names", Tags: []string{"campaigns"}, Auth: "user",
			Summary: "Every campaign's id, name and status, newest first (the pages' campaign menus)",
			Description: "One answer for every signed-in user (each may list every campaign), kept by the server until a " +
				"campaign is created, changed or deleted.",
			Response: map[string]any{"items": []campaigns.Name{{ID: "CAMPAIGN_ID", Name: "APT29 emulation", Status: c.CampaignActive}}}},
		Op{Method: "GET", Path: Prefix + "/campaigns/{id}/progress", Tags: []string{"campaigns"}, Auth: "user",
			Summary:  "A campaign's progress: tests by state and by outcome, open findings",
			Response: campaigns.Progress{Campaign: "CAMPAIGN_ID", Total: 12, Done: 5, Percent: 41.7, ByState: map[string]int{c.StateDraft: 3, c.StateValidated: 5}}},
		Op{Method: "POST", Path: Prefix + "/campaigns/{id}/retest", Tags: []string{"campaigns"}, Auth: "red_lead,admin",
			Summary:  "Retest a campaign: round N+1 with a fresh draft of every test of the latest round (retest_of links them)",
			Response: gen},
		Op{Method: "GET", Path: Prefix + "/campaigns/{id}/compare", Tags: []string{"campaigns"}, Auth: "user",
			Summary: "Compare two rounds of a campaign: the round delta of /compare/rounds, by round number",
			Query: []Param{{Name: "round", Description: "the earlier round number (default: the campaign's previous round)"},
				{Name: "with", Description: "the later round number (default: the campaign's round)"},
				{Name: "layer", Description: "1 for a Navigator delta layer"}},
			Response: coverage.Comparison{}},
		Op{Method: "POST", Path: Prefix + "/campaigns/{id}/reveal", Tags: []string{"campaigns"}, Auth: "red_lead,admin",
			Summary:  "Reveal every unrevealed test of a blind campaign to blue at once",
			Response: map[string]any{"revealed": 7}},
	)
}

func handleCampaignFromActor(e *core.RequestEvent) error {
	var in campaigns.FromActorInput
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	out, err := campaigns.FromActor(e.App, workflow.ActorFromRequest(e), in)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, out)
}

func handleCampaignFromAttackCampaign(e *core.RequestEvent) error {
	var in campaigns.FromAttackCampaignInput
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	out, err := campaigns.FromAttackCampaign(e.App, workflow.ActorFromRequest(e), in)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, out)
}

func handleCampaignFromLayer(e *core.RequestEvent) error {
	files, err := e.FindUploadedFiles("file")
	if err != nil || len(files) == 0 {
		return e.BadRequestError("Send the layer as the multipart field file.", nil)
	}
	rd, err := files[0].Reader.Open()
	if err != nil {
		return e.BadRequestError("Could not read the layer.", nil)
	}
	defer rd.Close()
	plan := campaigns.Plan{Name: e.Request.FormValue("name"), Description: e.Request.FormValue("description"),
		Recurrence: e.Request.FormValue("recurrence")}
	plan.Blind, _ = strconv.ParseBool(e.Request.FormValue("blind"))
	if p := strings.TrimSpace(e.Request.FormValue("platforms")); p != "" {
		plan.Platforms = strings.Split(p, ",")
	}
	out, err := campaigns.FromLayer(e.App, workflow.ActorFromRequest(e), rd, plan)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, out)
}

func handleCampaignProgress(e *core.RequestEvent) error {
	p, err := campaigns.GetProgress(e.App, workflow.ActorFromRequest(e), e.Request.PathValue("id"))
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, p)
}

func handleCampaignRetest(e *core.RequestEvent) error {
	out, err := campaigns.RetestRound(e.App, workflow.ActorFromRequest(e), e.Request.PathValue("id"))
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, out)
}

// handleCampaignCompare is the round delta of /compare/rounds (one
// comparison, the coverage engine's) addressed from a campaign: ?round=N
// and ?with=M, by default the round before this campaign's and this one
// (the first and the last when this is round 1).
func handleCampaignCompare(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	a, errA := strconv.Atoi(q.Get("round"))
	b, errB := strconv.Atoi(q.Get("with"))
	if (q.Get("round") != "" && (errA != nil || a < 1)) || (q.Get("with") != "" && (errB != nil || b < 1)) {
		return e.BadRequestError("round and with must be round numbers (1, 2, …).", nil)
	}
	id := e.Request.PathValue("id")
	eng := coverage.For(e.App)
	ra, rb := q.Get("round"), q.Get("with")
	if ra == "" && rb == "" {
		d, err := eng.Data()
		if err != nil {
			return coverageError(e, err)
		}
		for _, cp := range d.Campaigns {
			if cp.ID == id && cp.Round > 1 {
				ra, rb = strconv.Itoa(cp.Round-1), strconv.Itoa(cp.Round)
			}
		}
	}
	cmp, err := eng.CompareRounds(id, ra, rb, blueCaller(e))
	if err != nil {
		return coverageError(e, err)
	}
	return writeComparison(e, cmp, "Round delta")
}

func handleCampaignReveal(e *core.RequestEvent) error {
	n, err := campaigns.RevealAll(e.App, workflow.ActorFromRequest(e), e.Request.PathValue("id"))
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, map[string]any{"revealed": n})
}
