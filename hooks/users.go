package hooks

import (
	"fmt"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// ErrLastAdmin is the message refusing to leave Aegis without an active admin.
const ErrLastAdmin = "This is the last active admin: make another user an active admin first."

func bindUserGuards(app core.App) {
	// Accounts created through the API are usable unless said otherwise
	// (a bool left out of the body would otherwise be false).
	app.OnRecordCreateRequest(collections.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		if info, err := e.RequestInfo(); err == nil {
			if _, given := info.Body["active"]; !given {
				collections.AsUser(e.Record).SetActive(true)
			}
		}
		return e.Next()
	})

	// A clear message for a wrong role, before the generic select check.
	app.OnRecordValidate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if role := collections.AsUser(e.Record).Role(); !role.Valid() {
			msg := "Choose a role: one of " + strings.Join(collections.RoleNames(), ", ") + "."
			if role != "" {
				msg = fmt.Sprintf("Unknown role %q: use one of %s.", role, strings.Join(collections.RoleNames(), ", "))
			}
			return validation.Errors{"role": validation.NewError("validation_invalid_role", msg)}
		}
		return e.Next()
	})

	// A new role or a deactivation signs the user out everywhere: their old
	// tokens no longer verify.
	app.OnRecordUpdate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		before, after := collections.AsUser(e.Record.Original()), collections.AsUser(e.Record)
		if before.Role() != after.Role() || (before.Active() && !after.Active()) {
			if before.TokenKey() == e.Record.TokenKey() {
				e.Record.RefreshTokenKey()
			}
		}
		return e.Next()
	})

	// The last-admin checks run in the execute step, inside the audit
	// transaction, so two concurrent demotions cannot both pass.
	app.OnRecordUpdateExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original()
		if isActiveAdmin(before) && !isActiveAdmin(e.Record) {
			if err := requireAnotherAdmin(e.App, e.Record.Id); err != nil {
				return err
			}
		}
		return e.Next()
	})
	app.OnRecordDeleteExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if isActiveAdmin(e.Record.Original()) {
			if err := requireAnotherAdmin(e.App, e.Record.Id); err != nil {
				return err
			}
		}
		return e.Next()
	})
}

func isActiveAdmin(r *core.Record) bool {
	u := collections.AsUser(r)
	return u.Role() == collections.RoleAdmin && u.Active()
}

func requireAnotherAdmin(app core.App, exceptId string) error {
	n, err := app.CountRecords(collections.Users,
		dbx.HashExp{"role": collections.RoleAdmin, "active": true},
		dbx.Not(dbx.HashExp{"id": exceptId}))
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return router.NewBadRequestError(ErrLastAdmin, nil)
	}
	return nil
}
