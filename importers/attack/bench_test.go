package attack_test

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"

	"github.com/aegis-sec/aegis/testutil"
)

// The benchmarks behind docs/BENCHMARKS.md. Run them with
// go test ./importers/attack -run '^$' -bench . -benchtime 5x

func BenchmarkImportEnterprise(b *testing.B) {
	path := shared(b, "enterprise-attack-18.1.json.gz")
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		app := testutil.NewApp(b)
		b.StartTimer()
		mustImport(b, app, path)
		b.StopTimer()
		app.Cleanup()
		b.StartTimer()
	}
}

func BenchmarkReimportUnchanged(b *testing.B) {
	path := shared(b, "enterprise-attack-18.1.json.gz")
	app := testutil.NewApp(b)
	mustImport(b, app, path)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rep := mustImport(b, app, path); !rep.NoChange {
			b.Fatalf("re-import wrote: %+v", rep)
		}
	}
}

// BenchmarkJSONDecodeBaseline is the yardstick: gunzip and decode the same
// file with plain encoding/json into generic values, nothing else.
func BenchmarkJSONDecodeBaseline(b *testing.B) {
	path := shared(b, "enterprise-attack-18.1.json.gz")
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
}
