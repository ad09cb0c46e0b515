package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/backup"
	"github.com/aegis-sec/aegis/internal/doctor"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
)

// Operations routes: health with job and storage status, and backups for
// admins (PocketBase's own backup API is for superusers only).
func registerOpsRoutes(g *Group) {
	g.GET("/health", handleHealth)
	g.GET("/backups", handleListBackups).Bind(requireRole(collections.RoleAdmin))
	g.POST("/backups", handleCreateBackup).Bind(requireRole(collections.RoleAdmin))
	g.POST("/backups/{name}/verify", handleVerifyBackup).Bind(requireRole(collections.RoleAdmin))
	g.POST("/backups/{name}/restore", handleRestoreBackup).Bind(requireRole(collections.RoleAdmin))

	document(
		Op{Method: "GET", Path: Prefix + "/health", Tags: []string{"operations"}, Auth: "public",
			Summary:  "Health: overall status; admins also get each check (data dir, disk, database, storage, jobs)",
			Response: map[string]any{"status": "ok", "checks": []doctor.Check{{Name: "database", Status: "ok"}}}},
		Op{Method: "GET", Path: Prefix + "/backups", Tags: []string{"operations"}, Auth: "admin",
			Summary: "List stored backups", Response: map[string]any{"items": []string{"pb_backup_aegis_20261130.zip"}}},
		Op{Method: "POST", Path: Prefix + "/backups", Tags: []string{"operations"}, Auth: "admin",
			Summary: "Create a backup now", Request: map[string]string{"name": "before-upgrade.zip"},
			Response: map[string]string{"name": "before-upgrade.zip"}},
		Op{Method: "POST", Path: Prefix + "/backups/{name}/verify", Tags: []string{"operations"}, Auth: "admin",
			Summary: "Verify a stored backup (integrity, counts, evidence hashes) without restoring it", Response: backup.Report{}},
		Op{Method: "POST", Path: Prefix + "/backups/{name}/restore", Tags: []string{"operations"}, Auth: "admin",
			Summary:     "Verify then restore a stored backup; the server restarts on the restored data",
			Description: "Refused with 400 and the verification report when the backup is not sound.",
			Response:    map[string]any{"restoring": true, "report": backup.Report{}}},
	)
}

// healthEvery bounds how often the health checks really run: the endpoint
// is public and the storage check writes a probe object.
const healthEvery = 10 * time.Second

var health struct {
	sync.Mutex
	app core.App
	at  time.Time
	rep doctor.Report
}

func cachedHealth(e *core.RequestEvent) doctor.Report {
	health.Lock()
	defer health.Unlock()
	if health.app != e.App || time.Since(health.at) > healthEvery {
		health.rep = doctor.Run(e.Request.Context(), e.App, pocketbase.Version, false)
		health.app, health.at = e.App, time.Now()
	}
	return health.rep
}

// bindHealthStatus extends PocketBase's own GET /api/health (used by probes
// and the Dockerfile's HEALTHCHECK) with Aegis's status: 503 when a check
// fails, and the checks themselves for admins. Superusers keep PocketBase's
// answer, which the dashboard reads.
func bindHealthStatus(se *core.ServeEvent) {
	se.Router.BindFunc(func(e *core.RequestEvent) error {
		if e.Request.Method != http.MethodGet || e.Request.URL.Path != "/api/health" || e.HasSuperuserAuth() {
			return e.Next()
		}
		rep := cachedHealth(e)
		code := http.StatusOK
		data := map[string]any{"status": rep.Status}
		if rep.Status == doctor.Fail {
			code = http.StatusServiceUnavailable
		}
		if collections.ActorFromRequest(e).Role == collections.RoleAdmin {
			data["checks"] = rep.Checks
		}
		msg := "API is healthy."
		if code != http.StatusOK {
			msg = "Aegis is unhealthy: sign in as an admin or run `aegis doctor` for details."
		}
		return e.JSON(code, map[string]any{"code": code, "message": msg, "data": data})
	})
}

func handleHealth(e *core.RequestEvent) error {
	full := collections.ActorFromRequest(e).Role == collections.RoleAdmin
	rep := cachedHealth(e)
	code := http.StatusOK
	if rep.Status == doctor.Fail {
		code = http.StatusServiceUnavailable
	}
	if !full {
		return e.JSON(code, map[string]string{"status": rep.Status})
	}
	return e.JSON(code, rep)
}

func handleListBackups(e *core.RequestEvent) error {
	names, err := backup.List(e.App)
	if err != nil {
		return e.InternalServerError("Cannot read the backups storage.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": names})
}

func handleCreateBackup(e *core.RequestEvent) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	if body.Name != "" && !validBackupName(body.Name) {
		return e.BadRequestError("A backup name uses letters, digits, '-', '_' and '.' and ends in .zip.", nil)
	}
	name, err := backup.Create(e.Request.Context(), e.App, body.Name)
	if err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	return e.JSON(http.StatusOK, map[string]string{"name": name})
}

func handleVerifyBackup(e *core.RequestEvent) error {
	_, rep, err := verifiedBackup(e)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, rep)
}

func handleRestoreBackup(e *core.RequestEvent) error {
	name, rep, err := verifiedBackup(e)
	if err != nil {
		return err
	}
	app := e.App
	// The restore swaps the data dir and re-executes the process, so it runs
	// after this answer has been sent. app.RestoreBackup verifies the archive
	// again (backup.Register) and keeps the current data when it does not.
	go func() {
		time.Sleep(200 * time.Millisecond)
		if err := app.RestoreBackup(context.Background(), name); err != nil {
			app.Logger().Error("restore backup failed", "backup", name, "error", err)
		}
	}()
	return e.JSON(http.StatusAccepted, map[string]any{"restoring": true, "report": rep})
}

// verifiedBackup resolves the {name} backup (local or S3) and verifies it;
// an unsound backup is a 400 carrying the verification report.
func verifiedBackup(e *core.RequestEvent) (string, *backup.Report, error) {
	name := e.Request.PathValue("name")
	if !validBackupName(name) {
		return "", nil, e.BadRequestError("Invalid backup name.", nil)
	}
	rep, err := backup.VerifyStored(e.Request.Context(), e.App, name)
	if errors.Is(err, backup.ErrNotFound) {
		return "", nil, e.NotFoundError("No backup with this name.", nil)
	}
	if err != nil {
		var data any
		if rep != nil {
			data = map[string]any{"report": rep}
		}
		return "", nil, e.BadRequestError(err.Error(), data)
	}
	return name, rep, nil
}

func validBackupName(s string) bool {
	if !strings.HasSuffix(s, ".zip") || len(s) > 200 || strings.HasPrefix(s, ".") {
		return false
	}
	for _, r := range s {
		ok := r == '-' || r == '_' || r == '.' || r == '@' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
