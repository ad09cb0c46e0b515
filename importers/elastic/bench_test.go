package elastic_test

import (
	"github.com/BurntSushi/toml"
	"testing"

	"github.com/aegis-sec/aegis/importers/elastic"
	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
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
	contenttest.BenchImport(b, "elastic", files, elastic.Import)
}
