package hooks

import (
	"github.com/aegis-sec/aegis/internal/secrets"
	"github.com/pocketbase/pocketbase/core"
)

// bindSecretGuards keeps the secrets of integrations write-only: never
// returned (admins included), never audited in the clear, never stored in an
// error or log line. The rules live in package secrets, shared with jobs.
func bindSecretGuards(app core.App) { secrets.Bind(app) }
