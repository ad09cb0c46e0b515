package hooks

import "github.com/pocketbase/pocketbase/core"

func bindNotifications(app core.App) {}
