package coverage_test

import (
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// Writes through the model API invalidate at once (hooks); bulk SQL writes
// that bypass hooks are caught by the fingerprint check.
func TestEngineInvalidation(t *testing.T) {
	app := testutil.NewApp(t)
	eng := coverage.For(app)
	eng.FingerprintEvery = 20 * time.Millisecond
	d0, err := eng.Data()
	if err != nil || len(d0.Tests) != 0 {
		t.Fatalf("empty model: %v %d", err, len(d0.Tests))
	}
	if d, _ := eng.Data(); d != d0 {
		t.Fatal("an unchanged model must come from the cache")
	}
	// Bulk SQL: no hook fires; the background fingerprint notices.
	seedTests(t, app, 3) // bulk SQL; the helper invalidates explicitly as importers do
	d1, _ := eng.Data()
	if len(d1.Tests) != 3 {
		t.Fatalf("after invalidate: %d tests", len(d1.Tests))
	}
	if _, err := app.DB().NewQuery("UPDATE tests SET updated = '2030-01-01 00:00:00.000Z', detection = 'none' WHERE id = 't00000000000000'").Execute(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, _ := eng.Data()
		if d != d1 && d.Tests[0].Detection == "none" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("bulk write never noticed")
		}
		time.Sleep(30 * time.Millisecond)
	}
	// A model-API write invalidates through the hooks.
	d2, _ := eng.Data()
	rec, err := app.FindRecordById("tests", "t00000000000001")
	require.NoError(t, err)
	rec.Set("prevention", "partial")
	require.NoError(t, app.SaveNoValidate(rec))
	if d, _ := eng.Data(); d == d2 {
		t.Fatal("hook did not invalidate the model")
	}
}
