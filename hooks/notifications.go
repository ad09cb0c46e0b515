package hooks

import (
	"bytes"
	"encoding/json"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// notificationMutable are the fields a user may change on their own
// notification; everything else is written by Aegis.
var notificationMutable = map[string]bool{"read": true, "updated": true}

func bindNotifications(app core.App) {
	// The update rule already refuses other fields; this guard keeps it so
	// even if a rule is loosened by hand in the dashboard.
	app.OnRecordUpdateRequest(collections.Notifications).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.HasSuperuserAuth() {
			return e.Next()
		}
		if e.Auth == nil || e.Record.Original().GetString("user") != e.Auth.Id {
			return e.NotFoundError("", nil)
		}
		before := e.Record.Original()
		for _, f := range e.Collection.Fields {
			name := f.GetName()
			if notificationMutable[name] {
				continue
			}
			if !notificationValueEqual(before.Get(name), e.Record.Get(name)) {
				return e.BadRequestError("Only the read flag of a notification can be changed.", nil)
			}
		}
		return e.Next()
	})
}

func notificationValueEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
