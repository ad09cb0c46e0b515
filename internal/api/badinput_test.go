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
	"github.com/pocketbase/pocketbase/tools/security"
)

func TestMalformedAndOversizeBodies(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	lead := users[collections.RoleBlueLead].Token
	rules := srv.URL + "/api/collections/detection_rules/records"
	before, _ := ta.CountRecords(collections.DetectionRules)
	auditBefore, _ := ta.CountRecords(collections.AuditLogs)

	for name, body := range map[string]any{
		"truncated JSON":    `{"source": "custom", "title": `,
		"not an object":     `[1, 2, 3]`,
		"wrong field types": `{"source": 7, "source_rule_id": {"a": 1}, "title": ["x"]}`,
	} {
		r := testutil.Do(t, http.MethodPost, rules, lead, body)
		mustError(t, r, http.StatusBadRequest, "")
		_ = name
	}
	// A field over its size limit is named in data.
	huge := map[string]any{"source": "custom", "source_rule_id": "huge", "title": "Huge", "content": strings.Repeat("a", 5<<20)}
	e := mustError(t, testutil.Do(t, http.MethodPost, rules, lead, huge), http.StatusBadRequest, "")
	if _, ok := e.Data["content"]; !ok {
		t.Errorf("oversize field not named: %+v", e)
	}
	// A body over the request limit is refused before it is read.
	big := bytes.Repeat([]byte("x"), 33<<20)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/aegis/setup", bytes.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err == nil {
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		res.Body.Close()
		mustError(t, testutil.Response{Status: res.StatusCode, Body: buf.Bytes()}, http.StatusRequestEntityTooLarge, "")
	} else if !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("oversize body: %v", err)
	}

	if after, _ := ta.CountRecords(collections.DetectionRules); after != before {
		t.Errorf("bad bodies stored %d rules", after-before)
	}
	if after, _ := ta.CountRecords(collections.AuditLogs); after != auditBefore {
		t.Errorf("bad bodies wrote %d audit entries", after-auditBefore)
	}
}

func TestExpiredAndForgedTokens(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	admin := testutil.Users(t)[collections.RoleAdmin]
	u, err := ta.FindRecordById(collections.Users, admin.Id)
	if err != nil {
		t.Fatal(err)
	}
	claims := func() jwt.MapClaims {
		return jwt.MapClaims{core.TokenClaimType: core.TokenTypeAuth, core.TokenClaimId: u.Id,
			core.TokenClaimCollectionId: u.Collection().Id, core.TokenClaimRefreshable: true}
	}
	rightKey := u.TokenKey() + u.Collection().AuthToken.Secret
	expired, _ := security.NewJWT(claims(), rightKey, -time.Hour)
	forged, _ := security.NewJWT(claims(), "guessed-secret-guessed-secret-guessed-secret", time.Hour)
	unsigned := jwt.NewWithClaims(jwt.SigningMethodNone, claims())
	none, _ := unsigned.SignedString(jwt.UnsafeAllowNoneSignatureType)

	before, _ := ta.CountRecords(collections.DefenseTools)
	for name, tok := range map[string]string{"expired": expired, "forged": forged, "alg none": none, "garbage": "not.a.token"} {
		// Endpoints that need a user say so with 401.
		for _, url := range []string{"/api/collections/users/auth-refresh", "/api/aegis/notifications/read-all",
			"/api/aegis/users/" + u.Id + "/sign-out"} {
			mustError(t, testutil.Do(t, http.MethodPost, srv.URL+url, tok, nil), http.StatusUnauthorized, "")
		}
		// Rule-protected writes are refused as for a guest.
		r := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/defense_tools/records", tok, map[string]any{"name": "Sneaky " + name})
		mustError(t, r, http.StatusBadRequest, "")
		// Reads see nothing.
		r = testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/settings/records", tok, nil)
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), `"key":"default"`) {
			t.Errorf("%s token read settings: %d", name, r.Status)
		}
	}
	if after, _ := ta.CountRecords(collections.DefenseTools); after != before {
		t.Fatal("a bad token stored a record")
	}
	// The right key still works, so the forgeries failed for their signature.
	good, _ := security.NewJWT(claims(), rightKey, time.Hour)
	if r := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/users/auth-refresh", good, nil); r.Status != http.StatusOK {
		t.Fatalf("control token: %d %s", r.Status, r.Body)
	}
}
