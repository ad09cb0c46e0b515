package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressBar draws one self-overwriting line on a terminal. On anything
// else (a pipe, a log file, CI) it draws nothing, so output stays clean.
type progressBar struct {
	mu      sync.Mutex
	w       io.Writer
	enabled bool
	last    time.Time
	drawn   bool
	start   time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, enabled: isTerminal(w), start: time.Now()}
}

// isTerminal is true for a character device such as a TTY.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const barWidth = 30

// Update is an importers.Progress: stage, done, total (0 = unknown).
func (p *progressBar) Update(stage string, done, total int) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 80*time.Millisecond && done != total {
		return
	}
	p.last = now
	fmt.Fprint(p.w, "\r\033[K"+renderBar(stage, done, total, now.Sub(p.start)))
	p.drawn = true
}

// Finish clears the bar so the summary starts on a clean line.
func (p *progressBar) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func renderBar(stage string, done, total int, elapsed time.Duration) string {
	secs := fmt.Sprintf("%.1fs", elapsed.Seconds())
	if total <= 0 {
		return fmt.Sprintf("%-6s %d  %s", stage, done, secs)
	}
	done = min(done, total)
	fill := done * barWidth / total
	return fmt.Sprintf("%-6s [%s%s] %d/%d %3d%%  %s", stage, strings.Repeat("#", fill),
		strings.Repeat(".", barWidth-fill), done, total, done*100/total, secs)
}
