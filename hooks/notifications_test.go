package hooks_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotificationsOnlyReadFlagByOwner(t *testing.T) {
	s := testutil.NewServer(t)
	ta := s.App
	users := testutil.Users(t)
	owner := users["red_operator"]
	require.NoError(t, notify.User(ta, owner.Id, notify.Message{Kind: "test_assigned", Title: "Run T1059", Link: "/tests/x"}))
	n, err := ta.FindFirstRecordByFilter(collections.Notifications, "user = {:u}", dbx.Params{"u": owner.Id})
	require.NoError(t, err)
	url := "/api/collections/notifications/records/" + n.Id
	var table []testutil.Scenario
	for _, c := range []struct {
		name string
		body map[string]any
	}{
		{"the owner cannot change the title", map[string]any{"title": "changed"}},
		{"the owner cannot give it to someone else", map[string]any{"user": users["admin"].Id}},
		{"the owner cannot change the link, even with read", map[string]any{"read": true, "link": "https://evil"}},
	} {
		// The update rule allows only the read flag: PocketBase answers 404
		// to an update its rule refuses.
		table = append(table, testutil.Scenario{
			Name: c.name, Method: http.MethodPatch, URL: url, Token: owner.Token, Body: c.body,
			ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		})
	}
	for _, other := range []collections.Role{"admin", "viewer"} {
		table = append(table, testutil.Scenario{
			Name: string(other) + " cannot mark another user's notification", Method: http.MethodPatch, URL: url, Token: users[other].Token,
			Body: map[string]any{"read": true}, ExpectedStatus: http.StatusNotFound, ExpectedError: true,
		})
	}
	table = append(table, testutil.Scenario{
		Name: "the owner marks it read", Method: http.MethodPatch, URL: url, Token: owner.Token, Body: map[string]any{"read": true},
		ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"read":true`},
	})
	s.Run(t, table...)
	got, err := ta.FindRecordById(collections.Notifications, n.Id)
	require.NoError(t, err)
	require.True(t, got.GetBool("read"), "notification state: %v", got.PublicExport())
	require.Equal(t, "Run T1059", got.GetString("title"), "notification state: %v", got.PublicExport())
	require.Equal(t, "/tests/x", got.GetString("link"), "notification state: %v", got.PublicExport())
}

func TestReadAllNotifications(t *testing.T) {
	s := testutil.NewServer(t)
	ta := s.App
	users := testutil.Users(t)
	for i := 0; i < 3; i++ {
		require.NoError(t, notify.User(ta, users["viewer"].Id, notify.Message{Kind: "k", Title: "v"}))
	}
	require.NoError(t, notify.User(ta, users["admin"].Id, notify.Message{Kind: "k", Title: "a"}))
	s.Run(t,
		testutil.Scenario{
			Name: "a user marks all their notifications read", Method: http.MethodPost, URL: "/api/aegis/notifications/read-all",
			Token: users["viewer"].Token, ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"updated":3`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ testutil.Response) {
				n, err := app.CountRecords(collections.Notifications, dbx.HashExp{"user": users["admin"].Id, "read": false})
				require.NoError(t, err)
				require.Equal(t, int64(1), n, "read-all touched another user's notifications")
			},
		},
		testutil.Scenario{
			Name: "a guest cannot", Method: http.MethodPost, URL: "/api/aegis/notifications/read-all",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
	)
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
	require.True(t, ok, "no live notification: %+v", ev)
	require.Equal(t, "notifications/*", ev.Name, "no live notification: %+v", ev)
	var msg struct {
		Action string
		Record map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &msg))
	require.Equal(t, "create", msg.Action, "event: %+v", msg)
	require.False(t, msg.Record["title"] != "Review T1003", "event: %+v", msg)
	require.False(t, msg.Record["user"] != users["blue_analyst"].Id, "event: %+v", msg)
	ev, ok = other.Next(300 * time.Millisecond)
	assert.False(t, ok, "another user received %+v", ev)
	ev, ok = guest.Next(100 * time.Millisecond)
	assert.False(t, ok, "a guest received %+v", ev)

	// notify.Role reaches every active holder of the role, live.
	n, err := notify.Role(ta, notify.Message{Kind: "k", Title: "To blue"}, collections.RoleBlueAnalyst, collections.RoleBlueLead)
	require.NoError(t, err, "notify.Role: %d", n)
	require.Equal(t, 2, n, "notify.Role: %d %v", n, err)
	_, ok = mine.Next(5 * time.Second)
	assert.True(t, ok, "role notification arrives live")
}
