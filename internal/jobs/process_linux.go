package jobs

import (
	"os"
	"strconv"
	"strings"
)

type procState int

const (
	processUnknown procState = iota
	processAlive
	processGone
)

// processStart returns the start time of pid in clock ticks since boot
// (field 22 of /proc/<pid>/stat), or "" when unknown. Together with the pid
// it names one process for the life of the machine.
func processStart(pid int) string {
	_, start := procStat(pid)
	return start
}

// procStat returns the state letter and start time of pid.
func procStat(pid int) (state, start string) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", ""
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", ""
	}
	fields := strings.Fields(s[i+1:])
	// fields[0] is field 3 (state), so field 22 is fields[19].
	if len(fields) < 20 {
		return "", ""
	}
	return fields[0], fields[19]
}

// processState tells whether the process pid that started at start is still
// running on this host.
func processState(pid int, start string) procState {
	if pid <= 0 {
		return processUnknown
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return processUnknown // no procfs: rely on lease expiry
	}
	state, now := procStat(pid)
	switch {
	case now == "", state == "Z", state == "X":
		return processGone
	case start == "":
		return processUnknown
	case now == start:
		return processAlive
	default:
		return processGone // the pid was recycled
	}
}
