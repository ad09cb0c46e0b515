package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/api"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upload posts content as the multipart field `field` named name (no file
// part when field is empty), with a note field as the SPA sends.
func upload(t testing.TB, url, token, field, name string, content []byte) testutil.Response {
	t.Helper()
	return testutil.DoMultipart(t, http.MethodPost, url, token, uploadNote, uploadFiles(field, name, content)...)
}

// uploadNote is the form field the SPA sends with an upload.
var uploadNote = map[string]string{"note": "uploaded by a test"}

func uploadFiles(field, name string, content []byte) []testutil.File {
	if field == "" {
		return nil
	}
	return []testutil.File{{Field: field, Name: name, Content: content}}
}

type runAnswer struct {
	JobRun struct {
		Id, Job, Status, Trigger string
		RequestedBy              string `json:"requested_by"`
	} `json:"job_run"`
}

func waitRun(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := jobs.Wait(ctx, app, id)
	require.NoError(t, err, "wait for run %s", id)
	return rec
}

func uploadsLeft(t testing.TB, app core.App) []string {
	entries, err := os.ReadDir(jobs.UploadsDir(app))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// acceptedUpload is the scenario of an ATT&CK upload that is accepted; check
// sees the job run the answer names, once finished.
func acceptedUpload(name, token string, form map[string]string, files []testutil.File, check func(t testing.TB, app *tests.TestApp, run *core.Record)) testutil.Scenario {
	return testutil.Scenario{
		Name: name, Method: http.MethodPost, URL: "/api/aegis/import/attack", Token: token, Form: form, Files: files,
		ExpectedStatus: http.StatusAccepted, ExpectedContent: []string{`"job":"import:attack"`},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, r testutil.Response) {
			var ans runAnswer
			r.JSON(t, &ans)
			check(t, app, waitRun(t, app, ans.JobRun.Id))
		},
	}
}

func TestImportUploadAttackBundleEndToEnd(t *testing.T) {
	s := testutil.NewServer(t)
	admin := testutil.Users(t)["admin"]
	bundle, err := os.ReadFile("testdata/attack-mini.json")
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(bundle)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	file := func(name string, content []byte) []testutil.File { return uploadFiles("file", name, content) }

	first := acceptedUpload("an ATT&CK bundle is imported by a job run", admin.Token, uploadNote, file("attack-mini.json", bundle),
		func(t testing.TB, app *tests.TestApp, run *core.Record) {
			require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), "import run error: %s", run.GetString("error"))
			var rep importers.Report
			require.NoError(t, run.UnmarshalJSONField("stats", &rep))
			assert.Equal(t, "attack", rep.Kind)
			assert.Equal(t, "attack-mini.json", rep.Source)
			assert.NotZero(t, rep.Created)
			assert.False(t, rep.NoChange)
			for col, want := range map[string]int64{collections.Tactics: 2, collections.Techniques: 3, collections.ThreatActors: 1, collections.Mitigations: 1} {
				assert.Equal(t, want, testutil.Count(t, app, col), "%s records", col)
			}
			assert.Empty(t, uploadsLeft(t, app), "temporary upload files left")
		})
	// The answer names the run, its trigger and who asked.
	inner := first.AfterTestFunc
	first.AfterTestFunc = func(t testing.TB, app *tests.TestApp, r testutil.Response) {
		var ans runAnswer
		r.JSON(t, &ans)
		require.NotEmpty(t, ans.JobRun.Id)
		require.Equal(t, "import:attack", ans.JobRun.Job)
		require.Equal(t, "manual", ans.JobRun.Trigger)
		require.Equal(t, admin.Id, ans.JobRun.RequestedBy)
		inner(t, app, r)
	}
	s.Run(t,
		first,
		// The same bundle again, gzipped: it reads through the archive layer
		// and changes nothing.
		acceptedUpload("the same bundle gzipped changes nothing", admin.Token, uploadNote, file("attack-mini.json.gz", gz.Bytes()),
			func(t testing.TB, app *tests.TestApp, run *core.Record) {
				require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), "re-import error %q", run.GetString("error"))
				var rep importers.Report
				require.NoError(t, run.UnmarshalJSONField("stats", &rep))
				assert.Zero(t, rep.Created, "re-import report %+v", rep)
				assert.Zero(t, rep.Updated, "re-import report %+v", rep)
				assert.NotZero(t, rep.Unchanged, "re-import report %+v", rep)
			}),
		// A broken bundle: the run fails naming the problem, nothing changes.
		acceptedUpload("a broken bundle fails naming the file and changes nothing", admin.Token, uploadNote, file("broken.json", bundle[:len(bundle)/2]),
			func(t testing.TB, app *tests.TestApp, run *core.Record) {
				require.Equal(t, jobs.StatusFailed, run.GetString("status"))
				require.Contains(t, run.GetString("error"), "broken.json")
				assert.Equal(t, int64(3), testutil.Count(t, app, collections.Techniques), "techniques after a failed import")
				assert.Empty(t, uploadsLeft(t, app), "temporary upload files left after a failure")
			}),
	)
}

func TestImportUploadRefusals(t *testing.T) {
	s := testutil.NewServer(t)
	users := testutil.Users(t)
	bundle := []byte(`{"type":"bundle","id":"bundle--1","objects":[]}`)

	var scenarios []testutil.Scenario
	for _, tc := range []struct {
		name, kind string
		role       collections.Role
		field      string
		content    []byte
		want       int
		contains   string
	}{
		{"anonymous", "attack", "", "file", bundle, 401, ""},
		{"viewer may not import ATT&CK", "attack", "viewer", "file", bundle, 403, "may not import attack"},
		{"blue lead may not import ATT&CK", "attack", "blue_lead", "file", bundle, 403, "may not import attack"},
		{"red lead may not import sigma", "sigma", "red_lead", "file", bundle, 403, "may not import sigma"},
		{"blue lead may not import atomic", "atomic", "blue_lead", "file", bundle, 403, "may not import atomic"},
		{"unknown kind lists the kinds", "stix-soup", "admin", "file", bundle, 400, "known kinds: "},
		{"missing file", "attack", "admin", "", nil, 400, "Missing file"},
		{"wrong field name", "attack", "admin", "upload", bundle, 400, "Missing file"},
		{"empty file", "attack", "admin", "file", []byte{}, 400, "empty"},
		// Allowed roles get past the role check (and stop at the missing file).
		{"blue lead may import sigma", "sigma", "blue_lead", "", nil, 400, "Missing file"},
		{"red lead may import atomic", "atomic", "red_lead", "", nil, 400, "Missing file"},
	} {
		sc := testutil.Scenario{
			Name: tc.name, Method: http.MethodPost, URL: "/api/aegis/import/" + tc.kind, Token: users[tc.role].Token,
			Form: uploadNote, Files: uploadFiles(tc.field, "bundle.json", tc.content),
			ExpectedStatus: tc.want, ExpectedError: true,
		}
		if tc.contains != "" {
			sc.ExpectedContent = []string{tc.contains}
		}
		scenarios = append(scenarios, sc)
	}
	scenarios = append(scenarios,
		testutil.Scenario{
			Name: "the unknown-kind answer carries the kinds as data too", Method: http.MethodPost, URL: "/api/aegis/import/nope",
			Token: users["admin"].Token, Form: uploadNote, Files: uploadFiles("file", "x.json", bundle),
			ExpectedStatus: http.StatusBadRequest, ExpectedError: true, ExpectedContent: []string{`"kinds":[`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				var body struct {
					Data struct{ Kinds []string } `json:"data"`
				}
				r.JSON(t, &body)
				assert.Contains(t, body.Data.Kinds, "attack", "kinds in data: %s", r.Body)
			},
		},
		testutil.Scenario{
			Name: "a body that is not multipart is refused", Method: http.MethodPost, URL: "/api/aegis/import/attack",
			Token: users["admin"].Token, Body: map[string]string{"file": "x"},
			ExpectedStatus: http.StatusBadRequest, ExpectedContent: []string{"multipart"},
		},
	)
	s.Run(t, scenarios...)
	assert.Zero(t, testutil.Count(t, s.App, collections.JobRuns), "job runs created by refused uploads")
	assert.Empty(t, uploadsLeft(t, s.App), "temporary upload files left by refused uploads")
}

func TestImportUploadWhileSameKindRuns(t *testing.T) {
	s := testutil.NewServer(t)
	admin := testutil.Users(t)["admin"]
	release := make(chan struct{})
	var got []string
	restore := registry.Override("intel", func(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
		err := src.Walk(ctx, func(e source.Entry) error {
			b, err := io.ReadAll(e.Body)
			got = append(got, fmt.Sprintf("%s=%s", e.Path, b))
			return err
		})
		if opts.Progress != nil {
			opts.Progress("read", 1, 1)
		}
		<-release
		return &importers.Report{Kind: "intel", Source: src.String(), Created: 1, Files: 1}, err
	})
	defer restore()

	var a1 runAnswer
	s.Run(t,
		testutil.Scenario{
			Name: "a first intel upload starts a run", Method: http.MethodPost, URL: "/api/aegis/import/intel", Token: admin.Token,
			Form: uploadNote, Files: uploadFiles("file", "reports.json", []byte(`{"a":1}`)),
			ExpectedStatus: http.StatusAccepted, ExpectedContent: []string{`"job":"import:intel"`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) { r.JSON(t, &a1) },
		},
		testutil.Scenario{
			Name: "a second upload while the first runs is 409 naming it", Method: http.MethodPost, URL: "/api/aegis/import/intel",
			Token: admin.Token, Form: uploadNote, Files: uploadFiles("file", "more.json", []byte(`{"b":2}`)),
			ExpectedStatus: http.StatusConflict, ExpectedError: true,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, r testutil.Response) {
				var busy struct {
					Data runAnswer `json:"data"`
				}
				r.JSON(t, &busy)
				assert.Equal(t, a1.JobRun.Id, busy.Data.JobRun.Id, "the run the 409 names")
			},
		},
	)
	close(release)
	run := waitRun(t, s.App, a1.JobRun.Id)
	require.Equal(t, jobs.StatusSucceeded, run.GetString("status"), "run error %s", run.GetString("error"))
	assert.Equal(t, []string{`reports.json={"a":1}`}, got, "what the importer saw")
	assert.Empty(t, uploadsLeft(t, s.App), "temporary upload files left")
	assert.Equal(t, int64(1), testutil.Count(t, s.App, collections.JobRuns), "job runs")
	var stats map[string]any
	require.NoError(t, json.Unmarshal([]byte(run.GetString("stats")), &stats))
	assert.Equal(t, float64(1), stats["created"], "stats %v", stats)
}

func TestImportUploadOverTheLimit(t *testing.T) {
	saved := api.MaxImportUpload
	api.MaxImportUpload = 64 << 10
	defer func() { api.MaxImportUpload = saved }()
	s := testutil.NewServer(t)
	admin := testutil.Users(t)["admin"]
	for _, tc := range []struct {
		name string
		size int
	}{{"a file over the file limit", 100 << 10}, {"a body over the body limit too", 3 << 20}} {
		t.Run(tc.name+" is 413", func(t *testing.T) {
			body, ctype := testutil.EncodeMultipart(t, uploadNote, uploadFiles("file", "big.json", bytes.Repeat([]byte{' '}, tc.size))...)
			r, cut := testutil.DoOversize(t, http.MethodPost, s.URL+"/api/aegis/import/attack", admin.Token,
				map[string]string{"Content-Type": ctype}, body)
			if cut {
				return // refused while the client was still sending
			}
			testutil.RequireError(t, r, http.StatusRequestEntityTooLarge)
		})
	}
	assert.Empty(t, uploadsLeft(t, s.App), "temporary upload files left")
	assert.Zero(t, testutil.Count(t, s.App, collections.JobRuns), "runs for refused uploads")
}
