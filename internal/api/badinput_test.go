package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformedAndOversizeBodies(t *testing.T) {
	s := testutil.NewServer(t)
	lead := testutil.Users(t)[collections.RoleBlueLead].Token
	const rules = "/api/collections/detection_rules/records"
	before := testutil.Count(t, s.App, collections.DetectionRules)
	auditBefore := testutil.Count(t, s.App, collections.AuditLogs)

	s.Run(t,
		testutil.Scenario{
			Name: "truncated JSON is a 400", Method: http.MethodPost, URL: rules, Token: lead,
			Body: `{"source": "custom", "title": `, ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "a JSON array instead of an object is a 400", Method: http.MethodPost, URL: rules, Token: lead,
			Body: `[1, 2, 3]`, ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "wrong field types are a 400", Method: http.MethodPost, URL: rules, Token: lead,
			Body:           `{"source": 7, "source_rule_id": {"a": 1}, "title": ["x"]}`,
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "a field over its size limit is named in data", Method: http.MethodPost, URL: rules, Token: lead,
			Body:           map[string]any{"source": "custom", "source_rule_id": "huge", "title": "Huge", "content": strings.Repeat("a", 5<<20)},
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				e := testutil.RequireError(t, r, http.StatusBadRequest)
				assert.Contains(t, e.Data, "content", "oversize field not named: %+v", e)
			},
		},
	)

	t.Run("a body over the request limit is refused before it is read", func(t *testing.T) {
		r, cut := testutil.DoOversize(t, http.MethodPost, s.URL+"/api/aegis/setup", "", nil, bytes.Repeat([]byte("x"), 33<<20))
		if cut {
			return // the server closed the connection while the client still wrote
		}
		testutil.RequireError(t, r, http.StatusRequestEntityTooLarge)
	})

	assert.Equal(t, before, testutil.Count(t, s.App, collections.DetectionRules), "bad bodies stored rules")
	assert.Equal(t, auditBefore, testutil.Count(t, s.App, collections.AuditLogs), "bad bodies wrote audit entries")
}

func TestExpiredAndForgedTokens(t *testing.T) {
	s := testutil.NewServer(t)
	admin := testutil.Users(t)[collections.RoleAdmin]
	u, err := s.App.FindRecordById(collections.Users, admin.Id)
	require.NoError(t, err)
	claims := func() jwt.MapClaims {
		return jwt.MapClaims{core.TokenClaimType: core.TokenTypeAuth, core.TokenClaimId: u.Id,
			core.TokenClaimCollectionId: u.Collection().Id, core.TokenClaimRefreshable: true}
	}
	rightKey := u.TokenKey() + u.Collection().AuthToken.Secret
	expired, err := security.NewJWT(claims(), rightKey, -time.Hour)
	require.NoError(t, err)
	forged, err := security.NewJWT(claims(), "guessed-secret-guessed-secret-guessed-secret", time.Hour)
	require.NoError(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)

	before := testutil.Count(t, s.App, collections.DefenseTools)
	var scenarios []testutil.Scenario
	for _, bad := range []struct{ name, token string }{
		{"expired", expired}, {"forged", forged}, {"alg none", none}, {"garbage", "not.a.token"},
	} {
		// Endpoints that need a user say so with 401.
		for _, url := range []string{"/api/collections/users/auth-refresh", "/api/aegis/notifications/read-all",
			"/api/aegis/users/" + u.Id + "/sign-out"} {
			scenarios = append(scenarios, testutil.Scenario{
				Name: bad.name + " token: POST " + url + " is 401", Method: http.MethodPost, URL: url, Token: bad.token,
				ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
			})
		}
		scenarios = append(scenarios,
			// Rule-protected writes are refused as for a guest.
			testutil.Scenario{
				Name: bad.name + " token: a rule-protected write is refused as for a guest", Method: http.MethodPost,
				URL: "/api/collections/defense_tools/records", Token: bad.token, Body: map[string]any{"name": "Sneaky " + bad.name},
				ExpectedStatus: http.StatusBadRequest, ExpectedError: true,
			},
			// Reads see nothing.
			testutil.Scenario{
				Name: bad.name + " token: reads see nothing", Method: http.MethodGet,
				URL: "/api/collections/settings/records", Token: bad.token,
				ExpectedStatus: http.StatusOK, NotExpectedContent: []string{`"key":"default"`},
			},
		)
	}
	good, err := security.NewJWT(claims(), rightKey, time.Hour)
	require.NoError(t, err)
	// The right key still works, so the forgeries failed for their signature.
	scenarios = append(scenarios, testutil.Scenario{
		Name: "control: a token signed with the right key refreshes", Method: http.MethodPost,
		URL: "/api/collections/users/auth-refresh", Token: good,
		ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"token":`, `"id":"` + u.Id + `"`},
	})
	s.Run(t, scenarios...)
	require.Equal(t, before, testutil.Count(t, s.App, collections.DefenseTools), "a bad token stored a record")
}
