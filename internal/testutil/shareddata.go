package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedData returns the folder of real public data sets: $AEGIS_SHARED_DATA
// when set, else ../shared/data beside the repository (or beside its parent
// folder, for checkouts one level deeper). It skips the test when the folder
// is absent, except under CI=true, where a missing folder fails the test.
func SharedData(t testing.TB) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "..", "..", "shared", "data")
	candidates := []string{dir, filepath.Join(filepath.Dir(here), "..", "..", "..", "shared", "data")}
	if env := os.Getenv("AEGIS_SHARED_DATA"); env != "" {
		candidates = []string{env}
	}
	for _, d := range candidates {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("shared data folder %s is missing (CI=true requires it)", dir)
	}
	t.Skipf("shared data folder %s not present; skipping test that needs real data", dir)
	return ""
}
