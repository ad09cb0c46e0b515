package hooks

import (
	"mime"
	"net/http"
	"path/filepath"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// bindEvidence keeps evidence metadata truthful: records are created only
// by the streaming upload route (which computes size, hash and type), only
// the note can be edited afterwards, and active content is always served
// as a download.
func bindEvidence(app core.App) {
	app.OnRecordCreateRequest(c.Evidence).BindFunc(func(e *core.RecordRequestEvent) error {
		return router.NewApiError(http.StatusBadRequest,
			"Upload evidence with POST /api/aegis/tests/{id}/evidence.", nil)
	})
	app.OnRecordUpdateRequest(c.Evidence).BindFunc(func(e *core.RecordRequestEvent) error {
		for _, f := range workflow.ChangedFields(e.Record) {
			if f != "note" {
				return router.NewForbiddenError("Only the note of evidence can be changed.", nil)
			}
		}
		return e.Next()
	})
	app.OnFileDownloadRequest(c.Evidence).BindFunc(func(e *core.FileDownloadRequestEvent) error {
		typ := e.Record.GetString("mime")
		if typ == "" {
			typ = mime.TypeByExtension(filepath.Ext(e.ServedName))
		}
		if evidence.Active(typ) || evidence.Active(mime.TypeByExtension(filepath.Ext(e.ServedName))) {
			name := e.Record.GetString("filename")
			if name == "" {
				name = e.ServedName
			}
			e.Response.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
			e.Response.Header().Set("Content-Type", "application/octet-stream")
		}
		e.Response.Header().Set("X-Content-Type-Options", "nosniff")
		return e.Next()
	})
}
