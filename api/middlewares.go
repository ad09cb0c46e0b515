package api

import "github.com/pocketbase/pocketbase/core"

func bindMiddlewares(se *core.ServeEvent) {}
