package attack_test

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/testutil"
)

// The benchmarks behind docs/BENCHMARKS.md. Run them with
// go test ./importers/attack -run '^$' -bench . -benchtime 5x

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more about the work done than the wall clock does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkImportEnterprise(b *testing.B) {
	path := shared(b, "enterprise-attack-18.1.json.gz")
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		app := testutil.NewApp(b)
		c0 := cpuTime()
		b.StartTimer()
		mustImport(b, app, path)
		b.StopTimer()
		cpu += cpuTime() - c0
		app.Cleanup()
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkReimportUnchanged(b *testing.B) {
	path := shared(b, "enterprise-attack-18.1.json.gz")
	app := testutil.NewApp(b)
	mustImport(b, app, path)
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if rep := mustImport(b, app, path); !rep.NoChange {
			b.Fatalf("re-import wrote: %+v", rep)
		}
	}
	b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkJSONDecodeBaseline is the yardstick: gunzip and decode the same
// file with plain encoding/json into generic values, nothing else.
func BenchmarkJSONDecodeBaseline(b *testing.B) {
	path := shared(b, "enterprise-attack-18.1.json.gz")
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		var v any
		if err := json.NewDecoder(zr).Decode(&v); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
}
