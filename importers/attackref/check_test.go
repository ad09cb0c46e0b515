package attackref_test

import (
	"fmt"
	"reflect"
	"testing"
)

// require and assert mirror the testify calls these tests use (the module
// graph does not resolve testify's own dependencies yet): require stops the
// test, assert records the failure and goes on.
var (
	require = checker{fatal: true}
	assert  = checker{}
)

type checker struct{ fatal bool }

func (c checker) fail(t *testing.T, what string, msg []any) bool {
	t.Helper()
	if len(msg) > 0 {
		what += ": " + fmt.Sprint(msg...)
	}
	if c.fatal {
		t.Fatal(what)
	}
	t.Error(what)
	return false
}

func (c checker) NoError(t *testing.T, err error, msg ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, "unexpected error: "+err.Error(), msg)
	}
	return true
}

func (c checker) Equal(t *testing.T, want, got any, msg ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, fmt.Sprintf("want %v, got %v", want, got), msg)
	}
	return true
}

func (c checker) True(t *testing.T, v bool, msg ...any) bool {
	t.Helper()
	if !v {
		return c.fail(t, "want true", msg)
	}
	return true
}

func (c checker) False(t *testing.T, v bool, msg ...any) bool {
	t.Helper()
	if v {
		return c.fail(t, "want false", msg)
	}
	return true
}

func (c checker) Zero(t *testing.T, n int, msg ...any) bool {
	t.Helper()
	if n != 0 {
		return c.fail(t, fmt.Sprintf("want 0, got %d", n), msg)
	}
	return true
}

func (c checker) Positive(t *testing.T, n int, msg ...any) bool {
	t.Helper()
	if n <= 0 {
		return c.fail(t, fmt.Sprintf("want > 0, got %d", n), msg)
	}
	return true
}

func (c checker) Len(t *testing.T, v any, n int, msg ...any) bool {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		return c.fail(t, fmt.Sprintf("want length %d, got %d", n, l), msg)
	}
	return true
}
