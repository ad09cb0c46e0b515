package hooks

import "github.com/pocketbase/pocketbase/core"

func bindUserGuards(app core.App) {}
