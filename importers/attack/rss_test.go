package attack_test

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestPeakMemoryEnterprise measures the peak RSS (VmHWM) of a process that
// imports the Enterprise bundle into an empty database, in a child process
// so the figure is the import's and not the test runner's. It runs only
// with AEGIS_MEASURE_RSS=1 (it is a measurement for docs/BENCHMARKS.md) and
// enforces the 300 MB budget.
func TestPeakMemoryEnterprise(t *testing.T) {
	if os.Getenv("AEGIS_RSS_CHILD") == "1" {
		app := testutil.NewApp(t)
		mustImport(t, app, shared(t, "enterprise-attack-18.1.json.gz"))
		mustImport(t, app, shared(t, "enterprise-attack-18.1.json.gz"))
		t.Logf("VmHWM %d kB", vmHWM(t))
		return
	}
	if os.Getenv("AEGIS_MEASURE_RSS") != "1" {
		t.Skip("measurement only: set AEGIS_MEASURE_RSS=1")
	}
	shared(t, "enterprise-attack-18.1.json.gz")
	cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemoryEnterprise$", "-test.v")
	cmd.Env = append(os.Environ(), "AEGIS_RSS_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoErrorf(t, err, "child: %v\n%s", err, out)
	i := strings.Index(string(out), "VmHWM ")
	require.Falsef(t, i < 0, "no measurement in:\n%s", out)
	kb, _ := strconv.Atoi(strings.Fields(string(out)[i+6:])[0])
	t.Logf("peak RSS of import + re-import of Enterprise ATT&CK: %.1f MB", float64(kb)/1024)
	require.Falsef(t, kb > 300*1024, "peak RSS %d kB is over the 300 MB budget", kb)
}

func vmHWM(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmHWM:") {
			n, _ := strconv.Atoi(strings.Fields(s.Text())[1])
			return n
		}
	}
	return 0
}
