// Package doctor checks that an Aegis installation is healthy: data dir,
// disk space, database integrity, file storage, jobs and versions. The CLI
// (`aegis doctor`) runs every check; the health endpoint runs the cheap ones.
package doctor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/schema"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Status of a check.
const (
	OK   = "ok"
	Warn = "warn"
	Fail = "fail"
)

// Check is the outcome of one check, with advice when it is not ok.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Advice string `json:"advice,omitempty"`
}

// Report is the list of checks and the worst status among them.
type Report struct {
	Status string  `json:"status"`
	Checks []Check `json:"checks"`
}

// MinFreeBytes is the free disk space below which the disk check warns.
const MinFreeBytes = 1 << 30

// Run performs every check. full adds the slow ones (integrity check of the
// whole database).
func Run(ctx context.Context, app core.App, version string, full bool) Report {
	checks := []Check{
		checkDataDir(app),
		checkDisk(app),
		checkDatabase(ctx, app, full),
		checkCollections(app),
		checkStorage(ctx, app),
		checkJobs(app),
		{Name: "versions", Status: OK, Detail: fmt.Sprintf("aegis %s, %s, %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)},
	}
	rep := Report{Status: OK, Checks: checks}
	for _, c := range checks {
		if c.Status == Fail || (c.Status == Warn && rep.Status == OK) {
			rep.Status = c.Status
		}
	}
	return rep
}

func checkDataDir(app core.App) Check {
	c := Check{Name: "data_dir", Detail: app.DataDir()}
	probe := filepath.Join(app.DataDir(), ".aegis_write_probe")
	if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
		c.Status, c.Advice = Fail, "the data dir must be writable by the aegis user: "+err.Error()
		return c
	}
	os.Remove(probe)
	c.Status = OK
	return c
}

func checkDisk(app core.App) Check {
	c := Check{Name: "disk_space"}
	var st syscall.Statfs_t
	if err := syscall.Statfs(app.DataDir(), &st); err != nil {
		c.Status, c.Detail = Warn, "cannot read free space: "+err.Error()
		return c
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	c.Detail = fmt.Sprintf("%.1f GiB free", float64(free)/(1<<30))
	c.Status = OK
	if free < MinFreeBytes {
		c.Status, c.Advice = Warn, "less than 1 GiB free: evidence uploads and backups need room (backups need twice the data dir)"
	}
	return c
}

// QuickCheckEvery bounds how often the quick (not full) check reads the
// whole database: the public health probe runs the checks every few
// seconds, and PRAGMA quick_check reads every page (seconds of CPU and tens
// of megabytes of page cache per run once the organisation is large). In
// between, the probe reuses the last verdict; `aegis doctor` always runs
// the full integrity check.
var QuickCheckEvery = time.Hour

var quick struct {
	sync.Mutex
	app core.App
	at  time.Time
	res string
}

func checkDatabase(ctx context.Context, app core.App, full bool) Check {
	c := Check{Name: "database"}
	pragma := "PRAGMA quick_check"
	if full {
		pragma = "PRAGMA integrity_check"
	}
	var res string
	var err error
	if full {
		err = app.DB().NewQuery(pragma).WithContext(ctx).Row(&res)
	} else {
		quick.Lock()
		if quick.app == app && time.Since(quick.at) < QuickCheckEvery {
			res = quick.res
		} else if err = app.DB().NewQuery(pragma).WithContext(ctx).Row(&res); err == nil {
			quick.app, quick.at, quick.res = app, time.Now(), res
		}
		quick.Unlock()
	}
	if err != nil {
		c.Status, c.Detail = Fail, err.Error()
		c.Advice = "restore the latest verified backup (aegis restore FILE)"
		return c
	}
	if res != "ok" {
		c.Status, c.Detail, c.Advice = Fail, res, "the database is damaged: restore the latest verified backup (aegis restore FILE)"
		return c
	}
	var techniques int
	_ = app.DB().Select("count(*)").From(collections.Techniques).Row(&techniques)
	c.Status, c.Detail = OK, fmt.Sprintf("%s ok, %d techniques", pragma[7:], techniques)
	if techniques == 0 {
		c.Status, c.Advice = Warn, "no ATT&CK data yet: aegis import attack FILE, or enable an ATT&CK integration"
	}
	return c
}

// checkCollections compares every Aegis collection (fields and API rules)
// with what this binary's migrations define.
func checkCollections(app core.App) Check {
	c := Check{Name: "collections"}
	problems, err := schema.Check(app)
	if err != nil {
		c.Status, c.Detail = Warn, "cannot build the expected schema: "+err.Error()
		return c
	}
	if len(problems) > 0 {
		parts := make([]string, 0, len(problems))
		for _, p := range problems {
			parts = append(parts, p.String())
		}
		c.Status, c.Detail = Fail, strings.Join(parts, " | ")
		c.Advice = "an Aegis collection was deleted or altered outside the migrations: restore the latest verified backup (aegis restore FILE)"
		return c
	}
	c.Status, c.Detail = OK, fmt.Sprintf("%d collections match the migrations", len(collections.All))
	return c
}

func checkStorage(ctx context.Context, app core.App) Check {
	c := Check{Name: "file_storage", Detail: "local"}
	if app.Settings().S3.Enabled {
		c.Detail = "s3 " + app.Settings().S3.Endpoint + "/" + app.Settings().S3.Bucket
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		c.Status, c.Advice = Fail, "cannot open file storage: "+err.Error()
		return c
	}
	defer fsys.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	fsys.SetContext(ctx)
	key := ".aegis_probe/" + time.Now().UTC().Format("20060102T150405.000000000")
	if err := fsys.Upload([]byte("probe"), key); err != nil {
		c.Status, c.Advice = Fail, "cannot write to file storage (check the S3 settings): "+err.Error()
		return c
	}
	_ = fsys.Delete(key)
	c.Status = OK
	return c
}

func checkJobs(app core.App) Check {
	c := Check{Name: "jobs"}
	since := types.NowDateTime().Add(-24 * time.Hour)
	var failed, stale int
	_ = app.DB().Select("count(*)").From(collections.JobRuns).
		Where(dbx.HashExp{"status": collections.JobFailed}).AndWhere(dbx.NewExp("started_at >= {:s}", dbx.Params{"s": since.String()})).Row(&failed)
	old := types.NowDateTime().Add(-6 * time.Hour)
	_ = app.DB().Select("count(*)").From(collections.JobRuns).
		Where(dbx.HashExp{"status": collections.JobRunning}).AndWhere(dbx.NewExp("started_at < {:s}", dbx.Params{"s": old.String()})).Row(&stale)
	c.Status, c.Detail = OK, fmt.Sprintf("%d failed runs in 24 h, %d running for over 6 h", failed, stale)
	if failed > 0 || stale > 0 {
		c.Status, c.Advice = Warn, "see Integrations & jobs in the UI for the errors"
	}
	return c
}
