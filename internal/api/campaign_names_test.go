package api_test

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The campaign menus' names equal the records API's list of campaigns
// (newest first) for every role and a superuser, and follow every change:
// a create, a rename, a delete through the records API, and a write of
// another process straight into the table. A guest is refused.
func TestCampaignNamesFollowTheCampaigns(t *testing.T) {
	env := testutil.NewEnv(t)
	tokens := map[string]string{"superuser": testutil.Superuser(t).Token}
	for _, role := range collections.Roles {
		tokens[string(role)] = env.Users[role].Token
	}
	for _, n := range []string{"Q1 emulation", "Q2 emulation", "Q3 emulation"} {
		env.Save(collections.Campaigns, map[string]any{"name": n, "status": collections.CampaignActive})
	}
	type item struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	list := func(path, token string) []item {
		t.Helper()
		r := testutil.Do(t, http.MethodGet, env.URL+path, token, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var out struct{ Items []item }
		r.JSON(t, &out)
		return out.Items
	}
	names := func(token string) []item { return list("/api/aegis/campaigns/names", token) }
	records := func(token string) []item {
		return list("/api/collections/campaigns/records?perPage=500&sort=-created,-id&fields=id,name,status", token)
	}
	compare := func(step string, want int) {
		t.Helper()
		for who, token := range tokens {
			got := names(token)
			assert.Len(t, got, want, "%s: %s", step, who)
			assert.Equal(t, records(token), got, "%s: %s", step, who)
		}
	}
	compare("three campaigns", 3)

	created := env.Do(http.MethodPost, "/api/collections/campaigns/records", collections.RoleRedLead, map[string]any{"name": "Q4 emulation", "status": collections.CampaignPlanned})
	require.Equal(t, http.StatusOK, created.Status, "%s", created.Body)
	var rec item
	created.JSON(t, &rec)
	compare("created", 4)
	assert.Equal(t, "Q4 emulation", names(tokens["admin"])[0].Name, "newest first")

	r := env.Do(http.MethodPatch, "/api/collections/campaigns/records/"+rec.ID, collections.RoleRedLead, map[string]any{"name": "Q4 purple week"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	compare("renamed", 4)

	_, err := env.App.DB().NewQuery("UPDATE campaigns SET status = 'archived', updated = strftime('%Y-%m-%d %H:%M:%fZ', 'now', '+1 second') WHERE name = 'Q1 emulation'").Execute()
	require.NoError(t, err)
	compare("written by another process", 4)

	r = env.Do(http.MethodDelete, "/api/collections/campaigns/records/"+rec.ID, collections.RoleAdmin, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	compare("deleted", 3)

	testutil.RequireError(t, testutil.Do(t, http.MethodGet, env.URL+"/api/aegis/campaigns/names", "", nil), http.StatusUnauthorized)
}
