package testutil_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestTemplateHasEveryCollectionAndRole(t *testing.T) {
	ta := testutil.NewApp(t)
	for _, name := range collections.All {
		_, err := ta.FindCollectionByNameOrId(name)
		assert.NoError(t, err, "collection %s missing", name)
	}
	users := testutil.Users(t)
	require.Len(t, users, len(collections.Roles), "seeded users")
	srv := testutil.Serve(t, ta)
	res := testutil.Do(t, http.MethodGet, srv.URL+"/api/collections/users/records", users["viewer"].Token, nil)
	require.Equal(t, http.StatusOK, res.Status, "viewer list users: %s", res.Body)
	var page struct{ TotalItems int }
	res.JSON(t, &page)
	require.Equal(t, len(collections.Roles), page.TotalItems, "users the viewer sees")
}

// recorder is a testing.TB that records failures instead of failing the
// real test, so that the runner's own checks can be shown to bite.
type recorder struct {
	testing.TB
	failures []string
}

type stopped struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(stopped{})
}
func (r *recorder) FailNow() { panic(stopped{}) }
func (r *recorder) Fail()    {}

// failures runs sc against s with a recorder and returns what failed.
func failures(t *testing.T, s *testutil.Server, sc testutil.Scenario) (got []string) {
	rec := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stopped); !ok {
					panic(p)
				}
				rec.failures = append(rec.failures, "stopped")
			}
		}()
		sc.Test(rec, s)
	}()
	return rec.failures
}

func TestScenarioRunner(t *testing.T) {
	s := testutil.NewServer(t)
	viewer := testutil.Users(t)[collections.RoleViewer].Token
	var before, after int
	s.Run(t,
		testutil.Scenario{
			Name: "health answers over loopback", Method: http.MethodGet, URL: "/api/health",
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"code":200`},
		},
		testutil.Scenario{
			Name: "a guest is refused with a JSON error", Method: http.MethodPost, URL: "/api/aegis/notifications/read-all",
			ExpectedStatus: http.StatusUnauthorized, ExpectedError: true,
		},
		testutil.Scenario{
			Name: "setup and after hooks see the app", Method: http.MethodGet, URL: "/api/collections/users/records", Token: viewer,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp) { before = int(testutil.Count(t, app, collections.Users)) },
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"totalItems":`}, NotExpectedContent: []string{`"password"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, r testutil.Response) {
				after = int(testutil.Count(t, app, collections.Users))
				var page struct{ TotalItems int }
				r.JSON(t, &page)
				assert.Equal(t, after, page.TotalItems)
			},
		},
	)
	assert.Equal(t, len(collections.Roles), before)
	assert.Equal(t, before, after)

	// The runner's checks bite: each broken expectation is reported.
	health := testutil.Scenario{Method: http.MethodGet, URL: "/api/health", ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"code":200`}}
	assert.Empty(t, failures(t, s, health), "the control scenario passes")
	wrongStatus := health
	wrongStatus.ExpectedStatus = http.StatusTeapot
	assert.NotEmpty(t, failures(t, s, wrongStatus), "wrong status")
	missing := health
	missing.ExpectedContent = []string{"no such text"}
	assert.NotEmpty(t, failures(t, s, missing), "missing content")
	unwanted := health
	unwanted.NotExpectedContent = []string{`"code":200`}
	assert.NotEmpty(t, failures(t, s, unwanted), "unwanted content")
	silent := health
	silent.ExpectedContent = nil
	assert.NotEmpty(t, failures(t, s, silent), "a body where none was expected")
	wholeBody := health
	wholeBody.ExpectedBody = `{"code":200}`
	assert.NotEmpty(t, failures(t, s, wholeBody), "a body that is not the whole expected body")
	guest := testutil.Scenario{Method: http.MethodPost, URL: "/api/aegis/notifications/read-all", ExpectedStatus: http.StatusUnauthorized, ExpectedError: true}
	assert.Empty(t, failures(t, s, guest), "the control error scenario passes")
	wrongMessage := guest
	wrongMessage.ExpectedMessage = "no such message"
	assert.NotEmpty(t, failures(t, s, wrongMessage), "an error message that does not mention the text")
	notAnError := health
	notAnError.ExpectedError = true
	assert.NotEmpty(t, failures(t, s, notAnError), "an answer that is not a JSON error")
}
