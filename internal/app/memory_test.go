package app

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An idle process gives back the heap it holds beyond the live one, once
// per idle spell; a busy one, or one holding little, keeps it.
func TestIdleReleaser(t *testing.T) {
	const mb = 1 << 20
	stats := func(total, inuse, idle, released uint64) runtime.MemStats {
		return runtime.MemStats{TotalAlloc: total, HeapInuse: inuse, HeapIdle: idle, HeapReleased: released}
	}
	var r idleReleaser
	steps := []struct {
		name string
		m    runtime.MemStats
		live uint64
		want bool
	}{
		{"busy: allocating", stats(200*mb, 38*mb, 11*mb, 6*mb), 20 * mb, false},
		{"idle, holding 23 MB beyond the live heap", stats(200*mb, 38*mb, 11*mb, 6*mb), 20 * mb, true},
		{"still idle: released once already", stats(201*mb, 30*mb, 2*mb, 2*mb), 20 * mb, false},
		{"busy again", stats(260*mb, 40*mb, 4*mb, 0), 20 * mb, false},
		{"idle, holding little", stats(261*mb, 24*mb, 2*mb, 0), 20 * mb, false},
		{"idle, holding more after a burst", stats(262*mb, 34*mb, 2*mb, 0), 20 * mb, true},
	}
	for _, s := range steps {
		assert.Equal(t, s.want, r.due(s.m, s.live), s.name)
	}
}

// The soft limit applies unless GOMEMLIMIT is set.
func TestSetMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	t.Setenv("GOMEMLIMIT", "")
	setMemoryLimit()
	assert.Equal(t, int64(DefaultMemoryLimit), debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "1GiB")
	setMemoryLimit()
	assert.Equal(t, int64(1<<40), debug.SetMemoryLimit(-1), "GOMEMLIMIT wins")
}
