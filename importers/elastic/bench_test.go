package elastic_test

import (
	"context"
	"github.com/BurntSushi/toml"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/elastic"
	"github.com/aegis-sec/aegis/importers/filewalk"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/testutil"
)

// BenchmarkCorpus measures, in one run over the same in-memory files of the
// shared Elastic corpus: plain BurntSushi/toml decoding of every file into
// map[string]any, Parse alone, and the whole import into an empty database
// (parse, link, one transaction of prepared inserts), plus the unchanged
// re-import.
//
//	go test -run '^$' -bench BenchmarkCorpus -benchtime 5x ./importers/elastic
func BenchmarkCorpus(b *testing.B) {
	files := contenttest.ReadAll(b, contenttest.Shared(b, "elastic-detection-rules.tar.gz"), filewalk.Ext(".toml"))
	b.Run("toml-decode", func(b *testing.B) {
		cpu := contenttest.CPUTime()
		defer func() { b.ReportMetric((contenttest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			for _, f := range files {
				var m map[string]any
				if _, err := toml.Decode(string(f.Data), &m); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		cpu := contenttest.CPUTime()
		defer func() { b.ReportMetric((contenttest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			for _, f := range files {
				if _, err := elastic.Parse(f.Path, f.Data); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("import", func(b *testing.B) {
		var cpu time.Duration
		defer func() { b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			b.StopTimer()
			app := testutil.NewApp(b)
			contenttest.SeedEnterprise(b, app)
			b.StartTimer()
			c0 := contenttest.CPUTime()
			rep, err := elastic.Import(context.Background(), app, &contenttest.Memory{Name: "elastic", Files: files}, importers.Options{})
			if err != nil || rep.Created != len(files) {
				b.Fatalf("%v %+v", err, rep)
			}
			cpu += contenttest.CPUTime() - c0
			b.StopTimer()
			app.Cleanup()
			b.StartTimer()
		}
	})
	b.Run("reimport", func(b *testing.B) {
		app := testutil.NewApp(b)
		contenttest.SeedEnterprise(b, app)
		src := &contenttest.Memory{Name: "elastic", Files: files}
		if _, err := elastic.Import(context.Background(), app, src, importers.Options{}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		cpu := contenttest.CPUTime()
		defer func() { b.ReportMetric((contenttest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			rep, err := elastic.Import(context.Background(), app, src, importers.Options{})
			if err != nil || !rep.NoChange {
				b.Fatalf("%v %+v", err, rep)
			}
		}
	})
}
