package cli

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		t.Run(fmt.Sprintf("%d of %d", c.done, c.total), func(t *testing.T) {
			assert.Equal(t, c.want, renderBar("write", c.done, c.total, 1500*time.Millisecond), "the bar for %d of %d", c.done, c.total)
		})
	}
}

func TestProgressBarSilentOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf)
	p.Update("read", 1, 2)
	p.Finish()
	require.Equal(t, 0, buf.Len(), "drew on a non-terminal: %q", buf.String())
}
