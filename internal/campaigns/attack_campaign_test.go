package campaigns_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestFromAttackCampaign plans emulations of real ATT&CK 18.1 campaigns
// through POST /api/aegis/campaigns/from-attack-campaign: one draft test
// per technique the campaign used, as from an actor.
func TestFromAttackCampaign(t *testing.T) {
	e := newEnv(t)
	src, err := source.Open(filepath.Join(testutil.SharedData(t), "attack", "enterprise-attack-18.1.json.gz"), source.Options{})
	require.NoError(t, err, "open the ATT&CK 18.1 bundle")
	_, err = attack.Import(context.Background(), e.App, src, importers.Options{})
	require.NoError(t, err, "import ATT&CK")
	solar, err := e.App.FindFirstRecordByData(c.AttackCampaigns, "attack_id", "C0024")
	require.NoError(t, err, "find campaign C0024")
	live := 0
	for _, id := range solar.GetStringSlice("techniques") {
		if tech, err := e.App.FindRecordById(c.Techniques, id); err == nil && !tech.GetBool("revoked") && !tech.GetBool("deprecated") {
			live++
		}
	}
	apt29, err := e.App.FindFirstRecordByData(c.ThreatActors, "attack_id", "G0016")
	require.NoError(t, err, "find group G0016")
	const path = "/api/aegis/campaigns/from-attack-campaign"
	for _, tc := range []struct {
		name     string
		role     c.Role
		body     map[string]any
		status   int
		check    func(t *testing.T, g generated)
		contains string
	}{
		{name: "red lead by ATT&CK id", role: c.RoleRedLead, body: map[string]any{"attack_campaign": "c0024"}, status: http.StatusOK,
			check: func(t *testing.T, g generated) {
				require.Len(t, g.Tests, live, "tests %d, want one per live technique %d (skipped %v)", len(g.Tests), live, g.Skipped)
				require.Equal(t, "SolarWinds Compromise emulation", g.Campaign.Name, "campaign %+v", g.Campaign)
				require.Equal(t, "planned", g.Campaign.Status, "campaign %+v", g.Campaign)
				require.Equal(t, apt29.Id, g.Campaign.Threat_actor, "not attributed to APT29: %q", g.Campaign.Threat_actor)
				r := e.Get(c.Campaigns, g.Campaign.Id)
				require.Equal(t, solar.Id, r.GetString("attack_campaign"), "plan does not point at C0024")
			}},
		{name: "admin by record id, windows only", role: c.RoleAdmin,
			body: map[string]any{"attack_campaign": solar.Id, "name": "Q3", "platforms": []string{"Windows"}}, status: http.StatusOK,
			check: func(t *testing.T, g generated) {
				require.Equal(t, "Q3", g.Campaign.Name, "campaign %+v with %d tests", g.Campaign, len(g.Tests))
				require.NotEmpty(t, g.Tests, "campaign %+v with %d tests", g.Campaign, len(g.Tests))
				require.LessOrEqual(t, len(g.Tests), live, "campaign %+v with %d tests", g.Campaign, len(g.Tests))
				for _, x := range g.Tests {
					require.Equal(t, "Windows", x.Platform, "test %+v", x)
					require.Equal(t, "draft", x.State, "test %+v", x)
				}
			}},
		{name: "blue lead may not plan", role: c.RoleBlueLead, body: map[string]any{"attack_campaign": "C0024"}, status: http.StatusForbidden},
		{name: "viewer may not plan", role: c.RoleViewer, body: map[string]any{"attack_campaign": "C0024"}, status: http.StatusForbidden},
		{name: "anonymous", role: "", body: map[string]any{"attack_campaign": "C0024"}, status: http.StatusUnauthorized},
		{name: "unknown campaign", role: c.RoleRedLead, body: map[string]any{"attack_campaign": "C9999"}, status: http.StatusNotFound, contains: "C9999"},
		{name: "missing id", role: c.RoleRedLead, body: map[string]any{}, status: http.StatusBadRequest, contains: "attack_campaign"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.Do("POST", path, tc.role, tc.body)
			require.Equal(t, tc.status, res.Status, "status %d, want %d: %s", res.Status, tc.status, res.Body)
			require.False(t, tc.contains != "" && !strings.Contains(string(res.Body), tc.contains), "body %s lacks %q", res.Body, tc.contains)
			if tc.check != nil {
				var g generated
				res.JSON(t, &g)
				tc.check(t, g)
			}
		})
	}
}
