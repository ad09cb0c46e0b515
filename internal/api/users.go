package api

import (
	"net/http"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/notify"
	"github.com/pocketbase/pocketbase/core"
)

func registerUserRoutes(g *Group) {
	g.POST("/users/{id}/sign-out", signOutEverywhere).Bind(requireUser())
	g.POST("/notifications/read-all", readAllNotifications).Bind(requireUser())
	document(
		Op{Method: http.MethodPost, Path: Prefix + "/users/{id}/sign-out", Tags: []string{"users"}, Auth: "admin, or the user themselves",
			Summary:     "Sign a user out everywhere",
			Description: "Rotates the user's token key: every token issued so far stops working. Audited as logout_all.",
			Response:    map[string]any{"signedOut": "USER_ID"}},
		Op{Method: http.MethodPost, Path: Prefix + "/notifications/read-all", Tags: []string{"notifications"}, Auth: "user",
			Summary:  "Mark every notification of the caller as read",
			Response: map[string]any{"updated": 3}},
	)
}

func signOutEverywhere(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	if a := collections.ActorFromRequest(e); a.Id != id && !a.Is(collections.RoleAdmin) {
		return e.ForbiddenError("Only admins can sign out other users.", nil)
	}
	err := e.App.RunInTransaction(func(txApp core.App) error {
		user, err := txApp.FindRecordById(collections.Users, id)
		if err != nil {
			return e.NotFoundError("No such user.", err)
		}
		audit.SetRecordActor(user, audit.FromRequest(e))
		if err := collections.SignOutEverywhere(txApp, user); err != nil {
			return err
		}
		a := audit.FromRequest(e)
		return audit.Write(txApp, audit.Entry{Actor: a.Id, ActorName: a.Name, ActorKind: a.Kind, IP: a.IP,
			Action: audit.ActionLogoutAll, Collection: collections.Users, RecordId: user.Id})
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]string{"signedOut": id})
}

func readAllNotifications(e *core.RequestEvent) error {
	n, err := notify.MarkAllRead(e.App, e.Auth.Id)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]int{"updated": n})
}
