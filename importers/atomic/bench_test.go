package atomic_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/internal/testutil"
	"gopkg.in/yaml.v3"
)

// Benchmarks on the shared Atomic Red Team corpus (196 files, 1145 tests),
// held in memory so only parsing and writing are measured. Compare:
//
//	BenchmarkPlainYAMLDecode  yaml.Unmarshal of every file into any
//	BenchmarkParse            bounded decode + validation into templates
//	BenchmarkImportEmpty      Parse + one transaction of prepared inserts
//	BenchmarkReimport         Parse + hash comparison, zero writes
func corpusFiles(b *testing.B) testsrc.Files {
	b.Helper()
	files := testsrc.Files{}
	path := filepath.Join(testutil.SharedData(b), "atomic-red-team-atomics.tar.gz")
	err := testsrc.TarGz(path).Walk(context.Background(), func(e sourceEntry) error {
		if !strings.HasSuffix(e.Path, ".yaml") {
			return nil
		}
		data, err := readAll(e)
		files[e.Path] = string(data)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return files
}

func BenchmarkPlainYAMLDecode(b *testing.B) {
	files := corpusFiles(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, body := range files {
			var v any
			if err := yaml.Unmarshal([]byte(body), &v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	files := corpusFiles(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for p, body := range files {
			if _, err := atomic.Parse(p, []byte(body)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkImportEmpty(b *testing.B) {
	files := corpusFiles(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		app := testutil.NewApp(b)
		b.StartTimer()
		rep, err := atomic.Import(context.Background(), app, files, importers.Options{})
		if err != nil || rep.Created != 1145 {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

func BenchmarkReimport(b *testing.B) {
	files := corpusFiles(b)
	app := testutil.NewApp(b)
	if _, err := atomic.Import(context.Background(), app, files, importers.Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := atomic.Import(context.Background(), app, files, importers.Options{})
		if err != nil || !rep.NoChange {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}
