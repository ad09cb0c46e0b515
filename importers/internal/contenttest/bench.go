package contenttest

import (
	"context"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/internal/testutil"
)

// BenchImport runs the "import" (into a fresh app seeded with the
// Enterprise catalogue) and "reimport" (unchanged, must write nothing)
// sub-benchmarks of a rule importer over files, reporting CPU seconds per
// operation next to wall time.
func BenchImport(b *testing.B, name string, files []File, imp importers.Func) {
	b.Run("import", func(b *testing.B) {
		var cpu time.Duration
		defer func() { b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			b.StopTimer()
			app := testutil.NewApp(b)
			SeedEnterprise(b, app)
			b.StartTimer()
			c0 := CPUTime()
			rep, err := imp(context.Background(), app, &Memory{Name: name, Files: files}, importers.Options{})
			if err != nil || rep.Created != len(files) {
				b.Fatalf("%v %+v", err, rep)
			}
			cpu += CPUTime() - c0
			b.StopTimer()
			app.Cleanup()
			b.StartTimer()
		}
	})
	b.Run("reimport", func(b *testing.B) {
		app := testutil.NewApp(b)
		SeedEnterprise(b, app)
		src := &Memory{Name: name, Files: files}
		if _, err := imp(context.Background(), app, src, importers.Options{}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		cpu := CPUTime()
		defer func() { b.ReportMetric((CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			rep, err := imp(context.Background(), app, src, importers.Options{})
			if err != nil || !rep.NoChange {
				b.Fatalf("%v %+v", err, rep)
			}
		}
	})
}
