package store_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/testsrc"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
)

// templates parses the shared Atomic corpus once (1145 templates).
func templates(b *testing.B) []store.Template {
	b.Helper()
	path := filepath.Join(testutil.SharedData(b), "atomic-red-team-atomics.tar.gz")
	var out []store.Template
	err := testsrc.TarGz(path).Walk(context.Background(), func(e source.Entry) error {
		if !strings.HasSuffix(e.Path, ".yaml") {
			return nil
		}
		data, err := io.ReadAll(e.Body)
		if err != nil {
			return err
		}
		f, err := atomic.Parse(e.Path, data)
		if err != nil {
			return err
		}
		out = append(out, f.Templates...)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkWriteBulk writes the templates with prepared raw SQL in one
// transaction (what the importers do).
func BenchmarkWriteBulk(b *testing.B) {
	tpls := templates(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		app := testutil.NewApp(b)
		b.StartTimer()
		rep := &importers.Report{}
		if err := store.WriteTemplates(context.Background(), app, tpls, rep, importers.Options{}); err != nil || rep.Created != len(tpls) {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

// BenchmarkWriteSave writes the same templates with txApp.Save per record
// in one transaction, the idiomatic PocketBase way, for comparison.
func BenchmarkWriteSave(b *testing.B) {
	tpls := templates(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		app := testutil.NewApp(b)
		b.StartTimer()
		err := app.RunInTransaction(func(tx core.App) error {
			col, err := tx.FindCachedCollectionByNameOrId(collections.TestTemplates)
			if err != nil {
				return err
			}
			for _, t := range tpls {
				r := core.NewRecord(col)
				r.Load(map[string]any{"source": t.Source, "source_id": t.SourceID, "technique_attack_id": t.TechniqueID,
					"name": t.Name, "description": t.Description, "platforms": t.Platforms, "executor": t.Executor,
					"input_arguments": t.InputArguments, "dependencies": t.Dependencies, "path": t.Path})
				if err := tx.Save(r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
