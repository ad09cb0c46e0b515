package api

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/registry"
	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// MaxImportUpload bounds one uploaded import file (the Enterprise ATT&CK
// bundle is ~45 MB; a full content archive a few hundred). It is read when
// the routes are registered.
var MaxImportUpload int64 = 512 << 20

// importRoles says who may upload each kind (DESIGN §3): the ATT&CK
// catalogue and intel are admin business, detection content the blue lead's,
// test libraries and red-team history the red lead's. A kind missing here
// is admin-only.
var importRoles = map[string][]collections.Role{
	"attack":       {collections.RoleAdmin},
	"intel":        {collections.RoleAdmin},
	"sigma":        {collections.RoleAdmin, collections.RoleBlueLead},
	"elastic":      {collections.RoleAdmin, collections.RoleBlueLead},
	"d3fend":       {collections.RoleAdmin, collections.RoleBlueLead},
	"compliance":   {collections.RoleAdmin, collections.RoleBlueLead},
	"dettect":      {collections.RoleAdmin, collections.RoleBlueLead},
	"atomic":       {collections.RoleAdmin, collections.RoleRedLead},
	"caldera":      {collections.RoleAdmin, collections.RoleRedLead},
	"navigator":    {collections.RoleAdmin, collections.RoleRedLead},
	"vectr":        {collections.RoleAdmin, collections.RoleRedLead},
	"vectr-bundle": {collections.RoleAdmin, collections.RoleRedLead},
	"atomic-log":   {collections.RoleAdmin, collections.RoleRedLead},
}

func importAllowed(kind string, role collections.Role) bool {
	roles, ok := importRoles[kind]
	if !ok {
		roles = []collections.Role{collections.RoleAdmin}
	}
	return slices.Contains(roles, role)
}

func registerImportRoutes(g *Group) {
	// The multipart envelope adds a little to the file itself.
	limit := MaxImportUpload
	g.POST("/import/{kind}", func(e *core.RequestEvent) error { return handleImportUpload(e, limit) }).
		Bind(requireUser(), apis.BodyLimit(limit+1<<20))

	document(Op{Method: "POST", Path: Prefix + "/import/{kind}", Tags: []string{"imports", "jobs"},
		Auth:    "attack, intel: admin; sigma, elastic, d3fend, compliance, dettect: admin, blue_lead; atomic, caldera, navigator, vectr, vectr-bundle, atomic-log: admin, red_lead",
		Summary: "Upload a file or archive to import; it runs in the background as job import:{kind}",
		Description: "Multipart form with the field `file` (up to 512 MiB): a JSON/YAML/TOML/CSV file, or a " +
			"zip, tar, tar.gz or tar.zst archive of them. Answers 202 at once with the job run; follow its " +
			"`progress` over realtime on `job_runs`, and read the import report from its `stats` when it " +
			"has finished. 400 for an unknown kind (the message lists the kinds) or a missing or empty file, " +
			"403 for a role that may not import this kind, 409 while an import of the same kind runs, 413 " +
			"for a file over the limit.",
		Multipart: true,
		Response: map[string]any{"job_run": map[string]any{"id": "mj7sb1c2d3e4f5g", "job": "import:attack",
			"trigger": "manual", "status": collections.JobRunning, "attempt": 1, "progress": jobs.Progress{Stage: "parse"},
			"requested_by": "u1a2b3c4d5e6f7g"}},
	})
}

func handleImportUpload(e *core.RequestEvent, limit int64) error {
	kind := e.Request.PathValue("kind")
	if _, ok := registry.Lookup(kind); !ok {
		kinds := registry.Kinds()
		return e.JSON(http.StatusBadRequest, map[string]any{"status": http.StatusBadRequest,
			"message": fmt.Sprintf("Unknown import kind %q; known kinds: %s.", kind, strings.Join(kinds, ", ")),
			"data":    map[string]any{"kinds": kinds}})
	}
	if role := collections.ActorFromRequest(e).Role; !importAllowed(kind, role) {
		return e.ForbiddenError(fmt.Sprintf("Your role (%s) may not import %s.", role, kind), nil)
	}

	path, name, err := receiveUpload(e, limit)
	if err != nil {
		return err
	}
	rec, err := jobs.StartUpload(e.App, kind, path, name, jobs.Options{Trigger: jobs.TriggerManual, RequestedBy: requesterId(e)})
	return answerRun(e, rec, err)
}

// receiveUpload streams the multipart field "file" to a temporary file in
// the data dir without holding it in memory, and returns its path and the
// client's file name. On any error nothing is left on disk.
func receiveUpload(e *core.RequestEvent, limit int64) (path, name string, err error) {
	mr, err := e.Request.MultipartReader()
	if err != nil {
		return "", "", e.BadRequestError("Send the file as multipart/form-data in the field \"file\".", nil)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", "", e.BadRequestError("Missing file: send it in the multipart field \"file\".", nil)
		}
		if err != nil {
			return "", "", uploadReadError(e, err)
		}
		if part.FormName() != "file" || part.FileName() == "" {
			_, _ = io.Copy(io.Discard, part) // bounded by the route's body limit
			part.Close()
			continue
		}
		defer part.Close()
		return saveUpload(e, part, limit)
	}
}

func saveUpload(e *core.RequestEvent, part *multipart.Part, limit int64) (string, string, error) {
	name := cleanFileName(part.FileName())
	dir := jobs.UploadsDir(e.App)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", e.InternalServerError("Cannot store the upload.", err)
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return "", "", e.InternalServerError("Cannot store the upload.", err)
	}
	n, err := io.Copy(f, io.LimitReader(part, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		os.Remove(f.Name())
		return "", "", uploadReadError(e, err)
	case n > limit:
		os.Remove(f.Name())
		return "", "", tooLarge(e, limit)
	case n == 0:
		os.Remove(f.Name())
		return "", "", e.BadRequestError("The uploaded file is empty.", nil)
	}
	return f.Name(), name, nil
}

func uploadReadError(e *core.RequestEvent, err error) error {
	if errors.Is(err, apis.ErrRequestEntityTooLarge) {
		return tooLarge(e, 0)
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		// Writing the temporary file failed (disk full, permissions).
		return e.InternalServerError("Cannot store the upload: "+pathErr.Err.Error()+".", err)
	}
	return e.BadRequestError("The upload could not be read: "+err.Error(), nil)
}

func tooLarge(e *core.RequestEvent, limit int64) error {
	msg := "The file is larger than the import limit."
	if limit > 0 {
		msg = fmt.Sprintf("The file is larger than the import limit (%d bytes).", limit)
	}
	return e.Error(http.StatusRequestEntityTooLarge, msg, nil)
}

// cleanFileName keeps the base name of what the client sent (its extension
// tells the source layer the format), without paths or control characters.
func cleanFileName(s string) string {
	s = filepath.Base(strings.ReplaceAll(s, "\\", "/"))
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if s == "" || s == "." || s == "/" || s == ".." {
		return "upload"
	}
	if len(s) > 200 {
		s = s[len(s)-200:]
	}
	return s
}
