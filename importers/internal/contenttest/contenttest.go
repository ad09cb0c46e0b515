// Package contenttest holds test fixtures for the content importers: a
// technique catalogue seeded straight into a test app and shortcuts to the
// shared real data sets.
package contenttest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// SeedTechniques inserts enterprise techniques with the given ATT&CK ids (a
// fixture: name = id) and returns attack_id → record id.
func SeedTechniques(t testing.TB, app core.App, ids ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := app.RunInTransaction(func(tx core.App) error {
		q := tx.DB().NewQuery(`INSERT INTO {{techniques}} ([[id]], [[stix_id]], [[attack_id]], [[name]], [[domain]],
			[[is_subtechnique]], [[revoked]], [[deprecated]], [[in_scope]], [[created]], [[updated]])
			VALUES ({:id}, {:stix}, {:aid}, {:name}, 'enterprise-attack', {:sub}, {:rev}, FALSE, TRUE, {:now}, {:now})`).Prepare()
		defer q.Close()
		now := types.NowDateTime().String()
		for _, id := range ids {
			rid := core.GenerateDefaultRandomId()
			if _, err := q.Bind(dbx.Params{"id": rid, "stix": "attack-pattern--fixture-" + id, "aid": id, "name": id,
				"sub": len(id) > 5, "rev": false, "now": now}).Execute(); err != nil {
				return err
			}
			out[id] = rid
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed techniques: %v", err)
	}
	return out
}

// SeedEnterprise imports the shared Enterprise ATT&CK v18.1 bundle with the
// real ATT&CK importer, so content importers link to the real catalogue.
// It skips when the data is absent and returns the techniques imported.
func SeedEnterprise(t testing.TB, app core.App) int {
	t.Helper()
	src := Shared(t, filepath.Join("attack", "enterprise-attack-18.1.json.gz"))
	if _, err := attack.Import(context.Background(), app, src, importers.Options{}); err != nil {
		t.Fatalf("import enterprise ATT&CK: %v", err)
	}
	n, err := app.CountRecords(collections.Techniques)
	if err != nil || n == 0 {
		t.Fatalf("no techniques after the ATT&CK import: %v", err)
	}
	return int(n)
}

// Shared opens a file of the shared data folder as a source (skipping when
// the folder is absent).
func Shared(t testing.TB, name string) source.Source {
	t.Helper()
	src, err := source.Open(filepath.Join(testutil.SharedData(t), name), source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Open opens spec as a source, failing the test on error.
func Open(t testing.TB, spec string) source.Source {
	t.Helper()
	src, err := source.Open(spec, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// WriteFiles writes name → body files under dir, creating folders.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// File is one file held in memory.
type File struct {
	Path string
	Data []byte
}

// ReadAll reads every file of src whose path match accepts into memory
// (benchmarks time parsing and writing, not decompression).
func ReadAll(t testing.TB, src source.Source, match func(string) bool) []File {
	t.Helper()
	var out []File
	err := src.Walk(context.Background(), func(e source.Entry) error {
		if !match(e.Path) {
			return nil
		}
		b, err := io.ReadAll(e.Body)
		if err != nil {
			return err
		}
		out = append(out, File{e.Path, b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Memory is a source over files held in memory.
type Memory struct {
	Name  string
	Files []File
}

// Walk implements source.Source.
func (m *Memory) Walk(ctx context.Context, fn source.WalkFunc) error {
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(source.Entry{Path: f.Path, Size: int64(len(f.Data)), Body: bytes.NewReader(f.Data)}); err != nil {
			return err
		}
	}
	return nil
}

// String implements source.Source.
func (m *Memory) String() string { return m.Name }

// CPUTime is the process's user + system CPU time so far. Benchmarks report
// it beside wall time because the build machine is shared: wall time there
// mostly measures the wait for a core.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
