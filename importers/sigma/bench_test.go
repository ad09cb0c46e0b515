package sigma_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/aegis-sec/aegis/importers/internal/contenttest"
	"github.com/aegis-sec/aegis/importers/internal/filewalk"
	"github.com/aegis-sec/aegis/importers/sigma"
	"gopkg.in/yaml.v3"
)

// BenchmarkCorpus measures, in one run over the same in-memory files of the
// shared SigmaHQ corpus: plain yaml.v3 decoding of every document into
// map[string]any, Parse alone, and the whole import into an empty database
// (parse, link, one transaction of prepared inserts), plus the unchanged
// re-import.
//
//	go test -run '^$' -bench BenchmarkCorpus -benchtime 5x ./importers/sigma
func BenchmarkCorpus(b *testing.B) {
	files := contenttest.ReadAll(b, contenttest.Shared(b, "sigma-rules.tar.gz"), filewalk.Ext(".yml", ".yaml"))
	b.Run("yaml-decode", func(b *testing.B) {
		cpu := contenttest.CPUTime()
		defer func() { b.ReportMetric((contenttest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			for _, f := range files {
				dec := yaml.NewDecoder(bytes.NewReader(f.Data))
				for {
					var m map[string]any
					if err := dec.Decode(&m); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		cpu := contenttest.CPUTime()
		defer func() { b.ReportMetric((contenttest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op") }()
		for range b.N {
			for _, f := range files {
				if _, err := sigma.Parse(f.Path, f.Data); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	contenttest.BenchImport(b, "sigma", files, sigma.Import)
}
