package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
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
)

// upload posts content as the multipart field `field` named name.
func upload(t *testing.T, url, token, field, name string, content []byte) testutil.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("note", "uploaded by a test")
	if field != "" {
		w, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return testutil.Response{Status: res.StatusCode, Body: raw, Header: res.Header}
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
	if err != nil {
		t.Fatalf("wait for run %s: %v", id, err)
	}
	return rec
}

func uploadsLeft(t *testing.T, app core.App) []string {
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

func TestImportUploadAttackBundleEndToEnd(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	admin := testutil.Users(t)["admin"]
	bundle, err := os.ReadFile("testdata/attack-mini.json")
	if err != nil {
		t.Fatal(err)
	}

	res := upload(t, srv.URL+"/api/aegis/import/attack", admin.Token, "file", "attack-mini.json", bundle)
	if res.Status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	var ans runAnswer
	res.JSON(t, &ans)
	if ans.JobRun.Id == "" || ans.JobRun.Job != "import:attack" || ans.JobRun.Trigger != "manual" || ans.JobRun.RequestedBy != admin.Id {
		t.Fatalf("job_run %+v", ans.JobRun)
	}
	run := waitRun(t, app, ans.JobRun.Id)
	if run.GetString("status") != jobs.StatusSucceeded {
		t.Fatalf("import run %s: %s", run.GetString("status"), run.GetString("error"))
	}
	var rep importers.Report
	if err := run.UnmarshalJSONField("stats", &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Kind != "attack" || rep.Source != "attack-mini.json" || rep.Created == 0 || rep.NoChange {
		t.Fatalf("report %+v", rep)
	}
	for col, want := range map[string]int64{collections.Tactics: 2, collections.Techniques: 3, collections.ThreatActors: 1, collections.Mitigations: 1} {
		if n, _ := app.CountRecords(col); n != want {
			t.Errorf("%s: %d records, want %d", col, n, want)
		}
	}
	if left := uploadsLeft(t, app); len(left) != 0 {
		t.Errorf("temporary upload files left: %v", left)
	}

	// The same bundle again, gzipped: it reads through the archive layer and
	// changes nothing.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bundle)
	zw.Close()
	res = upload(t, srv.URL+"/api/aegis/import/attack", admin.Token, "file", "attack-mini.json.gz", gz.Bytes())
	if res.Status != http.StatusAccepted {
		t.Fatalf("gz upload: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &ans)
	run = waitRun(t, app, ans.JobRun.Id)
	rep = importers.Report{}
	_ = run.UnmarshalJSONField("stats", &rep)
	if run.GetString("status") != jobs.StatusSucceeded || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged == 0 {
		t.Fatalf("re-import: %s %q %+v", run.GetString("status"), run.GetString("error"), rep)
	}

	// A broken bundle: the run fails naming the problem, nothing changes.
	res = upload(t, srv.URL+"/api/aegis/import/attack", admin.Token, "file", "broken.json", bundle[:len(bundle)/2])
	if res.Status != http.StatusAccepted {
		t.Fatalf("broken upload: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &ans)
	run = waitRun(t, app, ans.JobRun.Id)
	if run.GetString("status") != jobs.StatusFailed || !strings.Contains(run.GetString("error"), "broken.json") {
		t.Fatalf("broken bundle run: %s %q", run.GetString("status"), run.GetString("error"))
	}
	if n, _ := app.CountRecords(collections.Techniques); n != 3 {
		t.Errorf("techniques after a failed import: %d, want 3", n)
	}
	if left := uploadsLeft(t, app); len(left) != 0 {
		t.Errorf("temporary upload files left after a failure: %v", left)
	}
}

func TestImportUploadRefusals(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	users := testutil.Users(t)
	url := func(kind string) string { return srv.URL + "/api/aegis/import/" + kind }
	bundle := []byte(`{"type":"bundle","id":"bundle--1","objects":[]}`)

	for _, tc := range []struct {
		name, kind, role, field string
		content                 []byte
		want                    int
		contains                string
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
		t.Run(tc.name, func(t *testing.T) {
			token := ""
			if tc.role != "" {
				token = users[tc.role].Token
			}
			res := upload(t, url(tc.kind), token, tc.field, "bundle.json", tc.content)
			if res.Status != tc.want || !strings.Contains(string(res.Body), tc.contains) {
				t.Fatalf("%d %s; want %d containing %q", res.Status, res.Body, tc.want, tc.contains)
			}
		})
	}

	// The unknown-kind answer carries the kinds as data too.
	res := upload(t, url("nope"), users["admin"].Token, "file", "x.json", bundle)
	var body struct {
		Data struct{ Kinds []string } `json:"data"`
	}
	res.JSON(t, &body)
	if len(body.Data.Kinds) == 0 || !strings.Contains(strings.Join(body.Data.Kinds, ","), "attack") {
		t.Errorf("kinds in data: %s", res.Body)
	}
	// Not multipart at all.
	res = testutil.Do(t, http.MethodPost, url("attack"), users["admin"].Token, map[string]string{"file": "x"})
	if res.Status != 400 || !strings.Contains(string(res.Body), "multipart") {
		t.Errorf("JSON body: %d %s", res.Status, res.Body)
	}
	if n, _ := app.CountRecords(collections.JobRuns); n != 0 {
		t.Errorf("%d job runs created by refused uploads", n)
	}
	if left := uploadsLeft(t, app); len(left) != 0 {
		t.Errorf("temporary upload files left by refused uploads: %v", left)
	}
}

func TestImportUploadWhileSameKindRuns(t *testing.T) {
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
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

	first := upload(t, srv.URL+"/api/aegis/import/intel", admin.Token, "file", "reports.json", []byte(`{"a":1}`))
	if first.Status != http.StatusAccepted {
		t.Fatalf("first upload: %d %s", first.Status, first.Body)
	}
	var a1 runAnswer
	first.JSON(t, &a1)
	second := upload(t, srv.URL+"/api/aegis/import/intel", admin.Token, "file", "more.json", []byte(`{"b":2}`))
	if second.Status != http.StatusConflict {
		t.Fatalf("second upload while the first runs: %d %s", second.Status, second.Body)
	}
	var busy struct {
		Data runAnswer `json:"data"`
	}
	second.JSON(t, &busy)
	if busy.Data.JobRun.Id != a1.JobRun.Id {
		t.Errorf("409 names run %q, want %q", busy.Data.JobRun.Id, a1.JobRun.Id)
	}
	close(release)
	run := waitRun(t, app, a1.JobRun.Id)
	if run.GetString("status") != jobs.StatusSucceeded {
		t.Fatalf("run %s %s", run.GetString("status"), run.GetString("error"))
	}
	if len(got) != 1 || got[0] != `reports.json={"a":1}` {
		t.Errorf("importer saw %v", got)
	}
	if left := uploadsLeft(t, app); len(left) != 0 {
		t.Errorf("temporary upload files left: %v", left)
	}
	if n, _ := app.CountRecords(collections.JobRuns); n != 1 {
		t.Errorf("%d job runs, want 1", n)
	}
	var stats map[string]any
	_ = json.Unmarshal([]byte(run.GetString("stats")), &stats)
	if stats["created"] != float64(1) {
		t.Errorf("stats %v", stats)
	}
}

func TestImportUploadOverTheLimit(t *testing.T) {
	saved := api.MaxImportUpload
	api.MaxImportUpload = 64 << 10
	defer func() { api.MaxImportUpload = saved }()
	app := testutil.NewApp(t)
	srv := testutil.Serve(t, app)
	admin := testutil.Users(t)["admin"]
	for _, size := range []int{100 << 10, 3 << 20} { // over the file limit; over the body limit too
		res := upload(t, srv.URL+"/api/aegis/import/attack", admin.Token, "file", "big.json", bytes.Repeat([]byte{' '}, size))
		if res.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("%d bytes: %d %s", size, res.Status, res.Body)
		}
	}
	if left := uploadsLeft(t, app); len(left) != 0 {
		t.Errorf("temporary upload files left: %v", left)
	}
	if n, _ := app.CountRecords(collections.JobRuns); n != 0 {
		t.Errorf("%d runs for refused uploads", n)
	}
}
