// Package app composes Aegis on top of PocketBase: it creates the PocketBase
// instance with production defaults and binds every hook, route, job and the
// embedded UI. Tests call Register on their own test apps so they exercise
// exactly what production runs.
package app

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/aegis-sec/aegis/hooks"
	"github.com/aegis-sec/aegis/internal/api"
	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/schema"
	"github.com/aegis-sec/aegis/internal/security"
	"github.com/aegis-sec/aegis/ui"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
)

// Version is set at build time with -ldflags "-X github.com/aegis-sec/aegis/app.Version=…".
var Version = "dev"

// New returns the PocketBase launcher with Aegis registered on it.
func New() *pocketbase.PocketBase {
	pocketbase.Version = Version
	pb := pocketbase.NewWithConfig(pocketbase.Config{
		// Explicit defaults: a binary under /tmp must not be mistaken for
		// `go run` (dev mode, data dir in the cwd).
		DefaultDataDir: defaultDataDir(),
		DefaultDev:     false,
		// A small appliance: fewer idle connections keep idle RSS low.
		DataMaxOpenConns: 60,
		DataMaxIdleConns: 8,
		DBConnect:        dbConnect,
	})
	pb.RootCmd.Use = "aegis"
	pb.RootCmd.Short = "Aegis: purple-team ATT&CK coverage appliance"
	pb.RootCmd.SilenceUsage = true
	migratecmd.MustRegister(pb, pb.RootCmd, migratecmd.Config{Dir: "pb_migrations", Automigrate: false})
	Register(pb)
	// PocketBase applies app migrations only under serve and migrate; every
	// Aegis command must see the current schema, so apply them at bootstrap.
	pb.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if len(os.Args) > 1 && os.Args[1] == "migrate" {
			return nil
		}
		return e.App.RunAllMigrations()
	})
	return pb
}

// Register binds every Aegis hook, route, job and the UI to app.
func Register(app core.App) {
	registerMemory(app)
	registerFirstRun(app)
	hooks.Register(app)
	backup.Register(app)
	schema.Register(app)
	security.Register(app)
	jobs.Register(app)
	coverage.Register(app)
	api.Register(app)
	ui.Register(app)
}

// defaultDataDir is ./pb_data next to the working directory when it exists
// or when the binary was started from a relative path, else next to the binary.
func defaultDataDir() string {
	if v := os.Getenv("AEGIS_DATA_DIR"); v != "" {
		return v
	}
	exe, err := os.Executable()
	if err != nil || strings.HasPrefix(exe, os.TempDir()) {
		return "pb_data"
	}
	return filepath.Join(filepath.Dir(exe), "pb_data")
}
