//go:build !linux

package jobs

type procState int

const (
	processUnknown procState = iota
	processAlive
	processGone
)

// Without procfs a crashed holder is detected when its lease expires.
func processStart(pid int) string { return "" }

func processState(pid int, start string) procState { return processUnknown }
