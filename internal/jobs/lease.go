package jobs

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// LeasesCollection holds one row per running job (see the 1764460831
// migration). Every write to it is a single conditional statement, so two
// processes on the same database cannot both win a lease.
const LeasesCollection = "job_leases"

// leaseTTL is how long a lease stays valid without a heartbeat. A holder
// renews it every leaseTTL/4. A crashed holder on this host is detected at
// once from its process id; one on another host when the lease expires.
var leaseTTL = 2 * time.Minute

// holder identifies this process: host, pid, process start time (so a
// recycled pid is not mistaken for the original process) and a random nonce.
var holder = func() string {
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return strings.Join([]string{host, strconv.Itoa(os.Getpid()), processStart(os.Getpid()), hex.EncodeToString(b[:])}, "|")
}()

// active holds the ids of the runs this process is executing. A lease held
// by this process is alive exactly when its run is in here.
var active sync.Map // run id → struct{}

type lease struct {
	Job       string `db:"job"`
	Run       string `db:"run"`
	Holder    string `db:"holder"`
	ExpiresAt string `db:"expires_at"`
}

// stale reports whether the lease's holder is gone.
func (l lease) stale(now time.Time) bool {
	if l.Holder == holder {
		_, running := active.Load(l.Run)
		return !running
	}
	parts := strings.Split(l.Holder, "|")
	expired := true
	if t, err := types.ParseDateTime(l.ExpiresAt); err == nil {
		expired = !t.Time().After(now)
	}
	if len(parts) != 4 {
		return expired
	}
	host, _ := os.Hostname()
	pid, err := strconv.Atoi(parts[1])
	if parts[0] != host || err != nil {
		return expired
	}
	switch processState(pid, parts[2]) {
	case processGone:
		return true
	case processAlive:
		// The same process is still there: a heartbeat delayed by a long
		// write transaction is not a crash.
		return false
	default:
		return expired
	}
}

func dbTime(t time.Time) string {
	return t.UTC().Format(types.DefaultDateLayout)
}

// acquireLease takes the lease of job for runId. It returns ok=false and
// the holding run id when a live run holds it; a stale lease (crashed
// holder) is taken over and its run id returned as interrupted.
func acquireLease(app core.App, job, runId string) (ok bool, holdingRun, interrupted string, err error) {
	for range 5 {
		now := time.Now()
		res, err := app.NonconcurrentDB().NewQuery(
			"INSERT INTO {{" + LeasesCollection + "}} (id, job, run, holder, expires_at, created, updated) " +
				"VALUES ({:id}, {:job}, {:run}, {:holder}, {:exp}, {:now}, {:now}) ON CONFLICT(job) DO NOTHING",
		).Bind(dbx.Params{
			"id": core.GenerateDefaultRandomId(), "job": job, "run": runId, "holder": holder,
			"exp": dbTime(now.Add(leaseTTL)), "now": dbTime(now),
		}).Execute()
		if err != nil {
			return false, "", "", fmt.Errorf("lease %s: %w", job, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, "", "", nil
		}
		cur, err := readLease(app, job)
		if errors.Is(err, sql.ErrNoRows) {
			continue // released between the insert and the read: try again
		}
		if err != nil {
			return false, "", "", err
		}
		if !cur.stale(now) {
			return false, cur.Run, "", nil
		}
		// Compare-and-swap on the old run id: of several contenders only one
		// takes a stale lease over.
		res, err = app.NonconcurrentDB().NewQuery(
			"UPDATE {{" + LeasesCollection + "}} SET run={:run}, holder={:holder}, expires_at={:exp}, updated={:now} " +
				"WHERE job={:job} AND run={:old}",
		).Bind(dbx.Params{
			"job": job, "run": runId, "holder": holder, "old": cur.Run,
			"exp": dbTime(now.Add(leaseTTL)), "now": dbTime(now),
		}).Execute()
		if err != nil {
			return false, "", "", fmt.Errorf("lease %s: take over: %w", job, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, "", cur.Run, nil
		}
	}
	return false, "", "", fmt.Errorf("lease %s: contended, try again", job)
}

func readLease(app core.App, job string) (lease, error) {
	var l lease
	err := app.ConcurrentDB().Select("job", "run", "holder", "expires_at").From(LeasesCollection).
		Where(dbx.HashExp{"job": job}).One(&l)
	return l, err
}

func allLeases(app core.App) ([]lease, error) {
	var out []lease
	err := app.ConcurrentDB().Select("job", "run", "holder", "expires_at").From(LeasesCollection).All(&out)
	return out, err
}

// renewLease pushes the lease's expiry forward; false when it is no longer ours.
func renewLease(app core.App, job, runId string) (bool, error) {
	now := time.Now()
	res, err := app.NonconcurrentDB().NewQuery(
		"UPDATE {{" + LeasesCollection + "}} SET expires_at={:exp}, updated={:now} WHERE job={:job} AND run={:run}",
	).Bind(dbx.Params{"job": job, "run": runId, "exp": dbTime(now.Add(leaseTTL)), "now": dbTime(now)}).Execute()
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// releaseLease drops the lease if runId still holds it.
func releaseLease(app core.App, job, runId string) error {
	_, err := app.NonconcurrentDB().NewQuery(
		"DELETE FROM {{" + LeasesCollection + "}} WHERE job={:job} AND run={:run}",
	).Bind(dbx.Params{"job": job, "run": runId}).Execute()
	return err
}
