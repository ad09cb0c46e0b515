package hooks

import "github.com/pocketbase/pocketbase/core"

func bindEvidence(app core.App) {}
