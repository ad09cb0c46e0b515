package hooks

import "github.com/pocketbase/pocketbase/core"

func bindContentGuards(app core.App) {}
