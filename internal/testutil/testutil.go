// Package testutil builds real Aegis test apps: a migrated SQLite data dir
// with one active user per role, cloned per test, with every production hook
// and route registered, and optionally served over a real loopback HTTP
// server. Use it from external test packages (package foo_test) to avoid
// import cycles.
package testutil

import (
	"fmt"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/app"
	_ "github.com/aegis-sec/aegis/pb_migrations"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// Password is the password of every seeded user.
const Password = "correct-horse-battery"

// User is a seeded account.
type User struct {
	Id    string
	Email string
	Role  collections.Role
	Token string
}

var (
	once        sync.Once
	templateDir string
	seeded      map[collections.Role]User
	superuser   User
	setupErr    error
)

// Users returns the seeded users by role (admin, red_lead, …, viewer).
func Users(t testing.TB) map[collections.Role]User {
	t.Helper()
	ensureTemplate(t)
	return seeded
}

// Superuser returns the seeded dashboard superuser (root@aegis.test).
func Superuser(t testing.TB) User {
	t.Helper()
	ensureTemplate(t)
	return superuser
}

// Main runs the package's tests and removes the shared template afterwards.
// Call it from TestMain: func TestMain(m *testing.M) { testutil.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

func ensureTemplate(t testing.TB) {
	once.Do(func() { setupErr = buildTemplate() })
	if setupErr != nil {
		t.Fatalf("build test template: %v", setupErr)
	}
}

func buildTemplate() error {
	dir, err := os.MkdirTemp("", "aegis_tpl_*")
	if err != nil {
		return err
	}
	ta, err := tests.NewTestApp(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	seeded = map[collections.Role]User{}
	for _, role := range collections.Roles {
		email := string(role) + "@aegis.test"
		u, err := collections.CreateUser(ta, collections.NewUserInput{
			Email: email, Password: Password, Name: "Test " + string(role), Role: role,
		})
		if err != nil {
			return fmt.Errorf("seed %s: %w", role, err)
		}
		tok, err := u.NewStaticAuthToken(0)
		if err != nil {
			return err
		}
		seeded[role] = User{Id: u.Id, Email: email, Role: role, Token: tok}
	}
	suCol, err := ta.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	su := core.NewRecord(suCol)
	su.SetEmail("root@aegis.test")
	su.SetPassword(Password)
	if err := ta.Save(su); err != nil {
		return fmt.Errorf("seed superuser: %w", err)
	}
	suTok, err := su.NewStaticAuthToken(0)
	if err != nil {
		return err
	}
	superuser = User{Id: su.Id, Email: su.Email(), Role: "superuser", Token: suTok}
	// Tests should not trip over the production rate limits.
	s := ta.Settings()
	s.RateLimits.Enabled = false
	if err := ta.Save(s); err != nil {
		return err
	}
	templateDir = ta.DataDir()
	ta.ResetBootstrapState()
	return nil
}

// NewApp returns a fresh clone of the template with Aegis registered. It is
// cleaned up when the test ends.
func NewApp(t testing.TB) *tests.TestApp {
	t.Helper()
	ensureTemplate(t)
	ta, err := tests.NewTestApp(templateDir)
	if err != nil {
		t.Fatalf("new test app: %v", err)
	}
	app.Register(ta)
	t.Cleanup(ta.Cleanup)
	return ta
}

// Factory adapts NewApp to tests.ApiScenario.TestAppFactory.
func Factory(t testing.TB) *tests.TestApp { return NewApp(t) }

// Serve starts a real HTTP server on loopback for ta, running the same
// OnServe hooks as production. It is closed when the test ends.
func Serve(t testing.TB, ta core.App) *httptest.Server {
	t.Helper()
	r, err := apis.NewRouter(ta)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	se := &core.ServeEvent{App: ta, Router: r}
	if err := ta.OnServe().Trigger(se, func(e *core.ServeEvent) error { return nil }); err != nil {
		t.Fatalf("serve hooks: %v", err)
	}
	mux, err := r.BuildMux()
	if err != nil {
		t.Fatalf("build mux: %v", err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
