package reliability_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An OWASP-style pass over the API: each attack is tried and must be
// refused (or be harmless), and the data must be intact afterwards. The
// results are listed in docs/RELIABILITY.md.
func TestOWASPPass(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	setup, err := seedOne(app)
	require.NoError(t, err, "seed one test")

	t.Run("filter injection", func(t *testing.T) {
		payloads := []string{
			`name = '' || 1=1 --`,
			`name ~ "'; DROP TABLE tests; --"`,
			`id = "x" UNION SELECT * FROM _superusers`,
			`@collection._superusers.email != ''`,
			`totp_secret != ''`,
			`(((((((((((((((((((((((((((((((name = 'a')))))))))))))))))))))))))))))))`,
		}
		for _, p := range payloads {
			for _, col := range []string{"tests", "users"} {
				res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/"+col+"/records?filter="+url.QueryEscape(p), users["viewer"].Token, nil)
				assert.False(t, res.Status == http.StatusOK && strings.Contains(string(res.Body), "@aegis.test") && col == "tests", "%s leaked users through %q", col, p)
				assert.Less(t, res.Status, 500, "%s %q: server error %d", col, p, res.Status)
			}
		}
		var n int
		err := app.DB().Select("count(*)").From("tests").Row(&n)
		require.NoError(t, err, "tests table damaged: %d", n)
		require.Equal(t, 2, n, "tests table damaged: %d %v", n, err)
	})

	t.Run("hidden fields cannot be filtered or read", func(t *testing.T) {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/users/records?filter="+url.QueryEscape("password != ''"), users["viewer"].Token, nil)
		assert.False(t, res.Status == http.StatusOK && strings.Contains(string(res.Body), `"totalItems":6`), "filter on the password hash matched rows: %s", res.Body)
		res = testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/users/records", users["viewer"].Token, nil)
		for _, secret := range []string{"password", "tokenKey", "totp_secret", "admin@aegis.test"} {
			body := string(res.Body)
			exposed := strings.Contains(body, `"`+secret) || (secret == "admin@aegis.test" && strings.Contains(body, secret))
			i := strings.Index(body, secret)
			assert.False(t, exposed, "users list exposes %s to a viewer: …%s…", secret, body[max(0, i-200):min(len(body), i+50)])
		}
	})

	t.Run("blind tests stay hidden from blue by id (IDOR)", func(t *testing.T) {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records/"+setup.hiddenTest, users["blue_analyst"].Token, nil)
		assert.Equal(t, http.StatusNotFound, res.Status, "blue analyst read an unrevealed test: %d", res.Status)
		res = testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/tests/records?filter="+url.QueryEscape("revealed = false"), users["blue_analyst"].Token, nil)
		assert.NotContains(t, string(res.Body), setup.hiddenTest, "blue analyst listed an unrevealed test by filtering")
	})

	t.Run("other users' notifications (IDOR)", func(t *testing.T) {
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/notifications/records/"+setup.notification, users["red_operator"].Token, nil)
		assert.Equal(t, http.StatusNotFound, res.Status, "read another user's notification: %d", res.Status)
		res = testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/notifications/records/"+setup.notification, users["red_operator"].Token, map[string]any{"read": true})
		assert.Equal(t, http.StatusNotFound, res.Status, "marked another user's notification: %d", res.Status)
	})

	t.Run("mass assignment of role", func(t *testing.T) {
		u := users["viewer"]
		res := testutil.Do(t, http.MethodPatch, srv.URL+"/api/collections/users/records/"+u.Id, u.Token, map[string]any{"role": "admin"})
		assert.GreaterOrEqual(t, res.Status, 400, "viewer promoted themselves: %d %s", res.Status, res.Body)
		rec, _ := app.FindRecordById(collections.Users, u.Id)
		require.Equal(t, collections.RoleViewer, collections.RoleOf(rec), "role changed to %s", rec.GetString("role"))
	})

	t.Run("path traversal in evidence file names", func(t *testing.T) {
		for _, name := range []string{"../../../../etc/passwd", `..\..\windows\win.ini`, "/abs/path.txt", "a/../../b.txt"} {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write([]byte("plain text evidence"))
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/aegis/tests/"+setup.visibleTest+"/evidence", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", users["red_lead"].Token)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err, "send the upload")
			res.Body.Close()
			assert.Less(t, res.StatusCode, 500, "%q: status %d", name, res.StatusCode)
		}
		// Every stored file sits inside the evidence collection's folder.
		col, _ := app.FindCollectionByNameOrId(collections.Evidence)
		root := filepath.Join(app.DataDir(), "storage", col.Id)
		recs, _ := app.FindAllRecords(collections.Evidence)
		for _, r := range recs {
			stored := r.GetString("file")
			assert.False(t, strings.ContainsAny(stored, `/\`), "stored file name %q escapes its folder", stored)
			assert.NotContains(t, stored, "..", "stored file name %q escapes its folder", stored)
			_, err := os.Stat(filepath.Join(root, r.Id, stored))
			assert.NoError(t, err, "evidence %s not under %s", r.Id, root)
		}
		_, err := os.Stat("/etc/passwd.txt")
		assert.Error(t, err, "a file was written outside the data dir")
	})

	t.Run("protected evidence needs a file token", func(t *testing.T) {
		recs, _ := app.FindAllRecords(collections.Evidence)
		if len(recs) == 0 {
			t.Skip("no evidence stored")
		}
		r := recs[0]
		res := testutil.Do(t, http.MethodGet, srv.URL+"/api/files/evidence/"+r.Id+"/"+r.GetString("file"), "", nil)
		assert.Equal(t, http.StatusNotFound, res.Status, "evidence downloaded without a token: %d", res.Status)
	})

	t.Run("oversized headers and bodies", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/aegis/health", nil)
		req.Header.Set("X-Junk", strings.Repeat("a", 2<<20))
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			assert.GreaterOrEqual(t, res.StatusCode, 400, "2 MiB header accepted: %d", res.StatusCode)
		}
		big := `{"name":"` + strings.Repeat("x", 40<<20) + `"}`
		res := testutil.Do(t, http.MethodPost, srv.URL+"/api/collections/campaigns/records", users["red_lead"].Token, big)
		assert.Contains(t, []int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, res.Status, "a 40 MiB JSON body is refused")
		// Still serving.
		require.Equal(t, http.StatusOK, testutil.Do(t, http.MethodGet, srv.URL+"/api/aegis/health", "", nil).Status, "server unhealthy after oversized input")
	})

	t.Run("CORS and CSRF", func(t *testing.T) {
		// Auth is a bearer token in a header, never a cookie, so a forged
		// cross-site form post carries no credentials.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/collections/campaigns/records", strings.NewReader("name=forged"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err, "send the cross-site post")
		res.Body.Close()
		assert.GreaterOrEqual(t, res.StatusCode, 400, "credential-less cross-site post created a record: %d", res.StatusCode)
		assert.NotEqual(t, "true", res.Header.Get("Access-Control-Allow-Credentials"), "CORS allows credentials")
	})
}

type oneSetup struct{ visibleTest, hiddenTest, notification string }

func seedOne(app core.App) (*oneSetup, error) {
	out := &oneSetup{}
	techCol, _ := app.FindCollectionByNameOrId(collections.Techniques)
	tech := core.NewRecord(techCol)
	tech.Set("stix_id", "attack-pattern--owasp")
	tech.Set("attack_id", "T1190")
	tech.Set("name", "Exploit Public-Facing Application")
	tech.Set("in_scope", true)
	if err := app.Save(tech); err != nil {
		return nil, err
	}
	campCol, _ := app.FindCollectionByNameOrId(collections.Campaigns)
	blind := core.NewRecord(campCol)
	blind.Set("name", "Blind exercise")
	blind.Set("blind", true)
	if err := app.Save(blind); err != nil {
		return nil, err
	}
	testCol, _ := app.FindCollectionByNameOrId(collections.Tests)
	hidden := core.NewRecord(testCol)
	hidden.Set("name", "Unannounced web exploit")
	hidden.Set("technique", tech.Id)
	hidden.Set("campaign", blind.Id)
	if err := app.Save(hidden); err != nil {
		return nil, err
	}
	out.hiddenTest = hidden.Id
	var total int
	app.DB().Select("count(*)").From("tests").Row(&total)
	_ = total
	return out, seedVisible(app, tech.Id, out)
}

func seedVisible(app core.App, techID string, out *oneSetup) error {
	testCol, _ := app.FindCollectionByNameOrId(collections.Tests)
	vis := core.NewRecord(testCol)
	vis.Set("name", "Announced web exploit")
	vis.Set("technique", techID)
	vis.Set("revealed", true)
	if err := app.Save(vis); err != nil {
		return err
	}
	out.visibleTest = vis.Id
	notCol, _ := app.FindCollectionByNameOrId(collections.Notifications)
	n := core.NewRecord(notCol)
	admin, err := app.FindAuthRecordByEmail(collections.Users, "admin@aegis.test")
	if err != nil {
		return err
	}
	n.Set("user", admin.Id)
	n.Set("title", "Private to the admin")
	if err := app.Save(n); err != nil {
		return err
	}
	out.notification = n.Id
	return nil
}
