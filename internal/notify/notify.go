// Package notify creates in-app notifications for a user or every active
// user of a role. Notifications are records, so they reach the SPA live over
// PocketBase realtime subscriptions to the notifications collection.
package notify

import (
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Message is the content of a notification.
type Message struct {
	Kind  string // e.g. test_assigned, outcome_recorded, finding_opened, job_failed
	Title string
	Body  string
	Link  string // SPA path, e.g. /tests/abc123
}

// User notifies one user. Use the transaction's app inside a transaction.
func User(app core.App, userId string, m Message) error {
	col, err := app.FindCachedCollectionByNameOrId(collections.Notifications)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	n := collections.AsNotification(r)
	n.SetUser(userId)
	n.SetKind(m.Kind)
	n.SetTitle(m.Title)
	n.SetBody(m.Body)
	n.SetLink(m.Link)
	return app.Save(r)
}

// Role notifies every active user holding one of roles and returns how many
// were notified.
func Role(app core.App, m Message, roles ...collections.Role) (int, error) {
	if len(roles) == 0 {
		return 0, nil
	}
	ins := make([]any, len(roles))
	for i, r := range roles {
		ins[i] = r
	}
	users, err := app.FindAllRecords(collections.Users, dbx.In("role", ins...), dbx.HashExp{"active": true})
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		if err := User(app, u.Id, m); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

// MarkAllRead marks every unread notification of userId as read in one
// transaction and returns how many changed. Each one is saved as a record,
// so open SPA tabs see the change over realtime.
func MarkAllRead(app core.App, userId string) (int, error) {
	n := 0
	err := app.RunInTransaction(func(txApp core.App) error {
		unread, err := txApp.FindAllRecords(collections.Notifications, dbx.HashExp{"user": userId, "read": false})
		if err != nil {
			return err
		}
		for _, r := range unread {
			collections.AsNotification(r).SetRead(true)
			if err := txApp.Save(r); err != nil {
				return err
			}
		}
		n = len(unread)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark notifications of %s read: %w", userId, err)
	}
	return n, nil
}
