package hooks

import "github.com/pocketbase/pocketbase/core"

func bindAudit(app core.App) {}
