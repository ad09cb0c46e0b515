package app

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is not set: a guard against a burst (an import beside a reload), not the
// memory budget. The heap of the xl organisation (200k tests) is ~75 MB
// live: at 128 MiB the collector ran almost without pause under page loads
// and a plain list took 3× as long as at large (docs/BENCHMARKS.md,
// memory); at 256 MiB it runs at Go's usual pace, and what an idle process
// holds is kept down by the idle release below, not by the limit.
const DefaultMemoryLimit = 256 << 20

// IdleReleaseEvery is how often a served process checks whether it is idle
// and holds freed heap it could give back.
const IdleReleaseEvery = 15 * time.Second

// idleRetainMax is the freed heap an idle process keeps; past it, it is
// returned to the system.
const idleRetainMax = 8 << 20

// idleAlloc is the allocation between two checks below which the process
// counts as idle.
const idleAlloc = 4 << 20

// setMemoryLimit applies DefaultMemoryLimit unless GOMEMLIMIT is set.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}

// registerMemory sets the soft limit and, while serving, gives the heap a
// burst of requests left free back to the system once the process is idle:
// the runtime otherwise keeps it, up to the heap goal, until the next GC,
// which an idle process never runs.
func registerMemory(app core.App) {
	setMemoryLimit()
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		stop := make(chan struct{})
		go releaseWhenIdle(stop, IdleReleaseEvery)
		se.App.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
			close(stop)
			return te.Next()
		})
		return se.Next()
	})
}

func releaseWhenIdle(stop <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var r idleReleaser
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(live)
		if live[0].Value.Kind() == metrics.KindUint64 && r.due(m, live[0].Value.Uint64()) {
			debug.FreeOSMemory()
		}
	}
}

// idleReleaser decides when an idle process gives its freed heap back: once
// per idle spell (a release leaves what the heap's fragmentation holds,
// which asking again would not return), when it allocated little since the
// last check and its resident heap holds more than idleRetainMax beyond
// what the last GC found live (garbage not collected yet, freed spans not
// returned).
type idleReleaser struct {
	lastAlloc uint64 // total allocated at the last check
	released  bool   // released in this idle spell
}

func (r *idleReleaser) due(m runtime.MemStats, live uint64) bool {
	idle := m.TotalAlloc-r.lastAlloc < idleAlloc
	r.lastAlloc = m.TotalAlloc
	if !idle {
		r.released = false
		return false
	}
	held := m.HeapInuse + m.HeapIdle - m.HeapReleased // resident heap: live, garbage, free
	if r.released || held <= live+idleRetainMax {
		return false
	}
	r.released = true
	return true
}
