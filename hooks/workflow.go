package hooks

import "github.com/pocketbase/pocketbase/core"

func bindWorkflowGuards(app core.App) {}
