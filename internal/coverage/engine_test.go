package coverage_test

import (
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testByID finds a test of the model by id (nil when absent).
func testByID(d *coverage.Data, id string) *coverage.Test {
	for t := range d.AllTests() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Writes through the model API invalidate at once (hooks); bulk SQL writes
// that bypass hooks are caught by the fingerprint check.
func TestEngineInvalidation(t *testing.T) {
	app := testutil.NewApp(t)
	eng := coverage.For(app)
	eng.FingerprintEvery = 20 * time.Millisecond
	d0, err := eng.Data()
	require.NoError(t, err)
	require.Zero(t, d0.NumTests(), "empty model")
	d, err := eng.Data()
	require.NoError(t, err)
	require.Same(t, d0, d, "an unchanged model must come from the cache")

	// Bulk SQL: no hook fires; the background fingerprint notices.
	seedTests(t, app, 3) // bulk SQL; the helper invalidates explicitly as importers do
	d1, err := eng.Data()
	require.NoError(t, err)
	require.Equal(t, 3, d1.NumTests(), "after invalidate")
	_, err = app.DB().NewQuery("UPDATE tests SET updated = '2030-01-01 00:00:00.000Z', detection = 'none' WHERE id = 't00000000000000'").Execute()
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		d, _ := eng.Data()
		tt := testByID(d, "t00000000000000")
		return d != d1 && tt != nil && tt.Detection == "none"
	}, 5*time.Second, 30*time.Millisecond, "bulk write never noticed")

	// A model-API write invalidates through the hooks.
	d2, err := eng.Data()
	require.NoError(t, err)
	rec, err := app.FindRecordById("tests", "t00000000000001")
	require.NoError(t, err)
	rec.Set("prevention", "partial")
	require.NoError(t, app.SaveNoValidate(rec))
	d3, err := eng.Data()
	require.NoError(t, err)
	assert.NotSame(t, d2, d3, "hook did not invalidate the model")
}
