package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedData returns the folder of real public data sets: $AEGIS_SHARED_DATA
// when set, else ../shared/data beside the repository. It skips the test
// when the folder is absent, except under CI=true, where a missing folder
// fails the test.
func SharedData(t testing.TB) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "..", "..", "shared", "data")
	if env := os.Getenv("AEGIS_SHARED_DATA"); env != "" {
		dir = env
	}
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("shared data folder %s is missing (CI=true requires it)", dir)
	}
	t.Skipf("shared data folder %s not present; skipping test that needs real data", dir)
	return ""
}
