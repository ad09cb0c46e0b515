package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/require"
)

func TestNotificationsOnlyReadFlagByOwner(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	owner := users["red_operator"]
	require.NoError(t, notify.User(ta, owner.Id, notify.Message{Kind: "test_assigned", Title: "Run T1059", Link: "/tests/x"}))
	n, err := ta.FindFirstRecordByFilter(collections.Notifications, "user = {:u}", dbx.Params{"u": owner.Id})
	require.NoError(t, err)
	url := srv.URL + "/api/collections/notifications/records/" + n.Id
	for _, body := range []map[string]any{{"title": "changed"}, {"user": users["admin"].Id}, {"read": true, "link": "https://evil"}} {
		if r := testutil.Do(t, http.MethodPatch, url, owner.Token, body); r.Status < 400 {
			t.Errorf("owner changed %v: %d", body, r.Status)
		}
	}
	for _, other := range []string{"admin", "viewer"} {
		if r := testutil.Do(t, http.MethodPatch, url, users[other].Token, map[string]any{"read": true}); r.Status != http.StatusNotFound {
			t.Errorf("%s marked another user's notification: %d", other, r.Status)
		}
	}
	if r := testutil.Do(t, http.MethodPatch, url, owner.Token, map[string]any{"read": true}); r.Status != http.StatusOK {
		t.Fatalf("owner marks read: %d %s", r.Status, r.Body)
	}
	got, _ := ta.FindRecordById(collections.Notifications, n.Id)
	if !got.GetBool("read") || got.GetString("title") != "Run T1059" || got.GetString("link") != "/tests/x" {
		t.Fatalf("notification state: %v", got.PublicExport())
	}
}

func TestReadAllNotifications(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	for i := 0; i < 3; i++ {
		require.NoError(t, notify.User(ta, users["viewer"].Id, notify.Message{Kind: "k", Title: "v"}))
	}
	require.NoError(t, notify.User(ta, users["admin"].Id, notify.Message{Kind: "k", Title: "a"}))
	r := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/notifications/read-all", users["viewer"].Token, nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"updated":3`) {
		t.Fatalf("read-all: %d %s", r.Status, r.Body)
	}
	if n, _ := ta.CountRecords(collections.Notifications, dbx.HashExp{"user": users["admin"].Id, "read": false}); n != 1 {
		t.Fatal("read-all touched another user's notifications")
	}
	if r := testutil.Do(t, http.MethodPost, srv.URL+"/api/aegis/notifications/read-all", "", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous read-all: %d", r.Status)
	}
}

func TestNotificationsArriveLiveOnlyForTheirUser(t *testing.T) {
	ta := testutil.NewApp(t)
	srv := testutil.Serve(t, ta)
	users := testutil.Users(t)
	mine := testutil.Subscribe(t, srv.URL, users["blue_analyst"].Token, "notifications/*")
	other := testutil.Subscribe(t, srv.URL, users["red_lead"].Token, "notifications/*")
	guest := testutil.Subscribe(t, srv.URL, "", "notifications/*")

	require.NoError(t, notify.User(ta, users["blue_analyst"].Id, notify.Message{Kind: "outcome_needed", Title: "Review T1003", Link: "/tests/1"}))
	ev, ok := mine.Next(5 * time.Second)
	if !ok || ev.Name != "notifications/*" {
		t.Fatalf("no live notification: %+v", ev)
	}
	var msg struct {
		Action string
		Record map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &msg))
	if msg.Action != "create" || msg.Record["title"] != "Review T1003" || msg.Record["user"] != users["blue_analyst"].Id {
		t.Fatalf("event: %+v", msg)
	}
	if ev, ok := other.Next(300 * time.Millisecond); ok {
		t.Errorf("another user received %+v", ev)
	}
	if ev, ok := guest.Next(100 * time.Millisecond); ok {
		t.Errorf("a guest received %+v", ev)
	}

	// notify.Role reaches every active holder of the role, live.
	n, err := notify.Role(ta, notify.Message{Kind: "k", Title: "To blue"}, collections.RoleBlueAnalyst, collections.RoleBlueLead)
	if err != nil || n != 2 {
		t.Fatalf("notify.Role: %d %v", n, err)
	}
	if _, ok := mine.Next(5 * time.Second); !ok {
		t.Error("role notification did not arrive live")
	}
}
