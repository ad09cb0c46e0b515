package cli

import (
	"bytes"
	"testing"
	"time"
)

func TestRenderBar(t *testing.T) {
	cases := []struct {
		done, total int
		want        string
	}{
		{0, 10, "write  [..............................] 0/10   0%  1.5s"},
		{5, 10, "write  [###############...............] 5/10  50%  1.5s"},
		{12, 10, "write  [##############################] 10/10 100%  1.5s"},
		{7, 0, "write  7  1.5s"},
	}
	for _, c := range cases {
		if got := renderBar("write", c.done, c.total, 1500*time.Millisecond); got != c.want {
			t.Errorf("renderBar(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
}

func TestProgressBarSilentOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf)
	p.Update("read", 1, 2)
	p.Finish()
	if buf.Len() != 0 {
		t.Fatalf("drew on a non-terminal: %q", buf.String())
	}
}
