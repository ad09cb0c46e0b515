package testutil_test

import (
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestTemplateHasEveryCollectionAndRole(t *testing.T) {
	ta := testutil.NewApp(t)
	for _, name := range collections.All {
		if _, err := ta.FindCollectionByNameOrId(name); err != nil {
			t.Errorf("collection %s missing: %v", name, err)
		}
	}
	users := testutil.Users(t)
	if len(users) != len(collections.Roles) {
		t.Fatalf("seeded %d users, want %d", len(users), len(collections.Roles))
	}
	srv := testutil.Serve(t, ta)
	res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/users/records", users["viewer"].Token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("viewer list users: %d %s", res.Status, res.Body)
	}
	var page struct{ TotalItems int }
	res.JSON(t, &page)
	if page.TotalItems != len(collections.Roles) {
		t.Fatalf("viewer sees %d users, want %d", page.TotalItems, len(collections.Roles))
	}
}
